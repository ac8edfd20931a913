#include "sim/scenario/study.hpp"

#include <map>

#include <fmt/format.h>

#include "models/catalog/catalog.hpp"
#include "models/cpu/cpu_device.hpp"
#include "models/memory/footprint.hpp"
#include "sim/engine/input_error.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

namespace {

constexpr int64_t kMaxThreads = 1'000'000;
constexpr double kGiB = 1024.0 * 1024 * 1024;

std::string known_precisions() {
  std::string out;
  for (auto p : all_precisions()) out += (out.empty() ? "" : ", ") + std::string(precision_name(p));
  return out;
}

std::optional<std::string> check_model(const std::string& name) {
  if (ModelRegistry::instance().find(name)) return std::nullopt;
  return ModelRegistry::instance().unknown(name, "model");
}

std::optional<std::string> check_instance(const std::string& name) {
  if (Catalog::builtin().has_target(name)) return std::nullopt;
  return fmt::format("unknown instance \"{}\" (known: {})", name, Catalog::builtin().target_names_joined());
}

// A precision the instance's device cannot run ("gaudi1 (dl1.24xlarge) cannot run int8").
std::optional<std::string> check_precision(const std::string& instance, Precision p) {
  const auto device = Catalog::builtin().make_device(instance);
  if (device->supports(p)) return std::nullopt;
  std::string runs;
  for (auto q : all_precisions())
    if (device->supports(q)) runs += (runs.empty() ? "" : ", ") + std::string(precision_name(q));
  return fmt::format("{}{} cannot run {} (it runs {})", device->name(),
                     device->name() == instance ? "" : " (" + instance + ")", precision_name(p), runs);
}

// The graph options of one configuration; build_model's own checks (sequence length) become
// input errors at `where`.
Graph build_checked(const std::string& model, const StudyConfig& c, Precision p, int64_t batch,
                    const std::string& file, const std::string& where) {
  try {
    return build_model(model, {batch, p, c.mode, c.seq_len, false, c.decode});
  } catch (const std::invalid_argument& e) {
    throw InputError(file, where, e.what());
  }
}

}  // namespace

StudyConfig default_study() {
  StudyConfig c;
  c.models = {"resnet50", "bert-base"};
  c.precisions = {Precision::int8, Precision::fp32};
  c.batches = {1, 32};
  c.instances = {"c5.large", "c6i.large", "c7i.large", "host"};
  return c;
}

StudyConfig parse_study(const JsonView& root) {
  root.allow_only({"models", "precisions", "batches", "instances", "mode", "seq_len", "threads"});
  StudyConfig c;
  auto nonempty = [](const JsonView& v) {
    if (v.size() == 0) v.fail("must list at least one entry");
    return v.items();
  };
  for (const auto& v : nonempty(root.at("models"))) {
    c.models.push_back(v.as_string());
    if (auto err = check_model(c.models.back())) v.fail(*err);
  }
  for (const auto& v : nonempty(root.at("precisions"))) {
    auto p = parse_precision(v.as_string());
    if (!p) v.fail(fmt::format("unknown precision \"{}\" (known: {})", v.as_string(), known_precisions()));
    c.precisions.push_back(*p);
  }
  for (const auto& v : nonempty(root.at("batches"))) {
    c.batches.push_back(v.as_positive_integer());
    if (c.batches.back() > kMaxBatch) v.fail(fmt::format("must be at most {}, found {}", kMaxBatch, c.batches.back()));
  }
  for (const auto& v : nonempty(root.at("instances"))) {
    c.instances.push_back(v.as_string());
    if (auto err = check_instance(c.instances.back())) v.fail(*err);
  }
  if (auto m = root.find("mode")) {
    std::string mode = m->as_string();
    if (mode != "inference" && mode != "training" && mode != "decode")
      m->fail("mode must be \"inference\", \"training\" or \"decode\"");
    c.mode = mode == "training" ? Mode::training : Mode::inference;
    c.decode = mode == "decode";
  }
  if (auto s = root.find("seq_len")) c.seq_len = s->as_positive_integer();
  for (std::size_t i = 0; i < c.precisions.size(); ++i)
    for (const auto& instance : c.instances)
      if (auto err = check_precision(instance, c.precisions[i])) root.at("precisions").at(i).fail(*err);
  if (auto t = root.find("threads")) {
    const int64_t threads = t->as_positive_integer();
    if (threads > kMaxThreads) t->fail(fmt::format("must be at most {}, found {}", kMaxThreads, threads));
    c.threads = static_cast<int>(threads);
  }
  // Build every graph once now, so that impossible combinations fail before anything runs.
  for (std::size_t i = 0; i < c.models.size(); ++i)
    build_checked(c.models[i], c, c.precisions[0], c.batches[0], root.file(),
                  root.has("seq_len") ? "/seq_len" : (c.decode ? "/mode" : fmt::format("/models/{}", i)));
  return c;
}

void validate_study(const StudyConfig& c) {
  for (const auto& m : c.models)
    if (auto err = check_model(m)) throw InputError("--model", "", *err);
  for (const auto& i : c.instances)
    if (auto err = check_instance(i)) throw InputError("--instance", "", *err);
  for (auto p : c.precisions)
    for (const auto& i : c.instances)
      if (auto err = check_precision(i, p)) throw InputError("--precision", "", *err);
  for (auto b : c.batches) {
    if (b <= 0) throw InputError("--batch", "", fmt::format("must be a positive integer, found {}", b));
    if (b > kMaxBatch) throw InputError("--batch", "", fmt::format("must be at most {}, found {}", kMaxBatch, b));
  }
  if (c.threads && *c.threads <= 0) throw InputError("--threads", "", "must be a positive integer");
  if (c.seq_len < 0) throw InputError("--seq-len", "", "must be a positive integer");
  for (const auto& m : c.models)
    build_checked(m, c, c.precisions.at(0), c.batches.at(0), c.decode && c.seq_len == 0 ? "--decode" : "--seq-len", "");
}

nlohmann::json resolved_config(const StudyConfig& c) {
  nlohmann::json precisions = nlohmann::json::array();
  for (auto p : c.precisions) precisions.push_back(precision_name(p));
  nlohmann::json instances = nlohmann::json::object();
  const Catalog& catalog = Catalog::builtin();
  for (const auto& name : c.instances) {
    const bool instance = catalog.has_instance(name);
    if (instance && !catalog.instance(name).accelerators) {
      const InstanceType& t = catalog.instance(name);
      const CpuSpec& spec = catalog.cpu_of(t);
      instances[name] = {{"cpu", spec.name}, {"cpu_description", spec.description}, {"vcpus", t.vcpus},
                         {"cores", t.cores}, {"freq_ghz_avx512", spec.freq_ghz_avx512}};
    } else {
      const auto device = catalog.make_device(name);
      instances[name] = {{"device", device->name()}, {"description", device->description()},
                         {"devices", catalog.devices_per_target(name)},
                         {"memory_gib", double(device->memory_bytes()) / kGiB}};
    }
  }
  return {{"models", c.models}, {"precisions", precisions}, {"batches", c.batches},
          {"instances", c.instances}, {"instance_details", instances},
          {"mode", c.mode == Mode::training ? "training" : c.decode ? "decode" : "inference"},
          {"seq_len", c.seq_len == 0 ? nlohmann::json("model default") : nlohmann::json(c.seq_len)},
          {"threads", c.threads ? nlohmann::json(*c.threads) : nlohmann::json("all cores")},
          {"channels_last", c.software.channels_last}};
}

std::vector<ModelRunResult> run_study(const StudyConfig& c) {
  const Catalog& catalog = Catalog::builtin();
  // One device per instance, its memo shared by every graph of the study.
  std::map<std::string, std::unique_ptr<Device>> devices;
  for (const auto& name : c.instances) devices.emplace(name, catalog.make_device(name, c.threads.value_or(0)));
  std::vector<ModelRunResult> out;
  for (const auto& model : c.models)
    for (auto precision : c.precisions)
      for (auto batch : c.batches)
        for (const auto& name : c.instances) {
          Device& device = *devices.at(name);
          const bool unfused = device.execution_style(c.mode) != ExecutionStyle::fused_inference;
          const Graph g =
              device.lower(build_model(model, {batch, precision, c.mode, c.seq_len, unfused, c.decode}), c.software);
          ModelRunResult r;
          r.model = model;
          r.instance = name;
          r.device = device.name();
          r.device_class = std::string(device.device_class());
          if (const auto* cpu = dynamic_cast<const CpuDeviceModel*>(&device)) {
            r.device = cpu->cpu().spec.name;
            r.threads = cpu->threads();
          }
          r.devices = catalog.devices_per_target(name);
          r.precision = std::string(precision_name(precision));
          r.mode = c.mode == Mode::training ? "training" : c.decode ? "decode" : "inference";
          r.batch = batch;
          r.seq_len = g.seq_len;
          r.kernels = static_cast<int>(g.kernels.size());
          r.gflop = g.flops() / 1e9;
          const int64_t needed = footprint(g).total();
          r.memory_gib_needed = double(needed) / kGiB;
          r.memory_gib_available = double(device.memory_bytes()) / kGiB;
          r.fits = needed <= device.memory_bytes();
          if (auto p = catalog.has_instance(name) ? catalog.instance(name).latest_price() : std::nullopt)
            r.price = PriceTag{p->usd_per_hour, p->date, p->source};
          if (!r.fits) {
            out.push_back(std::move(r));
            continue;
          }
          double kernel_seconds = 0, compute = 0, memory = 0, overhead = 0, peak_mac_seconds = 0;
          for (const auto& k : g.kernels) {
            const DeviceKernelCost& cost = device.cost(k);
            kernel_seconds += cost.total_s;
            overhead += cost.overhead_s;
            (cost.compute_s >= cost.memory_s ? compute : memory) += cost.total_s - cost.overhead_s;
            if (k.is_matmul()) peak_mac_seconds += cost.effective_macs / device.peak_macs_per_s(k.dtype);
          }
          const double seconds = device.graph_seconds(g);
          // Host dispatch the device waits on (eager GPUs) counts as overhead; overlap between
          // engines (Gaudi) makes the shares relative to the kernels' own times.
          const double denominator = std::max(seconds, kernel_seconds);
          overhead += std::max(0.0, seconds - kernel_seconds);
          r.latency_ms = seconds * 1e3;
          r.throughput_per_s = r.devices * batch / seconds;
          r.utilization = peak_mac_seconds / seconds;
          r.compute_bound_share = compute / denominator;
          r.memory_bound_share = memory / denominator;
          r.overhead_share = overhead / denominator;
          out.push_back(std::move(r));
        }
  return out;
}

}  // namespace xpusim

// `xpusim train`: data-parallel training on one or more servers: the step with its compute and
// communication, throughput, scaling, and the time and cost to train, against a baseline.
#include <cmath>

#include <fmt/format.h>

#include "models/training/data_parallel.hpp"
#include "reports/report_writer.hpp"
#include "reports/training_report.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/device_choice.hpp"
#include "sim/engine/dates.hpp"
#include "sim/engine/input_error.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim::cli {

namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

struct TrainFlags {
  std::string model = "resnet50", precision, price_date, baseline, buckets = "ddp";
  std::vector<std::string> instances;
  std::vector<int> nodes{1};
  DeviceChoice devices;
  int loader_workers = 0;
  int64_t batch = 0, global_batch = 0, seq_len = 0;
  double samples = 0;
  bool nchw = false;
  OutputOptions output;
};

TrainingRunResult run_one(const Catalog& catalog, const TrainFlags& f, const std::string& instance, int nodes,
                          const ModelInfo& info) {
  TrainingConfig c;
  c.model = f.model;
  c.instance = instance;
  const auto device = catalog.make_device(instance);
  c.precision = f.precision.empty() ? device->default_training_precision() : *parse_precision(f.precision);
  c.batch_per_device = f.batch > 0 ? f.batch : info.training_batch;
  if (f.global_batch > 0) {
    // The same job on more devices: the global batch is split evenly, or not at all.
    const int64_t devices = int64_t(chosen_devices(f.devices, instance, catalog.devices_per_target(instance)).size()) * nodes;
    if (f.global_batch % devices != 0)
      throw InputError("--global-batch", "", fmt::format("{} samples do not split evenly over the {} devices of {} x {}",
                                                         f.global_batch, devices, nodes, instance));
    c.batch_per_device = f.global_batch / devices;
  }
  c.seq_len = f.seq_len;
  c.nodes = nodes;
  c.devices_per_node = f.devices.devices;
  c.device_ids = f.devices.gpus;
  c.software.channels_last = !f.nchw;
  c.buckets = *GradientBuckets::named(f.buckets);
  c.loader_workers_per_device = f.loader_workers;
  TrainingResult t;
  try {
    t = simulate_training(catalog, c);
  } catch (const std::invalid_argument& e) {
    throw InputError("--instance", "", fmt::format("{}: {}", instance, e.what()));
  }
  TrainingRunResult r;
  r.model = f.model;
  r.instance = instance;
  r.device = t.device;
  r.precision = std::string(precision_name(c.precision));
  r.nodes = nodes;
  r.devices = t.devices;
  r.batch_per_device = c.batch_per_device;
  r.seq_len = info.default_seq_len ? (f.seq_len ? f.seq_len : info.default_seq_len) : 0;
  r.fits = t.fits;
  r.memory_gib_needed = double(t.memory.total()) / kGiB;
  r.memory_gib_available = double(t.memory_available) / kGiB;
  r.step_ms = t.step_s * 1e3;
  r.compute_ms = t.compute_s * 1e3;
  r.communication_ms = t.communication_s * 1e3;
  r.exposed_communication_ms = t.exposed_communication_s * 1e3;
  r.throughput_per_s = t.throughput_per_s;
  r.single_device_throughput_per_s = t.single_device_throughput_per_s;
  r.scaling_efficiency = t.scaling_efficiency;
  r.input_limit_per_s = t.input_limit_per_s;
  r.input_bound = t.input_bound;
  r.samples = f.samples > 0 ? f.samples : info.training_samples;
  r.samples_source = f.samples > 0 ? "--samples" : info.training_samples_source;
  r.gradient_exchange = f.buckets == "horovod" ? "Horovod (64 MiB, 5 ms cycle)" : "DDP (25 MiB)";
  r.loader_workers_per_device = f.loader_workers;
  if (catalog.has_instance(instance)) {
    const InstanceType& it = catalog.instance(instance);
    if (auto p = f.price_date.empty() ? it.latest_price() : it.price_on(f.price_date))
      r.price = PriceTag{p->usd_per_hour, p->date, p->source};
  }
  if (r.fits) {
    r.hours_to_train = r.samples / r.throughput_per_s / 3600;
    if (r.price) r.usd_to_train = r.hours_to_train * r.price->usd_per_hour * nodes;
  }
  return r;
}


}  // namespace

Action add_train_command(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  auto* cmd = app.add_subcommand("train", "data-parallel training on accelerator servers: step time with its "
                                 "compute and communication, throughput, scaling, time and cost to train");
  cmd->add_option("--model", f->model, ModelRegistry::instance().names_joined() + " (default resnet50)");
  cmd->add_option("--instance", f->instances, "instances (dl1.24xlarge, p3dn.24xlarge, p4d.24xlarge, ...)")
      ->required()->delimiter(',');
  cmd->add_option("--nodes", f->nodes, "servers, data-parallel over their network (default 1; a list runs each)")
      ->delimiter(',');
  add_device_options(*cmd, f->devices);
  cmd->add_option("--precision", f->precision, "bf16, fp16, tf32, fp32 (default: what each device trains best in: "
                  "bf16 on Gaudi, fp16 mixed on V100/A100)");
  cmd->add_option("--batch", f->batch, "samples per device per step (default: the model's usual per-device batch, e.g. 256 for resnet50, 32 for BERT)");
  cmd->add_option("--global-batch", f->global_batch, "samples per step for the whole job, split evenly over its "
                  "devices (instead of --batch)");
  cmd->add_option("--seq-len", f->seq_len, "sequence length of sequence models (default: the model's, 128 for BERT, 1024 for GPT-2)");
  cmd->add_option("--samples", f->samples, "samples to train (default: the model's full training run)");
  cmd->add_option("--price-date", f->price_date, "prices in effect on this date, YYYY-MM-DD (default: the latest)");
  cmd->add_option("--baseline", f->baseline, "compare cost and price-performance with this instance (one of --instance)");
  cmd->add_option("--buckets", f->buckets, "gradient exchange: ddp (25 MiB buckets) or horovod (64 MiB, 5 ms cycle)");
  cmd->add_option("--loader-workers", f->loader_workers, "host data-loader workers per device (default 0: input "
                  "not modeled, as with synthetic data or decoding on the device)");
  cmd->add_flag("--nchw", f->nchw, "NCHW activations (GPU convolutions then transpose around tensor cores)");
  add_output_options(*cmd, f->output);
  return [f] {
    const Catalog& catalog = Catalog::builtin();
    const ModelInfo& info = ModelRegistry::instance().get(f->model, "--model", "model");
    if (!f->precision.empty() && !parse_precision(f->precision))
      throw InputError("--precision", "", fmt::format("unknown precision \"{}\"", f->precision));
    for (const auto& i : f->instances)
      if (!catalog.has_target(i))
        throw InputError("--instance", "", fmt::format("unknown instance \"{}\" (known: {})", i, catalog.target_names_joined()));
    for (int n : f->nodes)
      if (n < 1 || n > 100000) throw InputError("--nodes", "", fmt::format("must be in [1, 100000], found {}", n));
    for (const auto& i : f->instances) chosen_devices(f->devices, i, catalog.devices_per_target(i));
    if (f->batch < 0 || f->batch > kMaxBatch) throw InputError("--batch", "", fmt::format("must be in [1, {}]", kMaxBatch));
    if (f->global_batch < 0 || f->global_batch > kMaxBatch)
      throw InputError("--global-batch", "", fmt::format("must be in [1, {}]", kMaxBatch));
    if (f->batch > 0 && f->global_batch > 0) throw InputError("--global-batch", "", "give --batch or --global-batch, not both");
    if (f->seq_len < 0) throw InputError("--seq-len", "", "must be a positive integer");
    if (!(f->samples >= 0) || !std::isfinite(f->samples)) throw InputError("--samples", "", "must be a positive number");
    if (f->loader_workers < 0 || f->loader_workers > 4096) throw InputError("--loader-workers", "", "must be in [0, 4096]");
    if (!GradientBuckets::named(f->buckets))
      throw InputError("--buckets", "", fmt::format("unknown gradient exchange \"{}\" (known: ddp, horovod)", f->buckets));
    if (!f->price_date.empty() && !is_iso_date(f->price_date))
      throw InputError("--price-date", "", fmt::format("expected YYYY-MM-DD, found \"{}\"", f->price_date));
    if (!f->baseline.empty() &&
        std::find(f->instances.begin(), f->instances.end(), f->baseline) == f->instances.end())
      throw InputError("--baseline", "", fmt::format("\"{}\" is not one of --instance", f->baseline));
    // Each precision asked must run on every device (the default always does).
    if (!f->precision.empty())
      for (const auto& i : f->instances)
        if (!catalog.make_device(i)->supports(*parse_precision(f->precision)))
          throw InputError("--precision", "", fmt::format("{} ({}) cannot train in {}", catalog.make_device(i)->name(),
                                                          i, f->precision));

    std::vector<TrainingRunResult> rows;
    for (int nodes : f->nodes)
      for (const auto& i : f->instances) rows.push_back(run_one(catalog, *f, i, nodes, info));
    if (!f->baseline.empty())
      for (auto& r : rows)
        for (const auto& b : rows)
          if (b.instance == f->baseline && b.nodes == r.nodes && b.fits && r.fits && b.price && r.price) {
            r.baseline = f->baseline;
            r.usd_saved_vs_baseline = b.usd_to_train - r.usd_to_train;
            r.saving_pct_vs_baseline = 100 * (b.usd_to_train - r.usd_to_train) / b.usd_to_train;
          }

    nlohmann::json results = nlohmann::json::array();
    for (const auto& r : rows) results.push_back(to_json(r));
    nlohmann::json config = {
        {"model", f->model}, {"instances", f->instances}, {"nodes", f->nodes},
        {"devices_per_node", to_json(f->devices)},
        {"precision", f->precision.empty() ? nlohmann::json("each device's default") : nlohmann::json(f->precision)},
        {"batch_per_device", f->global_batch > 0 ? nlohmann::json("global batch split") : nlohmann::json(f->batch > 0 ? f->batch : info.training_batch)},
        {"global_batch", f->global_batch > 0 ? nlohmann::json(f->global_batch) : nlohmann::json()},
        {"seq_len", info.default_seq_len ? (f->seq_len ? f->seq_len : info.default_seq_len) : 0},
        {"samples", f->samples > 0 ? f->samples : info.training_samples},
        {"samples_source", f->samples > 0 ? "--samples" : info.training_samples_source},
        {"price_date", f->price_date.empty() ? nlohmann::json("latest") : nlohmann::json(f->price_date)},
        {"baseline", f->baseline}, {"gradient_exchange", f->buckets}, {"loader_workers_per_device", f->loader_workers},
        {"channels_last", !f->nchw}};
    emit(f->output, make_report("train", config, results), training_results_table(rows), training_results_csv(rows));
  };
}

}  // namespace xpusim::cli

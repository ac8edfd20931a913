#include "models/training/data_parallel.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "models/training/server_collective.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

namespace {

// Gradients are all-reduced in fp32, as DDP and Horovod keep them under mixed precision.
constexpr double kGradientBytes = 4;

struct Bucket {
  double ready_s = 0, bytes = 0;
};

// A bucket is ready when the last of its weight-gradient kernels finishes (a device may finish
// them out of graph order).
std::vector<Bucket> fill_buckets(const Graph& g, const std::vector<double>& ends, const GradientBuckets& policy) {
  std::vector<Bucket> out;
  for (const GradientBucket& b : gradient_buckets(g, policy)) {
    Bucket ready{0, b.bytes};
    for (int i = b.first_kernel; i <= b.last_kernel; ++i)
      if (gradient_bytes(g.kernels[static_cast<std::size_t>(i)]) > 0)
        ready.ready_s = std::max(ready.ready_s, ends[static_cast<std::size_t>(i)]);
    out.push_back(ready);
  }
  return out;
}

}  // namespace

double gradient_bytes(const Kernel& k) {
  return k.pass == Pass::backward_weights ? kGradientBytes * double(k.weight_count()) : 0;
}

std::vector<GradientBucket> gradient_buckets(const Graph& g, const GradientBuckets& policy) {
  std::vector<GradientBucket> out;
  GradientBucket open{-1, -1, 0};
  for (std::size_t i = 0; i < g.kernels.size(); ++i) {
    const double bytes = gradient_bytes(g.kernels[i]);
    if (bytes == 0) continue;
    if (open.first_kernel < 0) open.first_kernel = static_cast<int>(i);
    open.last_kernel = static_cast<int>(i);
    open.bytes += bytes;
    if (open.bytes >= policy.bytes) {
      out.push_back(open);
      open = {-1, -1, 0};
    }
  }
  if (open.bytes > 0) out.push_back(open);
  return out;
}

GradientBuckets GradientBuckets::ddp() { return {"ddp", 25.0 * 1024 * 1024, 0}; }
// Horovod's defaults: a 64 MiB fusion buffer, negotiated every 5 ms.
GradientBuckets GradientBuckets::horovod() { return {"horovod", 64.0 * 1024 * 1024, 0.005}; }

std::optional<GradientBuckets> GradientBuckets::named(const std::string& name) {
  if (name == "ddp") return ddp();
  if (name == "horovod") return horovod();
  return std::nullopt;
}

double loader_samples_per_s_per_worker(const DeviceCatalog& devices) {
  return devices.fitted_value("host", "loader_samples_per_s_per_worker");
}

TrainingSimulator::TrainingSimulator(const Catalog& catalog) : catalog_(catalog) {}

const TrainingResult& TrainingSimulator::simulate(const TrainingConfig& c) {
  const std::string key = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", c.model, c.instance, int(c.precision),
                                      c.batch_per_device, c.seq_len, c.nodes, c.devices_per_node,
                                      fmt::join(c.device_ids, ","),
                                      c.software.channels_last, c.buckets.name, c.buckets.bytes, c.buckets.cycle_s,
                                      c.loader_workers_per_device);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  return memo_.emplace(key, run(c)).first->second;
}

Device& TrainingSimulator::device(const std::string& target) {
  auto& d = devices_[target];
  if (!d) d = catalog_.make_device(target);
  return *d;
}

TrainingResult simulate_training(const Catalog& catalog, const TrainingConfig& c) {
  return TrainingSimulator(catalog).simulate(c);
}

TrainingResult TrainingSimulator::run(const TrainingConfig& c) {
  const Catalog& catalog = catalog_;
  if (c.nodes < 1) throw std::invalid_argument("nodes must be at least 1");
  const bool instance = catalog.has_instance(c.instance);
  const InstanceType* t = instance ? &catalog.instance(c.instance) : nullptr;
  const int available = catalog.devices_per_target(c.instance);
  const int per_node = !c.device_ids.empty() ? static_cast<int>(c.device_ids.size())
                       : c.devices_per_node > 0 ? c.devices_per_node
                                                : available;
  if (!c.device_ids.empty() && c.devices_per_node > 0 && c.devices_per_node != per_node)
    throw std::invalid_argument(fmt::format("{} device ids for {} devices per server", per_node, c.devices_per_node));
  if (per_node > available)
    throw std::invalid_argument(fmt::format("{} has {} device(s), not {}", c.instance, available, per_node));
  if ((per_node > 1 || c.nodes > 1) && !(t && t->accelerators))
    throw std::invalid_argument("several devices need an accelerator instance, not \"" + c.instance + "\"");

  Device* device = &this->device(c.instance);
  if (!device->supports(c.precision))
    throw std::invalid_argument(fmt::format("{} cannot run {}", device->name(), precision_name(c.precision)));
  const Graph g = device->lower(
      build_model(c.model, {c.batch_per_device, c.precision, Mode::training, c.seq_len, true}), c.software);

  TrainingResult r;
  r.device = device->name();
  r.devices_per_node = per_node;
  r.devices = per_node * c.nodes;
  r.kernels = static_cast<int>(g.kernels.size());
  r.memory = footprint(g);
  r.memory_available = device->memory_bytes();
  r.fits = r.memory.total() <= r.memory_available;
  if (!r.fits) return r;

  const std::vector<double> ends = device->graph_timeline(g);
  // A device may finish kernels out of graph order (Gaudi's weight gradients run beside the chain).
  double backward_end = 0;
  for (std::size_t i = 0; i < g.kernels.size(); ++i)
    if (g.kernels[i].pass != Pass::update) backward_end = std::max(backward_end, ends[i]);
  r.compute_s = *std::max_element(ends.begin(), ends.end());
  const double optimizer = r.compute_s - backward_end;

  // Bucketed all-reduces, one at a time, each as soon as its bucket is full (and its cycle comes).
  double comm_end = 0;
  if (r.devices > 1) {
    ServerCollective all_reduce(catalog, *t, per_node, c.nodes, ServerCollectiveOp::all_reduce, c.device_ids);
    for (const Bucket& b : fill_buckets(g, ends, c.buckets)) {
      double start = std::max(b.ready_s, comm_end);
      if (c.buckets.cycle_s > 0) start = std::ceil(start / c.buckets.cycle_s) * c.buckets.cycle_s;
      const double seconds = all_reduce.seconds(b.bytes);
      r.communication_s += seconds;
      r.gradient_bytes += b.bytes;
      comm_end = start + seconds;
    }
  }
  r.step_s = std::max(backward_end, comm_end) + optimizer;
  r.exposed_communication_s = r.step_s - r.compute_s;

  // What `devices` devices of one server deliver when the data loaders (one worker process per
  // hardware thread at most) keep up or not.
  auto node_throughput = [&](int devices, double step_s, double* limit) {
    const double rate = devices * c.batch_per_device / step_s;
    if (c.loader_workers_per_device == 0) return rate;
    const int workers = std::min(c.loader_workers_per_device * devices, t ? t->vcpus : c.loader_workers_per_device * devices);
    *limit = workers * loader_samples_per_s_per_worker(catalog.devices());
    return std::min(rate, *limit);
  };
  r.throughput_per_s = c.nodes * node_throughput(per_node, r.step_s, &r.input_limit_per_s);
  r.input_bound = c.loader_workers_per_device > 0 && r.input_limit_per_s < per_node * c.batch_per_device / r.step_s;
  // One device alone: the same graph with nothing to exchange.
  double single_limit = 0;
  r.single_device_throughput_per_s = node_throughput(1, r.compute_s, &single_limit);
  r.scaling_efficiency = r.throughput_per_s / (r.devices * r.single_device_throughput_per_s);
  return r;
}

}  // namespace xpusim

#pragma once
// A data-parallel training step on one or more devices of one or more servers.
//
// Each device runs the whole training graph on its own batch (as its device model times it).
// Gradients become ready as backward produces them, layer by layer; the framework gathers them
// into buckets (PyTorch DDP: 25 MiB, launched as soon as full; Horovod: a fusion buffer sent once
// per cycle) and all-reduces one bucket at a time over the server's fabric and, between servers,
// their network, overlapped with the rest of backward. The optimizer runs when backward and the
// last all-reduce are done. Where the samples are decoded on the host by data-loader workers
// (the PyTorch DataLoader), a server cannot train faster than its workers deliver.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/catalog/catalog.hpp"
#include "models/memory/footprint.hpp"
#include "workloads/dtype.hpp"

namespace xpusim {

// How gradients are batched for the all-reduce.
struct GradientBuckets {
  std::string name = "ddp";
  double bytes = 25.0 * 1024 * 1024;
  double cycle_s = 0;  // > 0: buckets leave only at multiples of this (Horovod's cycle time)
  static GradientBuckets ddp();
  static GradientBuckets horovod();
  // The policy of that name ("ddp" or "horovod"), or none.
  static std::optional<GradientBuckets> named(const std::string& name);
};

struct TrainingConfig {
  std::string model;
  std::string instance;
  Precision precision = Precision::bf16;
  int64_t batch_per_device = 1;
  int64_t seq_len = 0;
  int nodes = 1;
  int devices_per_node = 0;  // 0: every accelerator of the instance
  // Which of each server's accelerators (as CUDA numbers them; devices_per_node of them); empty:
  // the first ones. On a mesh of NVLinks the all-reduce runs over the links among them.
  std::vector<int> device_ids;
  SoftwareSetup software;
  GradientBuckets buckets;
  int loader_workers_per_device = 0;  // 0: input not modeled (synthetic data, or decoded on the device)
};

struct TrainingResult {
  std::string device;
  int devices_per_node = 1, devices = 1;
  int kernels = 0;
  double compute_s = 0;        // forward, backward and optimizer on one device, alone
  double communication_s = 0;  // every gradient all-reduce, back to back
  double exposed_communication_s = 0;  // what of it the step waits for
  double step_s = 0;
  double input_limit_per_s = 0;  // samples/s the data loaders of one server deliver (0: not modeled)
  bool input_bound = false;
  double throughput_per_s = 0;   // samples/s of the whole job
  double single_device_throughput_per_s = 0;
  double scaling_efficiency = 1; // throughput / (devices x single-device throughput)
  double gradient_bytes = 0;
  Footprint memory;
  int64_t memory_available = 0;
  bool fits = true;
};

// Simulates training configurations on one catalog, remembering each answer and each device it
// built (so a configuration asked again is a lookup, and another batch on the same device reuses
// the device's memoized kernel costs). Throws std::invalid_argument for a configuration that
// cannot be built (unknown names, a precision the device cannot run, more devices than the
// instance has).
class TrainingSimulator {
 public:
  explicit TrainingSimulator(const Catalog& catalog);
  const TrainingResult& simulate(const TrainingConfig& config);

 private:
  TrainingResult run(const TrainingConfig& config);
  Device& device(const std::string& target);

  const Catalog& catalog_;
  std::map<std::string, std::unique_ptr<Device>> devices_;
  std::map<std::string, TrainingResult> memo_;
};

// The gradients a training kernel hands to the all-reduce (FP32, 4 bytes per weight; 0 for a
// kernel that produces none).
double gradient_bytes(const Kernel& kernel);

// One all-reduce's worth of gradients: those of the kernels from `first_kernel` to `last_kernel`
// (graph order) that produce any. Backward fills buckets in graph order; a bucket closes once it
// holds `policy.bytes`, the last one with whatever is left.
struct GradientBucket {
  int first_kernel = 0, last_kernel = 0;
  double bytes = 0;
};
std::vector<GradientBucket> gradient_buckets(const Graph& g, const GradientBuckets& policy);

// One configuration, cold.
TrainingResult simulate_training(const Catalog& catalog, const TrainingConfig& config);

// The data-loader rate of one worker (a fitted parameter, samples/s).
double loader_samples_per_s_per_worker(const DeviceCatalog& devices);

}  // namespace xpusim

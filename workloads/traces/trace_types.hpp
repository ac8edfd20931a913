#pragma once
// What the trace readers produce: machines and resource requests in one vocabulary, whatever the
// source. Units: CPU in milli-cores, memory in MiB, GPU share in milli-GPU (1000 = one whole GPU).
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/traces/csv_reader.hpp"

namespace xpusim {

// Sizes no real trace comes near (the largest public ones: ~6,700 GPUs, ~1.2 M task instances);
// beyond them an input is a mistake, and would exhaust memory before anything could be reported.
inline constexpr int64_t kMaxNodes = 1'000'000;
inline constexpr int64_t kMaxPods = 20'000'000;

struct NodeSpec {
  std::string name;
  int64_t cpu_milli = 0;
  int64_t memory_mib = 0;
  int gpu_count = 0;
  std::string gpu_model;  // label such as "V100M16"; empty for unlabeled clusters
  std::string network;    // where it attaches to the network (switch); empty when the trace does not say
};

// One pod (or job, or task instance): what it asks for and, when the trace records it, when it was
// submitted and how long it ran.
struct PodSpec {
  std::string name;
  int64_t cpu_milli = 0;
  int64_t memory_mib = 0;
  int num_gpu = 0;
  int gpu_milli = 0;     // per GPU; < 1000 only when num_gpu == 1 (a shared GPU)
  std::string gpu_spec;  // allowed GPU models, '|'-separated; empty = any
  double submit_s = 0;
  double duration_s = -1;  // < 0: the trace has no duration
  std::string workload;    // model name when the trace gives one (Tiresias), else empty

  int64_t gpu_request_milli() const { return int64_t{num_gpu} * gpu_milli; }
  bool shares_gpu() const { return num_gpu == 1 && gpu_milli < 1000; }
};

struct NodeList {
  std::string source;  // path it was read from
  std::vector<NodeSpec> nodes;
  RowProblems problems;
};

struct PodList {
  std::string source;
  std::vector<PodSpec> pods;
  RowProblems problems;
};

}  // namespace xpusim

#pragma once
// Synthetic traces for scale tests and what-if load studies: job shapes and durations are drawn
// (with replacement) from a real trace, arrivals are Poisson at the rate that offers `load` x the
// cluster's GPU capacity on average.
#include <cstdint>

#include "workloads/traces/trace_types.hpp"

namespace xpusim {

struct SyntheticTraceConfig {
  std::size_t jobs = 100000;
  double load = 0.8;  // offered GPU-time / (GPU capacity x time)
  int64_t seed = 1;
  bool keep_gpu_spec = false;
  // Durations longer than this are cut to it (0: keep). The openb trace holds pods that ran for
  // months; with them a synthetic trace of days never reaches its steady-state load.
  double max_duration_s = 0;  // GPU-model constraints of the template usually name other clusters' models
};

// `gpu_capacity_milli` of the target cluster sets the arrival rate. Template pods need durations.
PodList synthesize_trace(const PodList& templ, int64_t gpu_capacity_milli, const SyntheticTraceConfig& config);

// Writes pods in the openb pod-list layout (readable by read_openb_pods), times rounded to seconds.
std::string to_openb_csv(const std::vector<PodSpec>& pods);

}  // namespace xpusim

#pragma once
// The FGD paper's allocation experiment (../shared/reference/fgd-protocol.md): pods arrive one at a
// time in a seeded order, inflated (or thinned) to `inflate` x the cluster's GPU capacity, never
// depart, and a pod that does not fit is dropped. After every attempt the allocated GPU share and the
// fragmentation are recorded against the cumulative GPU request that has arrived.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workloads/traces/trace_types.hpp"

namespace xpusim::sched {

struct ReplayOptions {
  std::string policy = "fgd";
  int64_t seed = 42;
  double inflate = 1.3;
  // Draws the reference makes between tuning and the node-rank permutation (client-go informers);
  // their number is not recoverable from its code. They shift only tie-breaks.
  int hidden_draws = 10;
};

// The state after one pod attempt, in milli-GPU.
struct ReplayEvent {
  int64_t arrived_milli = 0;  // GPU request of every pod attempted so far, placed or not
  int64_t used_milli = 0;     // GPU share allocated
  double frag_milli = 0;      // fragmented GPU share (FGD's definition, summed over nodes)
  int64_t idle_milli = 0;     // free GPU share
};

struct ReplayRun {
  std::string policy;
  int64_t seed = 0;
  int total_gpus = 0;
  std::size_t pods = 0, placed = 0, failed = 0;
  int64_t requested_milli = 0;  // after inflation
  std::vector<ReplayEvent> events;
};

ReplayRun replay_fgd_protocol(const std::vector<NodeSpec>& nodes, const std::vector<PodSpec>& pods,
                              const ReplayOptions& options);

// The reference's per-run summary: for each k = 0..max_percent, the mean of a per-event value over
// the events whose arrived request rounds to k% of capacity (widened to k +- 1 when there are none).
struct ReplayCurves {
  std::vector<std::optional<double>> allocation_pct;      // GPU share allocated, % of capacity
  std::vector<std::optional<double>> fragmentation_pct;   // fragmented GPU share, % of capacity
  std::vector<std::optional<double>> fragmentation_ratio; // fragmented / idle, %
};
ReplayCurves replay_curves(const ReplayRun& run, int max_percent = 130);

// Python's round(x, digits) on a double (round-half-even on the exact binary value).
double python_round(double x, int digits);
// Python's repr of a float: shortest round-trip digits, always with a decimal point ("2.0").
std::string python_float(double x);

}  // namespace xpusim::sched

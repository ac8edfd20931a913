#pragma once
// Discrete-event simulation of a cluster over time: jobs (pods) arrive at their submit times, wait
// in a queue ordered by the queue policy, are placed by the placement policy, run for their
// duration and leave, freeing what they held. Preemptive queue policies may stop running jobs,
// which resume later where they left off. Every job ends accounted for: completed or unschedulable
// (it fits no node even on an empty cluster).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/gpu_economics.hpp"
#include "scheduler/queue_policy.hpp"
#include "sim/engine/stats.hpp"
#include "workloads/traces/trace_types.hpp"

namespace xpusim::sched {

// Co-located jobs on one GPU slow each other down. With no pair factor given, each GPU model's
// measured factor from the GPU table is used (an error for a model without one).
struct Interference {
  std::optional<double> pair_factor;  // throughput a job keeps beside one other, (0, 1]
};

struct JobSimConfig {
  std::string placement = "best-fit";
  std::string queue = "fifo";
  QueuePolicyOptions queue_options;
  int64_t seed = 42;  // node tie-break ranks and the Random policy's draws
  // A waiting job that fits may start before an earlier one that does not (Kubernetes-like). Off:
  // strict order, the first job that does not fit blocks the queue.
  bool backfill = true;
  // Recorded durations are taken as measured on a GPU of relative throughput 1.0 (a V100) and run
  // 1/throughput as long on other models. Needs a throughput for every GPU model.
  bool speed_scaling = false;
  double sample_interval_s = 0;  // time series resolution; 0: the trace's span / 200
  const GpuEconomics* economics = nullptr;  // prices; null: no cost figures
  std::optional<Interference> interference;  // off when empty
  // Durations the queue policy sees (SJF, SRTF) are the real ones times exp(N(0, sigma)): a
  // predictor with that log-normal error. 0: perfect knowledge (an oracle policy).
  double prediction_error = 0;
};

struct JobOutcome {
  std::string name;
  double submit_s = 0, start_s = -1, finish_s = -1;  // start: first start; -1 never
  int preemptions = 0;
  bool unschedulable = false;
  std::vector<std::string> nodes;  // where it last ran, one per worker
};

struct ClusterSample {
  double time_s = 0;
  double gpu_alloc_pct = 0, cpu_alloc_pct = 0;
  double frag_pct = 0;        // fragmented GPU share, % of GPU capacity (FGD's measure)
  double frag_ratio_pct = 0;  // fragmented / idle GPU share, %
  std::size_t running = 0, waiting = 0;
};

struct JobSimResult {
  std::string placement, queue;
  int64_t seed = 0;
  std::size_t jobs = 0, completed = 0, unschedulable = 0, preemptions = 0;
  double makespan_s = 0;  // from the first submit to the last completion
  Histogram jct_s, queueing_s;
  double gpu_alloc_pct_avg = 0, cpu_alloc_pct_avg = 0, frag_pct_avg = 0, frag_ratio_pct_avg = 0;
  double gpu_hours_allocated = 0;
  std::optional<double> fleet_cost_usd;      // every GPU node, first submit to last completion
  std::optional<double> allocated_cost_usd;  // GPU-hours actually held, at their model's price
  std::vector<std::string> unpriced_models;
  std::vector<ClusterSample> series;
  std::vector<JobOutcome> outcomes;  // in trace order
};

JobSimResult simulate_jobs(const std::vector<NodeSpec>& nodes, const std::vector<PodSpec>& pods,
                           const JobSimConfig& config);

}  // namespace xpusim::sched

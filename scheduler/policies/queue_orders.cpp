// The queue orders: FIFO, shortest job first (non-preemptive), shortest remaining time first
// (preemptive), and Tiresias-style discretized least-attained-service (preemptive). SJF and SRTF
// use the job's duration as the simulator knows it (recorded in the trace, or predicted by a
// device model): they are oracle policies when durations are recorded.
#include <algorithm>
#include <limits>

#include "scheduler/queue_policy.hpp"

namespace xpusim::sched {

namespace {

class Fifo : public QueuePolicy {
 public:
  explicit Fifo(const QueuePolicyOptions&) {}
  double key(const JobView& j) const override { return j.submit_s; }
};

class ShortestJobFirst : public QueuePolicy {
 public:
  explicit ShortestJobFirst(const QueuePolicyOptions&) {}
  double key(const JobView& j) const override { return j.duration_s; }
};

class ShortestRemainingTimeFirst : public QueuePolicy {
 public:
  explicit ShortestRemainingTimeFirst(const QueuePolicyOptions&) {}
  double key(const JobView& j) const override { return j.remaining_s; }
  bool preemptive() const override { return true; }
  double key_drift(const JobView& j) const override { return j.running ? -j.rate : 0.0; }
};

// Jobs sit in queue q while their attained GPU-seconds are below threshold q; lower queues first,
// FIFO inside a queue. A job crossing a threshold is demoted and may be preempted.
class LeastAttainedService : public QueuePolicy {
 public:
  explicit LeastAttainedService(const QueuePolicyOptions& o) : thresholds_(o.las_thresholds_gpu_s) {
    std::sort(thresholds_.begin(), thresholds_.end());
  }
  double key(const JobView& j) const override {
    // The submit time stays below 1e12 s, so the level dominates the key.
    return static_cast<double>(level(j)) * 1e12 + j.submit_s;
  }
  bool preemptive() const override { return true; }
  double time_to_key_change(const JobView& j) const override {
    const std::size_t l = level(j);
    if (l >= thresholds_.size() || j.gpus <= 0) return std::numeric_limits<double>::infinity();
    return (thresholds_[l] - j.attained_gpu_s) / j.gpus;
  }

 private:
  std::size_t level(const JobView& j) const {
    return static_cast<std::size_t>(std::upper_bound(thresholds_.begin(), thresholds_.end(), j.attained_gpu_s) -
                                    thresholds_.begin());
  }
  std::vector<double> thresholds_;
};

}  // namespace

REGISTER_QUEUE_POLICY("fifo", Fifo);
REGISTER_QUEUE_POLICY("sjf", ShortestJobFirst);
REGISTER_QUEUE_POLICY("srtf", ShortestRemainingTimeFirst);
REGISTER_QUEUE_POLICY("las", LeastAttainedService);

}  // namespace xpusim::sched

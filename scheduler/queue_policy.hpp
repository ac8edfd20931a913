#pragma once
// Queue policies decide which waiting job the scheduler serves first; placement policies decide
// where it goes. A queue policy gives each job a priority key (smaller = served first) and says
// whether a waiting job may preempt running jobs with a larger key. Registered by name.
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/registry.hpp"

namespace xpusim::sched {

// What a queue policy may know about a job.
struct JobView {
  double submit_s = 0;
  double duration_s = 0;         // total service it needs at full speed (recorded or predicted)
  double remaining_s = 0;        // what is left of it
  double attained_gpu_s = 0;     // GPU-seconds of service received so far (LAS)
  double gpus = 0;               // GPUs held while running (0.5 for half a GPU)
  double rate = 1;               // work done per second while running (GPU speed)
  bool running = false;
};

struct QueuePolicyOptions {
  // LAS queue thresholds in GPU-seconds of attained service (Tiresias' discretized 2D-LAS).
  std::vector<double> las_thresholds_gpu_s = {3600.0, 36000.0};
};

class QueuePolicy {
 public:
  virtual ~QueuePolicy() = default;
  virtual double key(const JobView& job) const = 0;
  virtual bool preemptive() const { return false; }
  // How fast a running job's key changes between events (SRTF: its remaining time shrinks).
  virtual double key_drift(const JobView&) const { return 0; }
  // Seconds of running (at num_gpu GPUs) after which the job's key changes, or +inf. The simulator
  // schedules a re-evaluation then (LAS demotion).
  virtual double time_to_key_change(const JobView&) const { return std::numeric_limits<double>::infinity(); }
};

using QueuePolicyFactory = std::function<std::unique_ptr<QueuePolicy>(const QueuePolicyOptions&)>;
using QueuePolicies = Registry<QueuePolicyFactory>;

std::unique_ptr<QueuePolicy> make_queue_policy(const std::string& name, const QueuePolicyOptions& options = {});

}  // namespace xpusim::sched

#define REGISTER_QUEUE_POLICY(name, Class)                                                              \
  static const bool XPUSIM_QUEUE_CONCAT(registered_queue_policy_, __LINE__) = [] {                      \
    ::xpusim::sched::QueuePolicies::instance().add(                                                      \
        name, [](const ::xpusim::sched::QueuePolicyOptions& o) { return std::make_unique<Class>(o); }); \
    return true;                                                                                         \
  }()
#define XPUSIM_QUEUE_CONCAT_INNER(a, b) a##b
#define XPUSIM_QUEUE_CONCAT(a, b) XPUSIM_QUEUE_CONCAT_INNER(a, b)

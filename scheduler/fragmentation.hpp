#pragma once
// GPU fragmentation as defined by FGD (Weng et al., USENIX ATC'23): the free GPU capacity of a node
// that a pod drawn from the target workload could not use, weighted by how common that pod is.
// See ../shared/reference/fgd-protocol.md section 4 for the exact definition reproduced here.
#include <cstdint>
#include <string>
#include <vector>

#include "scheduler/cluster.hpp"

namespace xpusim::sched {

struct WorkloadClass {
  int64_t cpu_milli = 0;
  int num_gpu = 0;
  int gpu_milli = 0;
  std::string gpu_spec;
  uint64_t model_mask = ~0;
  int64_t count = 0;
  double weight = 0;  // popularity p_t among the kept classes
};

class TargetWorkload {
 public:
  // Classes by (cpu, per-GPU milli, GPU count, GPU spec), most common first (ties: larger key
  // first); keeps the shortest prefix that covers `coverage` of all pods.
  static TargetWorkload from_pods(const std::vector<PodSpec>& pods, const Cluster& cluster, double coverage = 0.95);

  const std::vector<WorkloadClass>& classes() const { return classes_; }

  // Expected fragmented milli-GPU of a node in the given state (model, free CPU, free GPU shares).
  double fragment(int model, int64_t cpu_free, const int* gpu_free, int gpus) const;
  double fragment(const Node& n) const { return fragment(n.model, n.cpu_free, n.gpu_free.data(), n.gpu_count()); }

 private:
  std::vector<WorkloadClass> classes_;
};

}  // namespace xpusim::sched

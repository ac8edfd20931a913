#pragma once
// Cluster state for the scheduler: nodes with CPU (milli-cores), memory (MiB) and GPUs whose
// capacity is split in milli-GPU, so a pod can hold a fraction of one GPU (GPU sharing) or whole
// GPUs. Every allocation and release is checked against capacity; a violation is a simulator bug
// and throws, in every run, not only in tests.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/traces/trace_types.hpp"

namespace xpusim::sched {

constexpr int kMilliPerGpu = 1000;

// A pod's request, resolved against the cluster's GPU models.
struct Request {
  int64_t cpu_milli = 0;
  int64_t memory_mib = 0;
  int num_gpu = 0;
  int gpu_milli = 0;         // per GPU
  uint64_t model_mask = ~0;  // bit i set: GPU model i is acceptable
  int64_t total_gpu_milli() const { return int64_t{num_gpu} * gpu_milli; }
  bool shares_gpu() const { return num_gpu == 1 && gpu_milli < kMilliPerGpu; }
  bool cpu_only() const { return num_gpu == 0; }
  // The "affinity tag" used by GpuClustering: 0 for a shared GPU, k for k whole GPUs, -1 CPU-only.
  int tag() const { return cpu_only() ? -1 : (shares_gpu() ? 0 : num_gpu); }
};

struct Node {
  std::string name;
  int model = -1;  // index into Cluster::models(); -1 when the node has no GPUs
  std::string network;  // attachment point (switch); nodes that share it are close
  int64_t cpu_capacity = 0, cpu_free = 0;
  int64_t memory_capacity = 0, memory_free = 0;
  std::vector<int> gpu_free;  // milli-GPU free on each GPU
  // Affinity tags of resident GPU pods, (tag, count), for GpuClustering.
  std::vector<std::pair<int, int>> tags;
  int64_t free_gpu_milli() const;
  int gpu_count() const { return static_cast<int>(gpu_free.size()); }
  int fully_free_gpus() const;
};

// Where a pod went: the node and, for each GPU it holds, the GPU index (m milli each).
struct Placement {
  int node = -1;
  std::vector<int> gpus;
};

class Cluster {
 public:
  explicit Cluster(const std::vector<NodeSpec>& nodes);

  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(int i) const { return nodes_[static_cast<std::size_t>(i)]; }
  const std::vector<std::string>& models() const { return models_; }
  int64_t gpu_capacity_milli() const { return gpu_capacity_; }
  int64_t gpu_used_milli() const { return gpu_used_; }
  int64_t cpu_capacity_milli() const { return cpu_capacity_; }
  int64_t cpu_used_milli() const { return cpu_used_; }
  int total_gpus() const { return static_cast<int>(gpu_capacity_ / kMilliPerGpu); }

  // Resolves a pod's GPU-model constraint ("V100M16|V100M32", empty = any) to a model mask.
  // Models the cluster does not have simply match no node.
  Request request_for(const PodSpec& pod) const;

  // Filter: does the request fit on node i now (CPU, memory, GPU model and GPU shares)?
  bool fits(int node, const Request& r) const { return fits(nodes_[static_cast<std::size_t>(node)], r); }
  // The same test on a node state that need not be in the cluster (what-if checks).
  static bool fits(const Node& n, const Request& r);
  static bool model_accepts(const Node& n, const Request& r) {
    return r.cpu_only() || (n.model >= 0 && (r.model_mask >> n.model & 1));
  }

  // A quick necessary condition for fits() on some node, from per-model counts of free GPUs; it
  // ignores CPU and memory. Lets a queue skip a pod that cannot fit without scanning every node.
  bool may_fit(const Request& r) const;

  void allocate(const Placement& p, const Request& r);
  void release(const Placement& p, const Request& r);

  // Recomputes every total from the nodes and checks all bounds; throws std::logic_error on any
  // inconsistency. Cheap enough to run at the end of every simulation.
  void audit() const;

 private:
  void index_node(const Node& n, int sign);

  std::vector<Node> nodes_;
  std::vector<std::string> models_;
  // Per GPU model: nodes by number of whole free GPUs, and GPUs by free milli-GPU.
  std::vector<std::vector<int>> nodes_by_free_gpus_;
  std::vector<std::vector<int>> gpus_by_free_milli_;
  int64_t gpu_capacity_ = 0, gpu_used_ = 0, cpu_capacity_ = 0, cpu_used_ = 0;
};

}  // namespace xpusim::sched

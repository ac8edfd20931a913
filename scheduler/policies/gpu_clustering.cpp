// GpuClustering: keep pods with the same GPU shape (shared GPU, or k whole GPUs) together, and
// prefer busier nodes.
#include <algorithm>

#include "scheduler/placement_policy.hpp"

namespace xpusim::sched {

namespace {

class GpuClusteringPolicy : public PlacementPolicy {
 public:
  using PlacementPolicy::PlacementPolicy;

 protected:
  int score(const Cluster& cluster, int node, const Request& r) override {
    if (r.cpu_only()) return 0;
    const Node& n = cluster.node(node);
    const int b = static_cast<int>(25 * (8000 - n.free_gpu_milli()) / 8000);  // 8000 even on smaller nodes
    if (n.tags.empty()) return 25 + b;
    const bool has_own = std::any_of(n.tags.begin(), n.tags.end(), [&](auto& t) { return t.first == r.tag(); });
    if (!has_own) return b;
    return (n.tags.size() == 1 ? 75 : 50) + b;
  }
};

}  // namespace

REGISTER_PLACEMENT_POLICY("gpu-clustering", GpuClusteringPolicy);

}  // namespace xpusim::sched

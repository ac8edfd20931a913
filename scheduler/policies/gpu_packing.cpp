// GpuPacking: fill partly used GPUs first, then partly used nodes, and open an idle node last
// (the smaller the idle node the better).
#include <algorithm>
#include <numeric>

#include "scheduler/placement_policy.hpp"

namespace xpusim::sched {

namespace {

class GpuPackingPolicy : public PlacementPolicy {
 public:
  using PlacementPolicy::PlacementPolicy;

 protected:
  int score(const Cluster& cluster, int node, const Request& r) override {
    if (r.cpu_only()) return 0;
    const Node& n = cluster.node(node);
    if (n.fully_free_gpus() == n.gpu_count()) return 33 - n.gpu_count();
    order_.resize(static_cast<std::size_t>(n.gpu_count()));
    std::iota(order_.begin(), order_.end(), 0);
    std::stable_sort(order_.begin(), order_.end(), [&](int a, int b) {
      return n.gpu_free[static_cast<std::size_t>(a)] < n.gpu_free[static_cast<std::size_t>(b)];
    });
    int taken = 0, fully_free_used = 0, used_tenths = 0;
    for (int j : order_) {
      const int f = n.gpu_free[static_cast<std::size_t>(j)];
      if (f < r.gpu_milli) continue;
      fully_free_used += f == kMilliPerGpu;
      used_tenths += f * 100 / kMilliPerGpu;
      if (++taken == r.num_gpu) break;
    }
    if (fully_free_used > 0) return std::max(50 - fully_free_used, 33);
    return std::max(100 - used_tenths / 10, 50);
  }

 private:
  std::vector<int> order_;
};

}  // namespace

REGISTER_PLACEMENT_POLICY("gpu-packing", GpuPackingPolicy);

}  // namespace xpusim::sched

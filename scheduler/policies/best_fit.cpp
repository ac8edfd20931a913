// BestFit: the node left with the least free CPU and GPU after placing the pod. (The reference's
// min-max normalization of scores keeps the winner and its ties, so it is not repeated here.)
#include "scheduler/placement_policy.hpp"

namespace xpusim::sched {

namespace {

class BestFitPolicy : public PlacementPolicy {
 public:
  using PlacementPolicy::PlacementPolicy;

 protected:
  int score(const Cluster& cluster, int node, const Request& r) override {
    const Node& n = cluster.node(node);
    const double left = 0.5 * static_cast<double>(n.cpu_free - r.cpu_milli) / 128000.0 +
                        0.5 * static_cast<double>(n.free_gpu_milli() - r.total_gpu_milli()) / 8000.0;
    return static_cast<int>(100.0 * (1.0 - left));
  }
};

}  // namespace

REGISTER_PLACEMENT_POLICY("best-fit", BestFitPolicy);

}  // namespace xpusim::sched

// DotProduct: prefer the node whose free (CPU, GPU) vector is least aligned with the request,
// both normalized to a 128-core, 8-GPU node as in the FGD paper's simulator.
#include "scheduler/placement_policy.hpp"

namespace xpusim::sched {

namespace {

class DotProductPolicy : public PlacementPolicy {
 public:
  using PlacementPolicy::PlacementPolicy;

 protected:
  int score(const Cluster& cluster, int node, const Request& r) override {
    const Node& n = cluster.node(node);
    const double dot = static_cast<double>(n.cpu_free) / 128000.0 * static_cast<double>(r.cpu_milli) / 128000.0 +
                       static_cast<double>(n.free_gpu_milli()) / 8000.0 *
                           static_cast<double>(r.total_gpu_milli()) / 8000.0;
    return static_cast<int>(100.0 * (1.0 - dot / 2.0));
  }
};

}  // namespace

REGISTER_PLACEMENT_POLICY("dot-product", DotProductPolicy);

}  // namespace xpusim::sched

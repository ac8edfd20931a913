// Random: one feasible node drawn uniformly (the draw the reference makes at PreScore), and for a
// shared GPU one eligible GPU by reservoir sampling.
#include "scheduler/placement_policy.hpp"
#include "scheduler/replay/go_rand.hpp"

namespace xpusim::sched {

namespace {

class RandomPolicy : public PlacementPolicy {
 public:
  using PlacementPolicy::PlacementPolicy;

 protected:
  void prescore(const Cluster&, const Request&, const std::vector<int>& feasible) override {
    chosen_ = feasible[static_cast<std::size_t>(setup_.rng->intn(static_cast<int64_t>(feasible.size())))];
  }
  int score(const Cluster&, int node, const Request&) override { return node == chosen_ ? 100 : 0; }
  std::vector<int> choose_gpus(const Cluster& cluster, int node, const Request& r) override {
    const Node& n = cluster.node(node);
    if (!r.shares_gpu()) return lowest_free_gpus(n, r);
    int pick = -1;
    int64_t eligible = 0;
    for (int j = 0; j < n.gpu_count(); ++j)
      if (n.gpu_free[static_cast<std::size_t>(j)] >= r.gpu_milli && setup_.rng->intn(++eligible) == 0) pick = j;
    return {pick};
  }

 private:
  int chosen_ = -1;
};

}  // namespace

REGISTER_PLACEMENT_POLICY("random", RandomPolicy);

}  // namespace xpusim::sched

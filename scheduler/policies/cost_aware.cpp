// Cost-aware, heterogeneity-aware placement: put a GPU pod on the GPU model that gives the most
// throughput per dollar (relative throughput / price per GPU-hour), and among those nodes pack
// tightly (BestFit) so whole nodes stay free. CPU-only pods just pack.
#include <algorithm>
#include <fmt/format.h>

#include "scheduler/gpu_economics.hpp"
#include "scheduler/placement_policy.hpp"
#include "sim/engine/input_error.hpp"

namespace xpusim::sched {

namespace {

class CostAwarePolicy : public PlacementPolicy {
 public:
  explicit CostAwarePolicy(const PolicySetup& setup) : PlacementPolicy(setup) {
    if (!setup.economics) throw std::invalid_argument("the cost-aware policy needs GPU prices");
  }

 protected:
  void prescore(const Cluster& cluster, const Request&, const std::vector<int>& feasible) override {
    if (value_.empty()) value_ = value_per_model(cluster);
    best_value_ = 0;
    for (int i : feasible) {
      const int m = cluster.node(i).model;
      if (m >= 0) best_value_ = std::max(best_value_, value_[static_cast<std::size_t>(m)]);
    }
  }

  int score(const Cluster& cluster, int node, const Request& r) override {
    const Node& n = cluster.node(node);
    const double left = 0.5 * static_cast<double>(n.cpu_free - r.cpu_milli) / static_cast<double>(n.cpu_capacity) +
                        0.5 * (n.gpu_count() ? static_cast<double>(n.free_gpu_milli() - r.total_gpu_milli()) /
                                                   (1000.0 * n.gpu_count())
                                             : 0.0);
    const int packing = static_cast<int>(10.0 * (1.0 - left));  // 0..10
    if (r.cpu_only()) return n.gpu_count() == 0 ? 90 + packing : packing;  // keep GPU nodes for GPU pods
    const double value = value_[static_cast<std::size_t>(n.model)] / best_value_;
    return static_cast<int>(90.0 * value) + packing;
  }

 private:
  // Throughput per dollar of each GPU model in the cluster; every model needs both figures.
  std::vector<double> value_per_model(const Cluster& cluster) const {
    const GpuEconomics& e = *setup_.economics;
    std::vector<std::string> missing;
    for (const auto& m : cluster.models())
      if (!e.price(m) || !e.throughput(m)) missing.push_back(m);
    if (!missing.empty())
      throw InputError("--gpu-prices", "",
                       fmt::format("the cost-aware policy needs a price and a relative throughput for GPU "
                                   "model(s) {}; give them in a --gpu-prices file",
                                   fmt::join(missing, ", ")));
    std::vector<double> v;
    for (const auto& m : cluster.models()) v.push_back(*e.throughput(m) / *e.price(m));
    return v;
  }

  std::vector<double> value_;
  double best_value_ = 1;
};

}  // namespace

REGISTER_PLACEMENT_POLICY("cost-aware", CostAwarePolicy);

}  // namespace xpusim::sched

#include "scheduler/placement_policy.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "sim/engine/input_error.hpp"

namespace xpusim::sched {

Placement PlacementPolicy::place(const Cluster& cluster, const Request& r, const std::vector<char>* allowed) {
  feasible_.clear();
  const int n = static_cast<int>(cluster.nodes().size());
  for (int i = 0; i < n; ++i)
    if ((!allowed || (*allowed)[static_cast<std::size_t>(i)]) && cluster.fits(i, r)) feasible_.push_back(i);
  if (feasible_.empty()) return {};
  int best = feasible_.front();
  if (feasible_.size() > 1) {
    prescore(cluster, r, feasible_);
    int best_score = -1;
    for (int i : feasible_) {
      const int s = score(cluster, i, r);
      const bool better = s > best_score ||
                          (s == best_score && setup_.rank && (*setup_.rank)[static_cast<std::size_t>(i)] <
                                                                 (*setup_.rank)[static_cast<std::size_t>(best)]);
      if (better) best_score = s, best = i;
    }
  }
  return {best, r.cpu_only() ? std::vector<int>{} : choose_gpus(cluster, best, r)};
}

std::vector<int> PlacementPolicy::choose_gpus(const Cluster& cluster, int node, const Request& r) {
  return best_fit_gpus(cluster.node(node), r);
}

std::vector<int> lowest_free_gpus(const Node& n, const Request& r) {
  std::vector<int> out;
  for (int j = 0; j < n.gpu_count() && static_cast<int>(out.size()) < r.num_gpu; ++j)
    if (n.gpu_free[static_cast<std::size_t>(j)] >= r.gpu_milli) out.push_back(j);
  return out;
}

std::vector<int> best_fit_gpus(const Node& n, const Request& r) {
  if (!r.shares_gpu()) return lowest_free_gpus(n, r);
  int best = -1;
  for (int j = 0; j < n.gpu_count(); ++j) {
    const int f = n.gpu_free[static_cast<std::size_t>(j)];
    if (f >= r.gpu_milli && (best < 0 || f < n.gpu_free[static_cast<std::size_t>(best)])) best = j;
  }
  return {best};
}

std::unique_ptr<PlacementPolicy> make_placement_policy(const std::string& name, const PolicySetup& setup) {
  return PlacementPolicies::instance().get(name, "--policy", "placement policy")(setup);
}

std::string reference_label(const std::string& policy) {
  static const std::pair<const char*, const char*> labels[] = {
      {"random", "01-Random"},      {"dot-product", "02-DotProd"}, {"gpu-clustering", "03-GpuClustering"},
      {"gpu-packing", "04-GpuPacking"}, {"best-fit", "05-BestFit"},  {"fgd", "06-FGD"}};
  for (const auto& [name, label] : labels)
    if (policy == name) return label;
  return policy;
}

}  // namespace xpusim::sched

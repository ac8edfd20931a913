// FGD, fragmentation gradient descent (Weng et al., "Beware of Fragmentation", USENIX ATC'23):
// place the pod where it increases the node's expected fragmentation (against the target workload)
// the least. score = int(100 * sigmoid((F_before - F_after) / 1000)).
//
// A node's score depends only on its GPU model, free CPU and the multiset of its GPUs' free shares,
// so scores are memoized by that state: at any moment most nodes share a few states (idle, full,
// one GPU half used...), which makes a replay over thousands of nodes fast.
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "scheduler/fragmentation.hpp"
#include "scheduler/placement_policy.hpp"

namespace xpusim::sched {

namespace {

struct StateKey {
  std::array<uint64_t, 5> w{};
  bool operator==(const StateKey&) const = default;
};

struct StateKeyHash {
  std::size_t operator()(const StateKey& k) const {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (uint64_t w : k.w) {
      h ^= w + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
      h *= 0xbf58476d1ce4e5b9ULL;
      h ^= h >> 31;
    }
    return static_cast<std::size_t>(h);
  }
};

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

class FgdPolicy : public PlacementPolicy {
 public:
  explicit FgdPolicy(const PolicySetup& setup) : PlacementPolicy(setup) {
    if (!setup.workload) throw std::invalid_argument("the fgd policy needs a target workload");
  }

 protected:
  int score(const Cluster& cluster, int node, const Request& r) override {
    const Node& n = cluster.node(node);
    if (n.gpu_count() > 8) return evaluate(n, r).first;  // too many GPUs to key; rare
    StateKey key = state_key(n, r);
    auto it = memo_.find(key);
    if (it != memo_.end()) return it->second;
    if (memo_.size() > (1u << 22)) memo_.clear();  // bound memory on very long runs
    const int s = evaluate(n, r).first;
    memo_.emplace(key, s);
    return s;
  }

  std::vector<int> choose_gpus(const Cluster& cluster, int node, const Request& r) override {
    const Node& n = cluster.node(node);
    if (!r.shares_gpu()) return lowest_free_gpus(n, r);
    return {evaluate(n, r).second};
  }

 private:
  // (score, GPU chosen for a shared-GPU pod).
  std::pair<int, int> evaluate(const Node& n, const Request& r) {
    const TargetWorkload& w = *setup_.workload;
    const double before = w.fragment(n);
    after_ = n.gpu_free;
    const int64_t cpu_after = n.cpu_free - r.cpu_milli;
    auto score_of = [&](double after) { return static_cast<int>(100.0 * sigmoid((before - after) / 1000.0)); };
    if (r.shares_gpu()) {
      int best = -1, best_gpu = -1;
      for (int j = 0; j < n.gpu_count(); ++j) {
        const int f = n.gpu_free[static_cast<std::size_t>(j)];
        if (f < r.gpu_milli) continue;
        after_[static_cast<std::size_t>(j)] = f - r.gpu_milli;
        const int s = score_of(w.fragment(n.model, cpu_after, after_.data(), n.gpu_count()));
        after_[static_cast<std::size_t>(j)] = f;
        if (s > best) best = s, best_gpu = j;
      }
      return {best, best_gpu};
    }
    // Whole GPUs (or none): take from the least-free GPUs that fit, as the reference does.
    order_.clear();
    for (int j = 0; j < n.gpu_count(); ++j) order_.push_back(j);
    std::stable_sort(order_.begin(), order_.end(), [&](int a, int b) {
      return n.gpu_free[static_cast<std::size_t>(a)] < n.gpu_free[static_cast<std::size_t>(b)];
    });
    int taken = 0;
    for (int j : order_) {
      if (taken == r.num_gpu) break;
      if (after_[static_cast<std::size_t>(j)] < r.gpu_milli) continue;
      after_[static_cast<std::size_t>(j)] -= r.gpu_milli;
      ++taken;
    }
    return {score_of(w.fragment(n.model, cpu_after, after_.data(), n.gpu_count())), -1};
  }

  static StateKey state_key(const Node& n, const Request& r) {
    std::array<int, 8> g{};
    const int count = std::min(n.gpu_count(), 8);
    for (int j = 0; j < count; ++j) {  // insertion sort: at most 8 values
      int v = n.gpu_free[static_cast<std::size_t>(j)], at = j;
      for (; at > 0 && g[static_cast<std::size_t>(at - 1)] > v; --at) g[static_cast<std::size_t>(at)] = g[static_cast<std::size_t>(at - 1)];
      g[static_cast<std::size_t>(at)] = v;
    }
    StateKey k;
    k.w[0] = static_cast<uint64_t>(n.cpu_free) | static_cast<uint64_t>(n.model + 1) << 48 |
             static_cast<uint64_t>(n.gpu_count()) << 56;
    for (int j = 0; j < 8; ++j) k.w[1 + j / 4] |= static_cast<uint64_t>(g[static_cast<std::size_t>(j)]) << (16 * (j % 4));
    k.w[3] = static_cast<uint64_t>(r.cpu_milli) | static_cast<uint64_t>(r.num_gpu) << 40 |
             static_cast<uint64_t>(r.gpu_milli) << 48;
    k.w[4] = r.model_mask;
    return k;
  }

  std::unordered_map<StateKey, int, StateKeyHash> memo_;
  std::vector<int> after_, order_;
};

}  // namespace

REGISTER_PLACEMENT_POLICY("fgd", FgdPolicy);

}  // namespace xpusim::sched

#include "scheduler/replay/fgd_replay.hpp"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "scheduler/cluster.hpp"
#include "scheduler/fragmentation.hpp"
#include "scheduler/placement_policy.hpp"
#include "scheduler/replay/go_rand.hpp"

namespace xpusim::sched {

namespace {

// Arrival order: shuffle the originals, then inflate by sampling clones (or thin by removing
// random pods) until the GPU request reaches inflate x capacity. Section 2 of the protocol.
std::vector<PodSpec> arrival_order(std::vector<PodSpec> pods, double target_milli, GoRand& rng) {
  std::stable_sort(pods.begin(), pods.end(), [](const PodSpec& a, const PodSpec& b) { return a.name < b.name; });
  const std::vector<PodSpec> originals = pods;
  rng.shuffle(static_cast<int64_t>(pods.size()), [&](int64_t i, int64_t j) {
    std::swap(pods[static_cast<std::size_t>(i)], pods[static_cast<std::size_t>(j)]);
  });
  int64_t requested = 0;
  for (const auto& p : pods) requested += p.gpu_request_milli();
  if (static_cast<double>(requested) < target_milli) {
    for (int64_t i = 0;; ++i) {
      const PodSpec& source = originals[static_cast<std::size_t>(rng.intn(static_cast<int64_t>(originals.size())))];
      // The reference tests the per-GPU share here, not the pod's total (a quirk kept on purpose).
      if (static_cast<double>(requested + source.gpu_milli) > target_milli) break;
      PodSpec clone = source;
      clone.name += "-tuned-" + std::to_string(i);
      requested += clone.gpu_request_milli();
      pods.push_back(std::move(clone));
    }
  } else {
    while (static_cast<double>(requested) > target_milli) {
      const auto idx = static_cast<std::size_t>(rng.intn(static_cast<int64_t>(pods.size())));
      requested -= pods[idx].gpu_request_milli();
      pods.erase(pods.begin() + static_cast<std::ptrdiff_t>(idx));
    }
  }
  return pods;
}

// Per-node tie-break rank: nodes sorted by name get the ranks of a seeded permutation.
std::vector<int> node_ranks(const Cluster& cluster, GoRand& rng) {
  const int n = static_cast<int>(cluster.nodes().size());
  std::vector<int> by_name(static_cast<std::size_t>(n));
  std::iota(by_name.begin(), by_name.end(), 0);
  std::stable_sort(by_name.begin(), by_name.end(),
                   [&](int a, int b) { return cluster.node(a).name < cluster.node(b).name; });
  const std::vector<int> perm = rng.perm(n);
  std::vector<int> rank(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) rank[static_cast<std::size_t>(by_name[static_cast<std::size_t>(i)])] = perm[static_cast<std::size_t>(i)];
  return rank;
}

}  // namespace

ReplayRun replay_fgd_protocol(const std::vector<NodeSpec>& nodes, const std::vector<PodSpec>& pods,
                              const ReplayOptions& options) {
  Cluster cluster(nodes);
  if (cluster.gpu_capacity_milli() == 0) throw std::invalid_argument("the replay needs a cluster with GPUs");
  if (pods.empty()) throw std::invalid_argument("the replay needs pods");
  GoRand rng(options.seed);
  rng.int63();  // the reference draws one value right after seeding (a logged rand.Int())
  const double target = options.inflate * static_cast<double>(cluster.gpu_capacity_milli());
  const std::vector<PodSpec> order = arrival_order(pods, target, rng);
  for (int i = 0; i < options.hidden_draws; ++i) rng.float64();
  const std::vector<int> rank = node_ranks(cluster, rng);
  const TargetWorkload workload = TargetWorkload::from_pods(pods, cluster);
  PolicySetup setup{&rng, &rank, &workload, nullptr};
  auto policy = make_placement_policy(options.policy, setup);

  ReplayRun run;
  run.policy = options.policy;
  run.seed = options.seed;
  run.total_gpus = cluster.total_gpus();
  run.pods = order.size();
  run.events.reserve(order.size());
  std::vector<double> frag(cluster.nodes().size());
  for (std::size_t i = 0; i < frag.size(); ++i) frag[i] = workload.fragment(cluster.node(static_cast<int>(i)));
  int64_t arrived = 0;
  for (const auto& pod : order) {
    const Request r = cluster.request_for(pod);
    arrived += r.total_gpu_milli();
    const Placement p = policy->place(cluster, r);
    if (p.node >= 0) {
      cluster.allocate(p, r);
      frag[static_cast<std::size_t>(p.node)] = workload.fragment(cluster.node(p.node));
      ++run.placed;
    } else {
      ++run.failed;
    }
    ReplayEvent e;
    e.arrived_milli = arrived;
    e.used_milli = cluster.gpu_used_milli();
    e.idle_milli = cluster.gpu_capacity_milli() - e.used_milli;
    e.frag_milli = std::accumulate(frag.begin(), frag.end(), 0.0);
    run.events.push_back(e);
  }
  run.requested_milli = arrived;
  cluster.audit();
  return run;
}

double python_round(double x, int digits) {
  if (digits == 0) return std::nearbyint(x);  // default rounding mode: half to even
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);  // glibc rounds the exact binary value
  return std::strtod(buf, nullptr);
}

std::string python_float(double x) {
  std::string s = fmt::format("{}", x);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

namespace {
// pandas' group mean adds with Kahan compensation; matching it keeps the last rounded digit equal.
struct KahanSum {
  double sum = 0, carry = 0;
  void add(double x) {
    const double y = x - carry, t = sum + y;
    carry = (t - sum) - y;
    sum = t;
  }
  double value() const { return sum; }
};

}  // namespace

ReplayCurves replay_curves(const ReplayRun& run, int max_percent) {
  const double gpus = run.total_gpus;
  struct Sample {
    int arrive;
    double alloc, frag_amount, frag_ratio;
  };
  std::vector<Sample> samples;
  samples.reserve(run.events.size());
  for (const auto& e : run.events) {
    Sample s;
    s.arrive = static_cast<int>(python_round(static_cast<double>(e.arrived_milli) / gpus / 10.0, 0));
    s.alloc = python_round(static_cast<double>(e.used_milli) / gpus / 10.0, 2);
    s.frag_amount = python_round(e.frag_milli, 2);
    s.frag_ratio = e.idle_milli > 0 ? python_round(100.0 * e.frag_milli / static_cast<double>(e.idle_milli), 2) : 0.0;
    samples.push_back(s);
  }
  ReplayCurves c;
  for (int k = 0; k <= max_percent; ++k) {
    KahanSum sum_alloc, sum_frag, sum_ratio;
    std::size_t n = 0;
    for (int widen = 0; widen <= 1 && n == 0; ++widen)
      for (const auto& s : samples)
        if (std::abs(s.arrive - k) <= widen) sum_alloc.add(s.alloc), sum_frag.add(s.frag_amount), sum_ratio.add(s.frag_ratio), ++n;
    if (n == 0) {
      c.allocation_pct.emplace_back();
      c.fragmentation_pct.emplace_back();
      c.fragmentation_ratio.emplace_back();
      continue;
    }
    const double count = static_cast<double>(n);
    c.allocation_pct.push_back(python_round(sum_alloc.value() / count, 2));
    c.fragmentation_pct.push_back(python_round(100.0 * (sum_frag.value() / count) / 1000.0 / gpus, 2));
    c.fragmentation_ratio.push_back(sum_ratio.value() / count);
  }
  return c;
}

}  // namespace xpusim::sched

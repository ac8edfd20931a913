// The flow-level network: closed-form flow completion times, byte conservation over a random
// run, max-min allocations worked by hand, the incremental solver against a solve from scratch
// and against the bottleneck condition that defines max-min fairness, routing and ECMP on the
// generated fabrics, protocol bounds, the topology reader's errors, and the fill's SIMD scan for
// its lowest level against a scalar one.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <set>

#include "models/network/flow_event_queue.hpp"
#include "models/network/flow_network.hpp"
#include "models/network/lowest_level.hpp"
#include "models/network/max_min.hpp"
#include "models/network/topology_generators.hpp"
#include "models/network/topology_json.hpp"
#include "sim/engine/input_error.hpp"

namespace xpusim {
namespace {

constexpr double kGB = 1e9;

// h0 - s - h1 with a third host h2 on the same switch.
Topology small_star(double bytes_per_s, double latency_s) { return star(3, bytes_per_s, latency_s, "h", "s"); }

// The event queue against a plain model of it: a map from flow to (time, order set), drained by
// taking the earliest (ties: the earliest set) after random re-timings of random flows.
TEST(LowestLevel, FindsTheFirstLowestAsAScalarScanDoes) {
  // Every length from 1 to 40 (the SIMD loops' tails and the scalar fallback), values drawn from a
  // few levels so that ties are common (every fifth trial all equal), and now and then the lowest
  // in the last slot: the position must be std::min_element's (the first of equals).
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> level(0, 5), length(1, 40);
  for (int trial = 0; trial < 4000; ++trial) {
    std::vector<double> v(static_cast<std::size_t>(length(rng)));
    for (double& x : v) x = trial % 5 == 0 ? 1.0 : 0.5 * level(rng);
    if (trial % 7 == 0) v.back() = -1;
    const auto expected = static_cast<std::size_t>(std::min_element(v.begin(), v.end()) - v.begin());
    ASSERT_EQ(index_of_lowest(v.data(), v.size()), expected) << "length " << v.size() << ", trial " << trial;
  }
}

TEST(FlowEventQueue, PopsInTimeThenSetOrderAfterRandomRetiming) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> flow(0, 63), tick(0, 20);
  FlowEventQueue q;
  std::map<int, std::pair<double, int>> model;  // flow -> (time, order of its last set)
  for (int order = 0; order < 2000; ++order) {
    const int f = flow(rng);
    const double t = tick(rng);  // few distinct times: many ties
    q.set(f, t, FlowEventQueue::Kind::finish);
    model[f] = {t, order};
    if (order % 7 == 0) {  // an event taken now and then
      auto first = std::min_element(model.begin(), model.end(),
                                    [](const auto& a, const auto& b) { return a.second < b.second; });
      ASSERT_EQ(q.top().flow, first->first);
      ASSERT_EQ(q.top().time, first->second.first);
      q.pop();
      model.erase(first);
    }
  }
  while (!model.empty()) {
    auto first = std::min_element(model.begin(), model.end(),
                                  [](const auto& a, const auto& b) { return a.second < b.second; });
    ASSERT_FALSE(q.empty());
    ASSERT_EQ(q.top().flow, first->first);
    q.pop();
    model.erase(first);
  }
  EXPECT_TRUE(q.empty());  // one entry per flow: re-timing left nothing behind
}

TEST(FlowNetwork, OneFlowTakesLatencyPlusSizeOverBandwidth) {
  const Topology t = small_star(10 * kGB, 2e-6);
  FlowNetwork net(t);
  const int f = net.start(1.0, 0, 1, 1e9, ideal_protocol());
  net.run_until_idle();
  EXPECT_NEAR(net.flow(f).finish_s, 1.0 + 4e-6 + 0.1, 1e-12);
  EXPECT_EQ(net.flow(f).path.size(), 2u);
}

TEST(FlowNetwork, TwoFlowsShareThenTheSurvivorSpeedsUp) {
  // Both leave h0: 1 GB and 3 GB share its 10 GB/s uplink at 5 GB/s each; the small one ends at
  // 0.2 s, the large one has 2 GB left and sends them alone at 10 GB/s: ends at 0.4 s.
  const Topology t = small_star(10 * kGB, 0);
  FlowNetwork net(t);
  const int a = net.start(0, 0, 1, 1e9, ideal_protocol());
  const int b = net.start(0, 0, 2, 3e9, ideal_protocol());
  net.run_until_idle();
  EXPECT_NEAR(net.flow(a).finish_s, 0.2, 1e-12);
  EXPECT_NEAR(net.flow(b).finish_s, 0.4, 1e-12);
  // Conservation: the shared channel carried both flows' bytes, each exclusive channel one's.
  const int uplink = net.flow(a).path.front();
  EXPECT_NEAR(net.channel_bytes(uplink), 4e9, 1);
  EXPECT_NEAR(net.channel_bytes(net.flow(a).path.back()), 1e9, 1);
}

TEST(FlowNetwork, AReleasedFlowsIdGoesToTheNextFlow) {
  // a (1 GB) ends at 0.2 s while b (3 GB) still sends; released, its id serves c (1 GB), which
  // starts at 0.2 s and shares h0's uplink with b as a did: c ends at 0.4 s, b (2 GB left at
  // 0.2 s, 1 GB at 0.4 s) alone after that, at 0.5 s.
  const Topology t = small_star(10 * kGB, 0);
  FlowNetwork net(t);
  const int a = net.start(0, 0, 1, 1e9, ideal_protocol());
  const int b = net.start(0, 0, 2, 3e9, ideal_protocol());
  EXPECT_THROW(net.release(a), std::invalid_argument);  // still in flight
  ASSERT_EQ(net.step(), std::vector<int>{});             // both enter sharing
  ASSERT_EQ(net.step(), std::vector<int>{a});
  net.release(a);
  EXPECT_THROW(net.release(a), std::invalid_argument);  // once only
  EXPECT_EQ(net.flow_count(), 1u);
  const int c = net.start(net.now(), 0, 1, 1e9, ideal_protocol());
  EXPECT_EQ(c, a);
  EXPECT_EQ(net.flow_count(), 2u);
  net.run_until_idle();
  EXPECT_NEAR(net.flow(c).finish_s, 0.4, 1e-12);
  EXPECT_NEAR(net.flow(b).finish_s, 0.5, 1e-12);
}

// 400 RoCE flows between random hosts of an oversubscribed leaf-spine (2:1 at the leaves), random
// sizes (1 kB to 100 MB, log-uniform) and start times, thousands of rate changes: every flow ends
// no sooner than its latency plus its bytes at its slowest channel's payload rate, and every
// channel carried exactly the wire bytes of the flows that crossed it (none lost or counted twice
// as rates change).
TEST(FlowNetwork, RandomTrafficDeliversEveryByteOverEveryChannelItCrosses) {
  const Topology t = leaf_spine({.leaves = 4, .spines = 2, .hosts_per_leaf = 4, .host_bytes_per_s = 12.5 * kGB,
                                 .uplink_bytes_per_s = 12.5 * kGB, .latency_s = 1e-6});
  const ProtocolProfile& roce = protocol_profile("roce-v2");
  FlowNetwork net(t);
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> host(0, static_cast<int>(t.hosts().size()) - 1);
  std::uniform_real_distribution<double> log_size(std::log(1e3), std::log(1e8)), start(0, 0.02);
  std::vector<double> starts;
  for (int i = 0; i < 400; ++i) starts.push_back(start(rng));
  std::sort(starts.begin(), starts.end());
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const int src = host(rng);
    int dst = host(rng);
    while (dst == src) dst = host(rng);
    // Flows start in time order, each once the network has caught up with its start.
    while (net.next_event_time() <= starts[i]) net.step();
    net.start(starts[i], src, dst, std::floor(std::exp(log_size(rng))), roce, i);
  }
  net.run_until_idle();
  std::vector<double> wire(t.channels().size(), 0);
  for (int f = 0; f < static_cast<int>(starts.size()); ++f) {
    const FlowRecord& r = net.flow(f);
    ASSERT_GE(r.finish_s, 0) << "flow " << f;
    double slowest = std::numeric_limits<double>::infinity();
    for (int c : r.path) {
      slowest = std::min(slowest, t.channels()[static_cast<std::size_t>(c)].bytes_per_s);
      wire[static_cast<std::size_t>(c)] += r.bytes / roce.efficiency();
    }
    EXPECT_GE(r.finish_s, r.sharing_s + r.bytes / (slowest * roce.efficiency()) * (1 - 1e-9)) << "flow " << f;
  }
  EXPECT_GT(net.stats().rate_changes, 2000u);
  for (std::size_t c = 0; c < wire.size(); ++c)
    EXPECT_NEAR(net.channel_bytes(static_cast<int>(c)), wire[c], 1e-9 * wire[c] + 1e-3) << "channel " << c;
}

TEST(FlowNetwork, ProtocolEfficiencyAndEndpointLatencyApply) {
  const Topology t = small_star(12.5 * kGB, 1e-6);  // 100 Gbit/s links
  const ProtocolProfile& roce = protocol_profile("roce-v2");
  FlowNetwork net(t);
  const int f = net.start(0, 0, 1, 1e9, roce);
  net.run_until_idle();
  const double efficiency = 4096.0 / (4096 + 82);
  EXPECT_NEAR(roce.efficiency(), efficiency, 1e-12);
  EXPECT_NEAR(net.flow(f).finish_s, 0.8e-6 + 2e-6 + 1e9 / (12.5 * kGB * efficiency), 1e-12);
}

TEST(FlowNetwork, TcpWindowCapsAFlowAtWindowOverRoundTrip) {
  // 1 ms one way: a 4 MiB window allows 4 MiB / 2 ms = 2.1 GB/s of payload (the window counts
  // payload bytes) on a 12.5 GB/s path.
  const Topology t = small_star(12.5 * kGB, 0.5e-3);
  ProtocolProfile tcp = protocol_profile("tcp");
  tcp.stream_bytes_per_s = 0;
  FlowNetwork net(t);
  const int f = net.start(0, 0, 1, 1e9, tcp);
  net.step();  // enters sharing
  EXPECT_NEAR(net.payload_rate(f), 4194304.0 / 2e-3, 1e-3);
}

TEST(FlowNetwork, TcpSharesInverselyToPathLatency) {
  // Two TCP flows into h2 over its downlink; h0's path has 3x the latency of h1's.
  Topology t;
  for (auto n : {"h0", "h1", "h2"}) t.add_host(n);
  const int s = t.add_switch("s");
  t.add_link(0, s, 100 * kGB, 3e-6);
  t.add_link(1, s, 100 * kGB, 1e-6);
  t.add_link(2, s, 10 * kGB, 1e-6);
  ProtocolProfile tcp = protocol_profile("tcp");
  tcp.window_bytes = tcp.stream_bytes_per_s = 0;
  FlowNetwork net(t);
  const int far = net.start(0, 0, 2, 1e9, tcp), near = net.start(0, 1, 2, 1e9, tcp);
  net.step();
  net.step();
  // Weights 1/4us and 1/2us: the near flow gets two thirds.
  EXPECT_NEAR(net.payload_rate(near) / net.payload_rate(far), 2.0, 1e-9);
  EXPECT_NEAR(net.payload_rate(near) + net.payload_rate(far), 10 * kGB * tcp.efficiency(), 1);
}

TEST(MaxMin, ClassicExampleFromBertsekasGallager) {
  // Links A (cap 1) and B (cap 1); flow 0 on A and B, flow 1 on A, flows 2 and 3 on B, flow 4 on
  // A only with a bound of 0.1. Max-min: B is shared by 0, 2, 3 at 1/3; A gives 0.1 to flow 4,
  // 1/3 to flow 0, and the rest, 1 - 0.1 - 1/3, to flow 1.
  MaxMinSharing s({1.0, 1.0});
  const int f0 = s.add({0, 1}, 1), f1 = s.add({0}, 1), f2 = s.add({1}, 1), f3 = s.add({1}, 1), f4 = s.add({0}, 1, 0.1);
  s.solve();
  EXPECT_NEAR(s.rate(f0), 1.0 / 3, 1e-12);
  EXPECT_NEAR(s.rate(f2), 1.0 / 3, 1e-12);
  EXPECT_NEAR(s.rate(f3), 1.0 / 3, 1e-12);
  EXPECT_NEAR(s.rate(f4), 0.1, 1e-12);
  EXPECT_NEAR(s.rate(f1), 1 - 0.1 - 1.0 / 3, 1e-12);
}

TEST(MaxMin, RemovingFlowsCanSlowAnother) {
  // A (cap 1) carries f0, f1, f2; B (cap 1) carries f2 and f3. f2 is held to 1/3 by A, so f3 gets
  // 2/3 of B. When f0 and f1 leave, f2 is bound by B instead and f3 falls to 1/2.
  MaxMinSharing s({1.0, 1.0});
  const int f0 = s.add({0}, 1), f1 = s.add({0}, 1), f2 = s.add({0, 1}, 1), f3 = s.add({1}, 1);
  s.solve();
  EXPECT_NEAR(s.rate(f2), 1.0 / 3, 1e-12);
  EXPECT_NEAR(s.rate(f3), 2.0 / 3, 1e-12);
  s.remove(f0);
  s.remove(f1);
  const auto changes = s.solve();
  EXPECT_NEAR(s.rate(f2), 0.5, 1e-12);
  EXPECT_NEAR(s.rate(f3), 0.5, 1e-12);
  EXPECT_EQ(changes.size(), 2u);
}

// Every flow has a bottleneck: a full channel where no flow has a higher rate per weight, or its
// bound. With feasibility this is the definition of the max-min fair allocation.
void expect_max_min_fair(const std::vector<double>& caps, const std::vector<std::vector<int>>& paths,
                         const std::vector<double>& weights, const std::vector<double>& bounds,
                         const std::vector<int>& ids, const MaxMinSharing& s) {
  std::vector<double> load(caps.size(), 0), top(caps.size(), 0);
  for (std::size_t i = 0; i < ids.size(); ++i)
    for (int c : paths[i]) {
      load[static_cast<std::size_t>(c)] += s.rate(ids[i]);
      top[static_cast<std::size_t>(c)] = std::max(top[static_cast<std::size_t>(c)], s.rate(ids[i]) / weights[i]);
    }
  for (std::size_t c = 0; c < caps.size(); ++c) ASSERT_LE(load[c], caps[c] * (1 + 1e-9)) << "channel " << c;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const double r = s.rate(ids[i]);
    bool ok = r >= bounds[i] * (1 - 1e-9);
    for (int c : paths[i])
      ok = ok || (load[static_cast<std::size_t>(c)] >= caps[static_cast<std::size_t>(c)] * (1 - 1e-9) &&
                  r / weights[i] >= top[static_cast<std::size_t>(c)] * (1 - 1e-9));
    ASSERT_TRUE(ok) << "flow " << i << " has no bottleneck";
  }
}

// `count` channel capacities drawn uniformly from [low, low + span).
std::vector<double> random_capacities(std::mt19937_64& rng, int count, double low, double span) {
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> caps;
  for (int c = 0; c < count; ++c) caps.push_back(low + span * u(rng));
  return caps;
}

// The same flows added to and removed from an incremental solver and one that solves from
// scratch every time; after each solve, every rate must agree.
struct Churn {
  std::vector<double> caps;
  MaxMinSharing incremental, scratch;
  std::vector<std::vector<int>> paths;
  std::vector<double> weights, bounds;
  std::vector<int> ids_inc, ids_scr;

  explicit Churn(std::vector<double> capacities) : caps(capacities), incremental(capacities), scratch(capacities) {}
  void add(const std::set<int>& path, double weight, double bound) {
    paths.emplace_back(path.begin(), path.end());
    weights.push_back(weight);
    bounds.push_back(bound);
    ids_inc.push_back(incremental.add(paths.back(), weight, bound));
    ids_scr.push_back(scratch.add(paths.back(), weight, bound));
  }
  void remove(std::size_t k) {
    incremental.remove(ids_inc[k]);
    scratch.remove(ids_scr[k]);
    for (auto* v : {&ids_inc, &ids_scr}) v->erase(v->begin() + static_cast<long>(k));
    paths.erase(paths.begin() + static_cast<long>(k));
    weights.erase(weights.begin() + static_cast<long>(k));
    bounds.erase(bounds.begin() + static_cast<long>(k));
  }
  void solve_and_compare(int step) {
    incremental.solve();
    scratch.solve_from_scratch();
    for (std::size_t i = 0; i < paths.size(); ++i)
      ASSERT_NEAR(incremental.rate(ids_inc[i]), scratch.rate(ids_scr[i]), 1e-9 * scratch.rate(ids_scr[i]))
          << "step " << step << " flow " << i;
  }
  void expect_fair() const { expect_max_min_fair(caps, paths, weights, bounds, ids_inc, incremental); }
};

// Runs `steps` rounds of `change` (flows added to and removed from a Churn over `channels`
// capacities drawn from [1, 1 + span)), each followed by both solves, compared, and a check that
// the incremental allocation is max-min fair.
template <class Change>
void run_churn(uint64_t seed, int channels, double span, int steps, Change change) {
  std::mt19937_64 rng(seed);
  Churn churn(random_capacities(rng, channels, 1, span));
  for (int step = 0; step < steps; ++step) {
    change(churn, rng);
    ASSERT_NO_FATAL_FAILURE(churn.solve_and_compare(step));
    churn.expect_fair();
  }
}

// `path` with channels drawn from [0, channels) added until it holds `len` of them.
std::set<int> random_path(std::mt19937_64& rng, int channels, int len, std::set<int> path = {}) {
  std::uniform_real_distribution<double> u(0, 1);
  while (static_cast<int>(path.size()) < len) path.insert(static_cast<int>(u(rng) * channels));
  return path;
}

TEST(MaxMin, IncrementalSolveEqualsSolveFromScratchOnRandomChurn) {
  // One flow added or removed per solve; some weighted, some bounded.
  const int channels = 40;
  run_churn(7, channels, 9, 600, [&](Churn& churn, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    const std::size_t n = churn.paths.size();
    if (n < 5 || (n < 120 && u(rng) < 0.55)) {
      const std::set<int> path = random_path(rng, channels, 1 + static_cast<int>(u(rng) * 4));
      const double weight = u(rng) < 0.5 ? 1.0 : 0.5 + 2 * u(rng);
      churn.add(path, weight, u(rng) < 0.2 ? 0.2 + u(rng) : std::numeric_limits<double>::infinity());
    } else {
      churn.remove(static_cast<std::size_t>(u(rng) * static_cast<double>(n)));
    }
  });
}

TEST(MaxMin, BatchesOfChangesBetweenSolvesEqualSolveFromScratch) {
  // Several flows added and removed between two solves, many of them over the same few channels
  // (as every transfer of an all-to-all starts at once): the level below which nothing changes is
  // taken over all of them together.
  const int channels = 12;
  run_churn(23, channels, 4, 300, [&](Churn& churn, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    const int adds = 1 + static_cast<int>(u(rng) * 12), removes = static_cast<int>(u(rng) * 10);
    for (int k = 0; k < removes && churn.paths.size() > 1; ++k)
      churn.remove(static_cast<std::size_t>(u(rng) * static_cast<double>(churn.paths.size())));
    const int hub = static_cast<int>(u(rng) * channels);  // most of this batch crosses it
    for (int k = 0; k < adds && churn.paths.size() < 150; ++k) {
      const std::set<int> start = u(rng) < 0.7 ? std::set<int>{hub} : std::set<int>{};
      const std::set<int> path = random_path(rng, channels, 1 + static_cast<int>(u(rng) * 3), start);
      churn.add(path, u(rng) < 0.6 ? 1.0 : 0.5 + 2 * u(rng), u(rng) < 0.15 ? 0.1 + u(rng) : std::numeric_limits<double>::infinity());
    }
  });
}

TEST(MaxMin, LocalChangesReFillFewFlowsAndEqualSolveFromScratch) {
  // 25 groups of 8 channels; a flow stays within one group, but one in twenty crosses into the next
  // group, so groups are coupled and a change can reach a neighbour. Changes must stay local
  // (most solves re-fill under an eighth of the flows) and still equal a solve from scratch.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  const int groups = 25, per_group = 8;
  const std::vector<double> caps = random_capacities(rng, groups * per_group, 1, 3);
  Churn churn(caps);
  int local_solves = 0, solves = 0;
  for (int step = 0; step < 3000; ++step) {
    const std::size_t n = churn.paths.size();
    if (n < 400 && (n < 300 || u(rng) < 0.5)) {
      const int g = static_cast<int>(u(rng) * groups);
      std::set<int> path;
      const int len = 1 + static_cast<int>(u(rng) * 3);
      while (static_cast<int>(path.size()) < len) path.insert(g * per_group + static_cast<int>(u(rng) * per_group));
      if (u(rng) < 0.05) path.insert(((g + 1) % groups) * per_group + static_cast<int>(u(rng) * per_group));
      const double weight = u(rng) < 0.7 ? 1.0 : 0.5 + 2 * u(rng);
      churn.add(path, weight, u(rng) < 0.1 ? 0.1 + u(rng) : std::numeric_limits<double>::infinity());
    } else {
      churn.remove(static_cast<std::size_t>(u(rng) * static_cast<double>(n)));
    }
    ASSERT_NO_FATAL_FAILURE(churn.solve_and_compare(step));
    if (churn.paths.size() >= 300) {
      ++solves;
      if (churn.incremental.last_region_size() * 8 < churn.paths.size()) ++local_solves;
    }
  }
  churn.expect_fair();
  EXPECT_GT(local_solves * 2, solves) << local_solves << " of " << solves << " solves stayed local";
}

TEST(Routing, LeafSpineHopsAndEcmpSpreadOverSpines) {
  const Topology t = leaf_spine({.leaves = 4, .spines = 4, .hosts_per_leaf = 8, .host_bytes_per_s = kGB,
                                 .uplink_bytes_per_s = kGB, .latency_s = 0});
  EXPECT_EQ(t.hosts().size(), 32u);
  const Router r(t);
  EXPECT_EQ(r.hops(0, 1), 2);   // same leaf
  EXPECT_EQ(r.hops(0, 31), 4);  // across a spine
  std::set<int> spines;
  for (uint64_t h = 0; h < 64; ++h) {
    const auto path = r.route(0, 31, h);
    ASSERT_EQ(path.size(), 4u);
    spines.insert(t.channels()[static_cast<std::size_t>(path[1])].to);
    EXPECT_EQ(path, r.route(0, 31, h));  // a flow's hash always picks the same path
  }
  EXPECT_EQ(spines.size(), 4u);
}

TEST(Routing, FatTreeHasTheTextbookShape) {
  const Topology t = fat_tree(4, kGB, 0);
  EXPECT_EQ(t.hosts().size(), 16u);
  EXPECT_EQ(t.nodes().size(), 16u + 20u);  // 8 edge, 8 aggregation, 4 core
  EXPECT_EQ(t.link_count(), 48u);
  const Router r(t);
  EXPECT_EQ(r.hops(0, 1), 2);   // same edge switch
  EXPECT_EQ(r.hops(0, 2), 4);   // same pod
  EXPECT_EQ(r.hops(0, 15), 6);  // across the core
}

TEST(Routing, PathsNeverCrossAHost) {
  // h0 - h1 - h2 in a chain of direct links: h0 cannot reach h2 through h1.
  Topology t;
  for (auto n : {"h0", "h1", "h2"}) t.add_host(n);
  t.add_link(0, 1, kGB, 0);
  t.add_link(1, 2, kGB, 0);
  EXPECT_THROW(Router(t).route(0, 2, 0), std::invalid_argument);
}

// A router that may keep the distances to only two destinations at once routes exactly as one
// that keeps them all: the cache starts over without changing an answer.
TEST(Routing, ABoundedCacheRoutesAsAnUnboundedOne) {
  const Topology t = leaf_spine({.leaves = 4, .spines = 3, .hosts_per_leaf = 4, .host_bytes_per_s = kGB,
                                 .uplink_bytes_per_s = kGB, .latency_s = 0});
  const Router all(t), two(t, 2 * t.nodes().size());
  for (uint64_t hash : {0ULL, 7ULL, 123456789ULL})
    for (int a : t.hosts())
      for (int b : t.hosts()) {
        if (a == b) continue;
        EXPECT_EQ(two.route(a, b, hash), all.route(a, b, hash));
        EXPECT_EQ(two.hops(b, a), all.hops(b, a));
      }
}

// The connectivity check against the router itself (an independent search): on 500 random small
// graphs of hosts and switches, a topology has no disconnected pair exactly when every pair of
// hosts routes, and a pair it names does not.
TEST(Routing, ConnectivityCheckAgreesWithTheRouter) {
  std::mt19937_64 rng(5);
  int disconnected = 0;
  for (int trial = 0; trial < 500; ++trial) {
    Topology t;
    const int hosts = 2 + static_cast<int>(rng() % 4), switches = static_cast<int>(rng() % 4);
    for (int h = 0; h < hosts; ++h) t.add_host(fmt::format("h{}", h));
    for (int w = 0; w < switches; ++w) t.add_switch(fmt::format("s{}", w));
    const int nodes = hosts + switches;
    std::set<std::pair<int, int>> linked;
    for (int l = static_cast<int>(rng() % 7); l > 0; --l) {
      const int a = static_cast<int>(rng() % nodes), b = static_cast<int>(rng() % nodes);
      if (a != b && linked.insert({std::min(a, b), std::max(a, b)}).second) t.add_link(a, b, kGB, 0);
    }
    const Router router(t);
    bool all = true;
    for (int a : t.hosts())
      for (int b : t.hosts())
        if (a != b && router.hops(a, b) < 0) all = false;
    const auto pair = t.disconnected_hosts();
    EXPECT_EQ(!pair.has_value(), all) << "trial " << trial;
    if (pair) {
      EXPECT_LT(router.hops(pair->first, pair->second), 0) << "trial " << trial;
      ++disconnected;
    }
  }
  EXPECT_GT(disconnected, 100);  // both answers are exercised
  EXPECT_LT(disconnected, 450);
}

std::string topology_error(const std::string& text) {
  try {
    parse_topology(JsonView(parse_json_text(text, "net.json"), "net.json"));
  } catch (const InputError& e) {
    return e.file() + ":" + e.where() + ": " + e.message();
  }
  return "accepted";
}

TEST(TopologyJson, BadInputNamesFileAndPointer) {
  EXPECT_EQ(topology_error(R"({"hosts": ["a", "b"], "links": [{"between": ["a", "c"], "gbps": 1, "latency_us": 1}]})"),
            "net.json:/links/0/between/1: unknown link endpoint \"c\" (not a host or switch)");
  EXPECT_EQ(topology_error(R"({"hosts": ["a", "b"], "links": [{"between": ["a", "b"], "gbps": -5, "latency_us": 1}]})"),
            "net.json:/links/0/gbps: must be > 0, found -5");
  EXPECT_EQ(topology_error(R"({"hosts": ["a", "b", "c"], "links": [{"between": ["a", "b"], "gbps": 1, "latency_us": 1}]})"),
            "net.json:/links: disconnected topology: no path from \"a\" to \"c\"");
  // Hosts never forward: a reaches c and c reaches b (through s), but a cannot reach b.
  EXPECT_EQ(topology_error(R"({"hosts": ["a", "b", "c"], "switches": ["s"], "links": [
      {"between": ["a", "c"], "gbps": 1, "latency_us": 1}, {"between": ["b", "s"], "gbps": 1, "latency_us": 1},
      {"between": ["c", "s"], "gbps": 1, "latency_us": 1}]})"),
            "net.json:/links: disconnected topology: no path from \"a\" to \"b\"");
  // Two islands of switches joined only through a host that touches both.
  EXPECT_EQ(topology_error(R"({"hosts": ["a", "b", "c"], "switches": ["s", "t"], "links": [
      {"between": ["a", "s"], "gbps": 1, "latency_us": 1}, {"between": ["b", "s"], "gbps": 1, "latency_us": 1},
      {"between": ["b", "t"], "gbps": 1, "latency_us": 1}, {"between": ["c", "t"], "gbps": 1, "latency_us": 1}]})"),
            "net.json:/links: disconnected topology: no path from \"a\" to \"c\"");
  // Hosts linked pairwise, no switch: every host reaches every other.
  EXPECT_EQ(topology_error(R"({"hosts": ["a", "b", "c"], "links": [{"between": ["a", "b"], "gbps": 1, "latency_us": 1},
      {"between": ["b", "c"], "gbps": 1, "latency_us": 1}, {"between": ["a", "c"], "gbps": 1, "latency_us": 1}]})"),
            "accepted");
  EXPECT_EQ(topology_error(R"({"hosts": ["a", "a"], "links": []})"), "net.json:/hosts/1: duplicate node name \"a\"");
  EXPECT_EQ(topology_error(R"({"fat_tree": {"k": 3, "gbps": 1, "latency_us": 1}})"), "net.json:/fat_tree/k: must be even, found 3");
  EXPECT_EQ(topology_error(R"({"hosts": ["a"], "links": [], "extra": 1})"),
            "net.json:/extra: unknown key \"extra\" (allowed: hosts, switches, links)");
}

TEST(TopologyJson, ExplicitAndGeneratedTopologiesRead) {
  const Topology t = parse_topology(JsonView(parse_json_text(
      R"({"hosts": ["c0", "g0"], "switches": ["tor"], "links": [
          {"between": ["c0", "tor"], "gbps": 25, "latency_us": 0.5},
          {"between": ["tor", "g0"], "gbps": 100, "latency_us": 0.5}]})", "n.json"), "n.json"));
  EXPECT_EQ(t.hosts().size(), 2u);
  EXPECT_DOUBLE_EQ(t.channels()[0].bytes_per_s, 25e9 / 8);
  EXPECT_DOUBLE_EQ(t.channels()[0].latency_s, 0.5e-6);
  const Topology ls = parse_topology(JsonView(parse_json_text(
      R"({"leaf_spine": {"leaves": 8, "spines": 4, "hosts_per_leaf": 16, "host_gbps": 100, "uplink_gbps": 400, "latency_us": 0.5}})",
      "n.json"), "n.json"));
  EXPECT_EQ(ls.hosts().size(), 128u);
  EXPECT_EQ(ls.link_count(), 128u + 32u);
}

}  // namespace
}  // namespace xpusim

// The flow-level network against SimGrid (tests/oracle/simgrid_flows.cpp, CM02 max-min): random
// topologies with multi-hop routes, random flow sets with contention, starting at random times.
// Every flow's completion time must agree within 1%. Half the scenarios share plainly (RDMA-like,
// equal weights), half as TCP (weights 1/latency, window bound), each with a random protocol
// efficiency (SimGrid's bandwidth factor).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "models/network/flow_network.hpp"
#include "models/network/protocol.hpp"
#include "models/network/topology_generators.hpp"
#include "tests/oracle/textbook_fluid.hpp"

namespace xpusim {
namespace {

struct Scenario {
  Topology topology;
  std::vector<std::vector<int>> paths;
  std::vector<double> start, bytes;
  ProtocolProfile protocol;
};

// Hosts hang off switches only, switches form a random connected graph: every route has >= 2 hops.
Scenario random_scenario(uint64_t seed, bool tcp) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  auto pick = [&](int n) { return static_cast<int>(u(rng) * n); };
  Scenario s;
  Topology& t = s.topology;
  const int hosts = 6 + pick(11), switches = 2 + pick(5);
  for (int h = 0; h < hosts; ++h) t.add_host(fmt::format("h{}", h));
  for (int w = 0; w < switches; ++w) t.add_switch(fmt::format("s{}", w));
  auto bandwidth = [&] { return 1e9 * std::exp(u(rng) * std::log(100.0)); };  // 1 to 100 GB/s
  auto latency = [&] { return 1e-7 * std::exp(u(rng) * std::log(200.0)); };  // 0.1 to 20 us
  for (int w = 1; w < switches; ++w) t.add_link(hosts + w, hosts + pick(w), bandwidth(), latency());
  for (int extra = pick(switches); extra > 0; --extra) {
    const int a = hosts + pick(switches), b = hosts + pick(switches);
    if (a != b) t.add_link(a, b, bandwidth(), latency());
  }
  for (int h = 0; h < hosts; ++h) t.add_link(h, hosts + pick(switches), bandwidth(), latency());
  const Router router(t);
  const int flows = 10 + pick(51);
  for (int f = 0; f < flows; ++f) {
    const int src = pick(hosts);
    int dst = pick(hosts);
    while (dst == src) dst = pick(hosts);
    s.paths.push_back(router.route(src, dst, static_cast<uint64_t>(f)));
    s.start.push_back(u(rng) < 0.3 ? 0.0 : u(rng) * 0.02);
    s.bytes.push_back(std::floor(1e3 * std::exp(u(rng) * std::log(1e5))));  // 1 kB to 100 MB
  }
  s.protocol.name = tcp ? "tcp-like" : "rdma-like";
  s.protocol.packet_payload_bytes = 1;
  s.protocol.packet_overhead_bytes = 0.12 * u(rng);
  s.protocol.rtt_weighted = tcp;
  s.protocol.window_bytes = tcp ? std::floor(65536 * std::exp(u(rng) * std::log(64.0))) : 0;
  return s;
}

std::vector<double> simgrid_finish_times(const Scenario& s, const std::string& file) {
  nlohmann::json j;
  for (const auto& c : s.topology.channels()) j["channels"].push_back({{"bytes_per_s", c.bytes_per_s}, {"latency_s", c.latency_s}});
  for (std::size_t f = 0; f < s.paths.size(); ++f)
    j["flows"].push_back({{"start_s", s.start[f]}, {"bytes", static_cast<uint64_t>(s.bytes[f])}, {"channels", s.paths[f]}});
  j["bandwidth_factor"] = s.protocol.efficiency();
  // SimGrid bounds a flow's wire rate by its window over its round trip; the window counts
  // payload bytes, so its bound on the wire is the window over the protocol's efficiency.
  j["tcp_window_bytes"] = s.protocol.window_bytes / s.protocol.efficiency();
  j["equal_weights"] = !s.protocol.rtt_weighted;
  std::ofstream(file) << j.dump();
  FILE* pipe = popen((std::string(XPUSIM_SIMGRID_ORACLE) + " " + file).c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  EXPECT_EQ(pclose(pipe), 0) << out;
  return nlohmann::json::parse(out)["finish_s"].get<std::vector<double>>();
}

void run(const Scenario& s, FlowNetwork& net) {
  for (std::size_t f = 0; f < s.paths.size(); ++f) net.start_on_path(s.start[f], s.paths[f], s.bytes[f], s.protocol);
  net.run_until_idle();
}

// Runs `s` through the flow network and through SimGrid; every flow's completion time (from its
// start) must agree within 1%, and some flow must be slowed by another.
void expect_agreement(const Scenario& s, FlowNetwork& net, const std::string& name) {
  run(s, net);
  const std::string file = ::testing::TempDir() + "oracle_" + name + ".json";
  const auto expected = simgrid_finish_times(s, file);
  if (::testing::Test::HasFailure()) return;
  std::remove(file.c_str());
  ASSERT_EQ(expected.size(), s.paths.size());
  double worst = 0;
  int slowed = 0;
  for (std::size_t f = 0; f < s.paths.size(); ++f) {
    const double ours = net.flow(static_cast<int>(f)).finish_s - s.start[f];
    const double theirs = expected[f] - s.start[f];
    worst = std::max(worst, std::abs(ours - theirs) / theirs);
    double alone = net.flow(static_cast<int>(f)).sharing_s - s.start[f];
    double slowest = std::numeric_limits<double>::infinity();
    for (int c : s.paths[f]) slowest = std::min(slowest, s.topology.channels()[static_cast<std::size_t>(c)].bytes_per_s);
    alone += s.bytes[f] / (slowest * s.protocol.efficiency());
    if (ours > alone * 1.01) ++slowed;
  }
  EXPECT_LE(worst, 0.01) << s.paths.size() << " flows";
  EXPECT_GT(slowed, 0) << "no flow was slowed by another";
  ::testing::Test::RecordProperty("worst_relative_error", std::to_string(worst));
  std::printf("%s (%s): %zu flows, worst relative error %.2e\n", name.c_str(), s.protocol.name.c_str(), s.paths.size(),
              worst);
}

// Runs `s` through the flow network and through the textbook simulation of
// tests/oracle/textbook_fluid.hpp (an oracle that shares no code and no shortcut with the
// incremental solver, and no numerical tolerance with SimGrid's, so agreement can be asked to
// 1e-9); returns the worst relative difference of a completion time (from its start).
double worst_against_textbook(const Scenario& s) {
  FlowNetwork net(s.topology);
  run(s, net);
  std::vector<double> capacities;
  for (const auto& c : s.topology.channels()) capacities.push_back(c.bytes_per_s * s.protocol.efficiency());
  std::vector<oracle::FluidFlow> flows;
  for (std::size_t f = 0; f < s.paths.size(); ++f) {
    double latency = 0;
    for (int c : s.paths[f]) latency += s.topology.channels()[static_cast<std::size_t>(c)].latency_s;
    oracle::FluidFlow flow{.channels = s.paths[f], .enter_s = s.start[f] + latency, .bytes = s.bytes[f]};
    if (s.protocol.rtt_weighted) flow.weight = 1 / latency;
    if (s.protocol.window_bytes > 0) flow.bound = s.protocol.window_bytes / (2 * latency);
    flows.push_back(flow);
  }
  const std::vector<double> expected = oracle::textbook_fluid_finish_times(capacities, flows);
  double worst = 0;
  for (std::size_t f = 0; f < s.paths.size(); ++f) {
    const double ours = net.flow(static_cast<int>(f)).finish_s - s.start[f];
    worst = std::max(worst, std::abs(ours - (expected[f] - s.start[f])) / ours);
  }
  return worst;
}

class SimGridOracle : public ::testing::TestWithParam<int> {};

TEST_P(SimGridOracle, FlowCompletionTimesAgreeWithinOnePercent) {
  const bool tcp = GetParam() % 2 == 1;
  const Scenario s = random_scenario(1000 + static_cast<uint64_t>(GetParam()), tcp);
  // The scenario must exercise contention and multi-hop routes, or agreement proves little.
  std::size_t longest = 0;
  for (const auto& p : s.paths) longest = std::max(longest, p.size());
  EXPECT_GE(longest, 3u);
  FlowNetwork net(s.topology);
  expect_agreement(s, net, "scenario_" + std::to_string(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(RandomScenarios, SimGridOracle, ::testing::Range(0, 40));

// Many more scenarios of the same kind, others than SimGrid's, where running SimGrid for each
// would cost too much: every completion within 1e-9 of the textbook simulation's. Half are TCP,
// with latency weights and window bounds.
TEST(TextbookOracle, FiveHundredRandomScenariosAgreeWithin1e9) {
  double worst = 0;
  for (int i = 0; i < 500; ++i) {
    const double w = worst_against_textbook(random_scenario(5000 + static_cast<uint64_t>(i), i % 2 == 1));
    EXPECT_LE(w, 1e-9) << "scenario " << 5000 + i;
    worst = std::max(worst, w);
  }
  std::printf("500 scenarios against the textbook simulation: worst relative difference %.2e\n", worst);
}

// At the flow-event benchmark's scale (tests/bench/network_bench.cpp): 128 hosts, 1,000 flows from
// the start and 2,000 more arriving as a Poisson stream while they drain, sizes log-uniform from
// 64 KiB to 64 MiB. Uniform pairs tie every flow to every other, so most solves re-fill every flow
// above the change's level; jobs of 8 hosts within a leaf keep each change local, so most solves
// re-fill one job's flows and check the flows around them. Both paths of the incremental solver
// must give the oracles' completion times, with equal shares (RoCE) and with TCP's (a flow within
// a leaf, half the round trip, weighs twice one across the spines), on the benchmark's leaf-spine,
// on one whose uplinks are 4:1 oversubscribed (the spines become bottlenecks too) and on a k = 8
// fat-tree (three tiers: routes of 2, 4 and 6 links, so three TCP weights).
enum class Fabric { leaf_spine, leaf_spine_4_to_1, fat_tree };

struct AtScale {
  const char* name;
  Fabric fabric;
  bool jobs_in_leaf;
  const char* protocol;
};
void PrintTo(const AtScale& at, std::ostream* os) { *os << at.name; }

Scenario leaf_spine_scenario(const AtScale& at) {
  Scenario s;
  if (at.fabric == Fabric::fat_tree)
    s.topology = fat_tree(8, 12.5e9, 0.5e-6);
  else
    s.topology = leaf_spine({.leaves = 8, .spines = 4, .hosts_per_leaf = 16, .host_bytes_per_s = 12.5e9,
                             .uplink_bytes_per_s = at.fabric == Fabric::leaf_spine ? 50e9 : 12.5e9,
                             .latency_s = 0.5e-6});
  s.protocol = protocol_profile(at.protocol);
  s.protocol.endpoint_latency_s = 0;  // the oracle has the links' latencies only,
  s.protocol.stream_bytes_per_s = 0;  // and no per-stream cap
  const Router router(s.topology);
  std::mt19937_64 rng(11 + static_cast<uint64_t>(at.jobs_in_leaf) + 2 * static_cast<uint64_t>(at.fabric));
  std::uniform_int_distribution<int> host(0, 127), member(0, 7);
  std::uniform_real_distribution<double> log_size(std::log(64.0 * 1024), std::log(64.0 * 1024 * 1024));
  // ~80,000 arrivals/s keeps about 1,000 flows in flight at these sizes (mean 9.7 MB, about 12 GB/s
  // each of them).
  std::exponential_distribution<double> gap(80e3);
  auto partner = [&](int src) { return at.jobs_in_leaf ? src / 8 * 8 + member(rng) : host(rng); };
  double now = 0;
  for (int f = 0; f < 3000; ++f) {
    if (f >= 1000) now += gap(rng);
    const int src = host(rng);
    int dst = partner(src);
    while (dst == src) dst = partner(src);
    s.paths.push_back(router.route(src, dst, static_cast<uint64_t>(f)));
    s.start.push_back(now);
    s.bytes.push_back(std::floor(std::exp(log_size(rng))));
  }
  return s;
}

class NetworkOracleAtScale : public ::testing::TestWithParam<AtScale> {};

TEST_P(NetworkOracleAtScale, FlowCompletionTimesAgreeWithSimGridWithinOnePercent) {
  const Scenario s = leaf_spine_scenario(GetParam());
  FlowNetwork net(s.topology);
  expect_agreement(s, net, GetParam().name);
  // Which path of the solver ran: the mean region is a few jobs' flows when changes stay local,
  // and hundreds when they reach every flow.
  const FlowNetworkStats stats = net.stats();
  const double region = static_cast<double>(stats.region_flows) / static_cast<double>(stats.solves);
  std::printf("%llu solves, %.1f flows re-filled each\n", static_cast<unsigned long long>(stats.solves), region);
  if (GetParam().jobs_in_leaf)
    EXPECT_LT(region, 30);
  else
    EXPECT_GT(region, 100);
}

// The same scenarios against a textbook simulation that re-fills every flow at every event
// (tests/oracle/textbook_fluid.hpp): an oracle that shares no code and no shortcut with the
// incremental solver, and no numerical tolerance with SimGrid's, so agreement can be asked to 1e-9.
TEST_P(NetworkOracleAtScale, FlowCompletionTimesAgreeWithATextbookFluidSimulation) {
  const double worst = worst_against_textbook(leaf_spine_scenario(GetParam()));
  EXPECT_LE(worst, 1e-9);
  std::printf("%s against the textbook simulation: worst relative difference %.2e\n", GetParam().name, worst);
}

INSTANTIATE_TEST_SUITE_P(BenchmarkTraffic, NetworkOracleAtScale,
                         ::testing::Values(AtScale{"uniform", Fabric::leaf_spine, false, "roce-v2"},
                                           AtScale{"jobs_in_leaf", Fabric::leaf_spine, true, "roce-v2"},
                                           AtScale{"uniform_tcp", Fabric::leaf_spine, false, "tcp"},
                                           AtScale{"uniform_4_to_1", Fabric::leaf_spine_4_to_1, false, "roce-v2"},
                                           AtScale{"fat_tree_tcp", Fabric::fat_tree, false, "tcp"}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace xpusim

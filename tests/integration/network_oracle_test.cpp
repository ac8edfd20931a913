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
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "models/network/flow_network.hpp"

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
  j["tcp_window_bytes"] = s.protocol.window_bytes;
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

class SimGridOracle : public ::testing::TestWithParam<int> {};

TEST_P(SimGridOracle, FlowCompletionTimesAgreeWithinOnePercent) {
  const bool tcp = GetParam() % 2 == 1;
  const Scenario s = random_scenario(1000 + static_cast<uint64_t>(GetParam()), tcp);
  FlowNetwork net(s.topology);
  for (std::size_t f = 0; f < s.paths.size(); ++f) net.start_on_path(s.start[f], s.paths[f], s.bytes[f], s.protocol);
  net.run_until_idle();
  const std::string file = ::testing::TempDir() + "oracle_" + std::to_string(GetParam()) + ".json";
  const auto expected = simgrid_finish_times(s, file);
  if (::testing::Test::HasFailure()) return;
  std::remove(file.c_str());
  ASSERT_EQ(expected.size(), s.paths.size());
  // The scenario must exercise contention and multi-hop routes, or agreement proves little.
  std::size_t longest = 0;
  for (const auto& p : s.paths) longest = std::max(longest, p.size());
  EXPECT_GE(longest, 3u);
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
  RecordProperty("worst_relative_error", std::to_string(worst));
  std::printf("scenario %d (%s): %zu flows, worst relative error %.2e\n", GetParam(), s.protocol.name.c_str(),
              s.paths.size(), worst);
}

INSTANTIATE_TEST_SUITE_P(RandomScenarios, SimGridOracle, ::testing::Range(0, 40));

}  // namespace
}  // namespace xpusim

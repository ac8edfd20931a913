// The flow-event benchmark of network_bench.cpp (uniform pattern) run through SimGrid instead:
// the same 128-host leaf-spine (8 leaves x 16 hosts at 100 Gbit/s, 4 spines at 400 Gbit/s), 1,000
// concurrent flows between random hosts, sizes log-uniform 64 KiB-64 MiB, each flow that ends
// replaced at once, 2,000 completions (flows started plus flows ended per second of wall time, in
// the steady state); SimGrid's CM02 max-min model (no TCP window, equal latency weights), every
// share solved afresh at every event (network/optim:Full) as in the oracle. A reference for
// xpusim's rate on the same work: both recompute max-min shares on every start and end. Differences: SimGrid routes each host pair over one spine (hash
// of the pair), xpusim each flow (hash of the flow), and SimGrid's links are full duplex like
// xpusim's channels.
//
// SimGrid allows one engine per process, so this benchmark runs once (one iteration) in its own
// executable: ./build/tests/simgrid_bench. SimGrid options go through to its engine:
// `./build/tests/simgrid_bench --cfg=network/optim:Lazy` times SimGrid's own default, lazy and
// selective updates, which are not exact at this scale (tests/oracle/simgrid_flows.cpp).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace {

constexpr int kLeaves = 8, kSpines = 4, kHostsPerLeaf = 16, kHosts = kLeaves * kHostsPerLeaf;
constexpr int kConcurrent = 1000, kCompletions = 2000;

// The command line's SimGrid options (--cfg=...), for the engine.
std::vector<std::string> simgrid_options;

void BM_SimGridFlowEvents_LeafSpine128(benchmark::State& state) {
  std::vector<std::string> args{"simgrid_bench", "--log=root.thres:critical", "--cfg=network/optim:Full"};
  args.insert(args.end(), simgrid_options.begin(), simgrid_options.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  sg4::Engine engine(&argc, argv.data());
  sg4::Engine::set_config("network/model:CM02");
  sg4::Engine::set_config("network/crosstraffic:0");
  sg4::Engine::set_config("network/latency-factor:1");
  sg4::Engine::set_config("network/bandwidth-factor:1");
  sg4::Engine::set_config("network/weight-S:0");
  sg4::Engine::set_config("network/TCP-gamma:0");

  auto* zone = sg4::create_full_zone("leaf-spine");
  std::vector<sg4::Host*> hosts;
  std::vector<sg4::Link*> host_links, uplinks;  // uplinks[leaf * kSpines + spine]
  for (int h = 0; h < kHosts; ++h) {
    hosts.push_back(zone->create_host(fmt::format("h{}", h), 1e9));
    host_links.push_back(zone->create_split_duplex_link(fmt::format("nic{}", h), 12.5e9)->set_latency(0.5e-6)->seal());
  }
  for (int l = 0; l < kLeaves; ++l)
    for (int s = 0; s < kSpines; ++s)
      uplinks.push_back(
          zone->create_split_duplex_link(fmt::format("up{}-{}", l, s), 50e9)->set_latency(0.5e-6)->seal());
  using Dir = sg4::LinkInRoute::Direction;
  for (int a = 0; a < kHosts; ++a)
    for (int b = 0; b < kHosts; ++b) {
      if (a == b) continue;
      const int la = a / kHostsPerLeaf, lb = b / kHostsPerLeaf, spine = (a * 131 + b * 31) % kSpines;
      std::vector<sg4::LinkInRoute> route{{host_links[a], Dir::UP}};
      if (la != lb) {
        route.emplace_back(uplinks[la * kSpines + spine], Dir::UP);
        route.emplace_back(uplinks[lb * kSpines + spine], Dir::DOWN);
      }
      route.emplace_back(host_links[b], Dir::DOWN);
      zone->add_route(hosts[a]->get_netpoint(), hosts[b]->get_netpoint(), nullptr, nullptr, route, false);
    }
  zone->seal();

  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int> host(0, kHosts - 1);
  std::uniform_real_distribution<double> log_size(std::log(64.0 * 1024), std::log(64.0 * 1024 * 1024));
  int started = 0, completed = 0, warm_events = 0;
  // Counted from the first completion on, as xpusim's benchmark does: the first flows all start
  // at once, which is not the steady state.
  std::chrono::steady_clock::time_point warm, end;
  for (int i = 0; i < kConcurrent; ++i)
    sg4::Actor::create(fmt::format("slot{}", i), hosts[static_cast<std::size_t>(i % kHosts)], [&] {
      for (;;) {
        const int src = host(rng);
        int dst = host(rng);
        while (dst == src) dst = host(rng);
        ++started;
        sg4::Comm::sendto(hosts[static_cast<std::size_t>(src)], hosts[static_cast<std::size_t>(dst)],
                          static_cast<uint64_t>(std::exp(log_size(rng))));
        if (++completed == 1) {
          warm = std::chrono::steady_clock::now();
          warm_events = started + completed;
        }
        // Stop with 1,000 flows still in flight, as xpusim's benchmark does.
        if (completed == kCompletions) {
          end = std::chrono::steady_clock::now();
          sg4::Actor::kill_all();  // every actor but this one
          return;
        }
      }
    });
  for (auto _ : state) engine.run();
  state.counters["events_per_s"] =
      static_cast<double>(started + completed - warm_events) / std::chrono::duration<double>(end - warm).count();
  state.counters["completions"] = completed;
}

}  // namespace

BENCHMARK(BM_SimGridFlowEvents_LeafSpine128)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]).rfind("--cfg=", 0) == 0)
      simgrid_options.emplace_back(argv[i]);
    else
      rest.push_back(argv[i]);
  }
  int rest_count = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_count, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_count, rest.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

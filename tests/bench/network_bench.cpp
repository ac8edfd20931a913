// Flow events per second (flows entering sharing plus flows ending) with 1,000 concurrent flows
// on a 128-host leaf-spine (8 leaves x 16 hosts at 100 Gbit/s, 4 spines at 400 Gbit/s: not
// oversubscribed). Closed loop: each flow that ends is replaced at once by a new one between two
// random hosts, of a size drawn log-uniformly from 64 KiB to 64 MiB, RoCE v2. Target (issue:
// networks): >= 200,000 events/s. The "scratch" variant re-solves every flow at every event, the
// baseline the incremental solver is measured against; "region" is the mean number of flows an
// event re-filled.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "models/network/flow_network.hpp"
#include "models/network/topology_generators.hpp"

using namespace xpusim;

namespace {

void closed_loop(benchmark::State& state, int concurrent, int completions) {
  const Topology t = leaf_spine({.leaves = 8, .spines = 4, .hosts_per_leaf = 16, .host_bytes_per_s = 12.5e9,
                                 .uplink_bytes_per_s = 50e9, .latency_s = 0.5e-6});
  const ProtocolProfile& roce = protocol_profile("roce-v2");
  uint64_t events = 0, solves = 0, region = 0;
  for (auto _ : state) {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int> host(0, static_cast<int>(t.hosts().size()) - 1);
    std::uniform_real_distribution<double> log_size(std::log(64.0 * 1024), std::log(64.0 * 1024 * 1024));
    FlowNetwork net(t);
    uint64_t hash = 0;
    auto launch = [&](double now) {
      int src = host(rng), dst = host(rng);
      while (dst == src) dst = host(rng);
      net.start(now, src, dst, std::floor(std::exp(log_size(rng))), roce, ++hash);
    };
    for (int i = 0; i < concurrent; ++i) launch(0);
    int done = 0;
    while (done < completions) {
      const auto finished = net.step();
      for (std::size_t i = 0; i < finished.size(); ++i) launch(net.now());
      done += static_cast<int>(finished.size());
    }
    events += net.stats().events;
    solves += net.stats().solves;
    region += net.stats().region_flows;
  }
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["region"] = static_cast<double>(region) / static_cast<double>(solves);
}

}  // namespace

static void BM_FlowEvents_LeafSpine128(benchmark::State& state) {
  closed_loop(state, static_cast<int>(state.range(0)), 20000);
}
BENCHMARK(BM_FlowEvents_LeafSpine128)->Arg(1000)->Unit(benchmark::kMillisecond);

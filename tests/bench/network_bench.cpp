// Flow events per second (flows entering sharing plus flows ending) in the steady state of 1,000
// concurrent flows on a 128-host leaf-spine (8 leaves x 16 hosts at 100 Gbit/s, 4 spines at
// 400 Gbit/s: not oversubscribed), RoCE v2. Closed loop: each flow that ends is replaced at once
// by a new one, of a size drawn log-uniformly from 64 KiB to 64 MiB. Target: >= 200,000 events/s.
// Four traffic patterns:
// - uniform: every flow between two random hosts. Each host carries ~8 flows each way, so every
//   flow's rate is tied to every other's through the hosts they share, and one flow ending moves
//   the max-min rates of hundreds of others (measured: ~150 rates change per solve, ~60 by more
//   than 1%). Exact max-min must re-time each of them: the worst case.
// - channels: host i sends to host (i + 1 + 16 j) mod 128 over 8 channels j (as NCCL's rings
//   do), a new message on a channel when the last one ends.
// - jobs_in_leaf: 16 jobs of 8 hosts, each within one leaf (as a scheduler that packs a job under
//   one switch places it); every flow between two random hosts of one job. A job's flows share
//   channels only with each other, so a change re-fills one job's flows.
// - jobs_across_leaves: the same jobs, each split 4 + 4 over two leaves, so that jobs also meet on
//   the spine links (which are rarely full).
// "region" is the mean number of flows an event re-filled, "rerated" the mean number of rates it
// changed.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "models/network/flow_network.hpp"
#include "models/network/topology_generators.hpp"

using namespace xpusim;

namespace {

enum class Pattern { uniform, channels, jobs_in_leaf, jobs_across_leaves };

// Jobs of 8 hosts: blocks of 8 hosts, two per leaf. In a leaf, job j is block j; across leaves,
// hosts 0-3 of block j and hosts 4-7 of block j + 2 (the next leaf).
int job_of(Pattern pattern, int host) {
  if (pattern == Pattern::jobs_in_leaf || host % 8 < 4) return host / 8;
  return (host / 8 + 14) % 16;
}
int job_member(Pattern pattern, int job, int member) {
  if (pattern == Pattern::jobs_in_leaf || member < 4) return job * 8 + member;
  return ((job + 2) % 16) * 8 + member;
}

void closed_loop(benchmark::State& state, Pattern pattern, int concurrent, int completions) {
  const Topology t = leaf_spine({.leaves = 8, .spines = 4, .hosts_per_leaf = 16, .host_bytes_per_s = 12.5e9,
                                 .uplink_bytes_per_s = 50e9, .latency_s = 0.5e-6});
  const ProtocolProfile& roce = protocol_profile("roce-v2");
  uint64_t events = 0, solves = 0, region = 0, rerated = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int> host(0, static_cast<int>(t.hosts().size()) - 1);
    std::uniform_real_distribution<double> log_size(std::log(64.0 * 1024), std::log(64.0 * 1024 * 1024));
    FlowNetwork net(t);
    const int hosts = static_cast<int>(t.hosts().size());
    uint64_t hash = 0;
    auto launch = [&](double now, int src, int dst) {
      if (pattern == Pattern::uniform) {
        src = host(rng);
        dst = host(rng);
        while (dst == src) dst = host(rng);
      }
      if (pattern == Pattern::jobs_in_leaf || pattern == Pattern::jobs_across_leaves) {
        std::uniform_int_distribution<int> member(0, 7);
        const int job = job_of(pattern, src);
        src = job_member(pattern, job, member(rng));
        dst = job_member(pattern, job, member(rng));
        while (dst == src) dst = job_member(pattern, job, member(rng));
      }
      net.start(now, src, dst, std::floor(std::exp(log_size(rng))), roce, ++hash);
    };
    for (int i = 0; i < concurrent; ++i) launch(0, i % hosts, (i % hosts + 1 + 16 * (i / hosts)) % hosts);
    int done = 0;
    auto run_until = [&](int completed) {
      while (done < completed) {
        for (int f : net.step()) {
          launch(net.now(), net.flow(f).src, net.flow(f).dst);
          net.release(f);
          ++done;
        }
      }
    };
    // Not timed nor counted: the first flows all start at once (1,000 events in two solves),
    // which is not the steady state measured.
    run_until(1);
    const FlowNetworkStats warm = net.stats();
    state.ResumeTiming();
    run_until(completions);
    events += net.stats().events - warm.events;
    solves += net.stats().solves - warm.solves;
    region += net.stats().region_flows - warm.region_flows;
    rerated += net.stats().rate_changes - warm.rate_changes;
  }
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["region"] = static_cast<double>(region) / static_cast<double>(solves);
  state.counters["rerated"] = static_cast<double>(rerated) / static_cast<double>(solves);
}

}  // namespace

static void BM_FlowEvents_LeafSpine128(benchmark::State& state, Pattern pattern, int completions) {
  closed_loop(state, pattern, 1000, completions);
}
BENCHMARK_CAPTURE(BM_FlowEvents_LeafSpine128, uniform, Pattern::uniform, 2000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FlowEvents_LeafSpine128, channels, Pattern::channels, 2000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FlowEvents_LeafSpine128, jobs_in_leaf, Pattern::jobs_in_leaf, 2000)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FlowEvents_LeafSpine128, jobs_across_leaves, Pattern::jobs_across_leaves, 2000)
    ->Unit(benchmark::kMillisecond);

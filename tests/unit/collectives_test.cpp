// Collectives made of flows: step-by-step closed forms on a star (every rank's link its own, so
// each transfer takes path latency + bytes / bandwidth unless the algorithm itself shares a link),
// the nccl-tests bus-bandwidth formulas for large messages, latency terms for small ones, the bytes
// every all-reduce must move, and plans that cannot run; how many rings a mesh of links carries.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <utility>
#include <vector>
#include <numeric>

#include "models/network/collective_flows.hpp"
#include "models/network/nvlink_paths.hpp"
#include "models/network/nvlink_rings.hpp"
#include "models/network/topology_generators.hpp"

namespace xpusim {
namespace {

constexpr double kGB = 1e9;

std::vector<int> first_ranks(int n) {
  std::vector<int> r(static_cast<std::size_t>(n));
  std::iota(r.begin(), r.end(), 0);
  return r;
}

double on_star(CollectiveAlgorithm c, int n, double bw, double lat, double bytes) {
  const Topology t = star(n, bw, lat, "h", "s");
  FlowNetwork net(t);
  return run_collective(net, c, first_ranks(n), bytes, ideal_protocol(), 0);
}

TEST(Collectives, RingStepsAddUpToTheBusBandwidthFormulas) {
  const int n = 8;
  const double bw = 10 * kGB, lat = 1e-6, bytes = 256e6;
  const double step = 2 * lat + bytes / n / bw;  // one chunk over a path nothing else uses
  EXPECT_NEAR(on_star(CollectiveAlgorithm::ring_all_reduce, n, bw, lat, bytes), 2 * (n - 1) * step, 1e-12);
  EXPECT_NEAR(on_star(CollectiveAlgorithm::ring_reduce_scatter, n, bw, lat, bytes), (n - 1) * step, 1e-12);
  EXPECT_NEAR(on_star(CollectiveAlgorithm::ring_all_gather, n, bw, lat, bytes), (n - 1) * step, 1e-12);
  // Large messages: bus bandwidth (nccl-tests: algbw x 2(n-1)/n) approaches the link's.
  const double t_ar = 2 * (n - 1) * step;
  EXPECT_NEAR(bytes / t_ar * 2 * (n - 1) / n, bw, 0.001 * bw);
  // Small messages: one path latency per step (the 1-byte chunks add 0.005%).
  const double t_small = on_star(CollectiveAlgorithm::ring_all_reduce, n, bw, lat, 8);
  EXPECT_NEAR(t_small, 2 * (n - 1) * (2 * lat + 1 / bw), 1e-15);
  EXPECT_NEAR(t_small, 2 * (n - 1) * 2 * lat, 1e-4 * t_small);
}

TEST(Collectives, DirectAndAllToAllShareEachRanksLink) {
  const int n = 4;
  const double bw = 10 * kGB, lat = 1e-6, bytes = 400e6;
  // Each rank sends n-1 pieces of bytes/n at once through its own link (and receives as many).
  const double expected = 2 * lat + (n - 1) * bytes / n / bw;
  EXPECT_NEAR(on_star(CollectiveAlgorithm::all_to_all, n, bw, lat, bytes), expected, 1e-12);
  EXPECT_NEAR(on_star(CollectiveAlgorithm::direct_reduce_scatter, n, bw, lat, bytes), expected, 1e-12);
  // On an all-to-all fabric each piece has a link of its own: one step at the per-link rate.
  const Topology mesh = all_to_all(n, bw / (n - 1), lat, "g");
  FlowNetwork net(mesh);
  EXPECT_NEAR(run_collective(net, CollectiveAlgorithm::direct_all_gather, first_ranks(n), bytes, ideal_protocol(), 0),
              lat + bytes / n / (bw / (n - 1)), 1e-12);
}

TEST(Collectives, TreeAllReduceLatencyIsTwiceTheTreeDepth) {
  // 8 ranks in a heap-shaped binary tree: the deepest leaf (position 7) is 3 hops below the root.
  // A tiny buffer is one chunk per tree: 3 hops up, 3 down, each one path latency (and a few bytes).
  const double bw = 10 * kGB, lat = 1e-6;
  const double t = on_star(CollectiveAlgorithm::tree_all_reduce, 8, bw, lat, 8);
  EXPECT_NEAR(t, 2 * 3 * 2 * lat, 1e-3 * t);
  // The ring needs 2(n-1) = 14 steps for the same: the reason NCCL picks trees for small messages.
  EXPECT_LT(t, on_star(CollectiveAlgorithm::ring_all_reduce, 8, bw, lat, 8) / 2);
}

TEST(Collectives, TreeAllReduceOfALargeBufferRunsAtTheBusiestLinksRate) {
  // Each rank is an inner node of one tree and a leaf of the other; its inbound link carries its
  // two children's halves and two halves coming down: 2 x bytes, against 2(n-1)/n x bytes for the
  // ring. That bounds the time from below; 64 pipelined chunks bring it within a few percent.
  const int n = 8;
  const double bw = 10 * kGB, bytes = 1e9;
  const double t = on_star(CollectiveAlgorithm::tree_all_reduce, n, bw, 0, bytes);
  EXPECT_GE(t, 2 * bytes / bw * (1 - 1e-12));
  EXPECT_LE(t, 2 * bytes / bw * 1.10);
}

TEST(Collectives, BroadcastIsAPipelinedChain) {
  // Chunk c leaves rank i once rank i has it and has sent chunk c-1: with k chunks over n-1 hops
  // that is k + n - 2 transfer times, each one path latency plus a chunk over a link.
  const int n = 5;
  const double bw = 10 * kGB, lat = 1e-6, bytes = 64.0 * (1 << 20);  // 64 chunks of 1 MiB
  const double chunk = bytes / 64;
  EXPECT_NEAR(on_star(CollectiveAlgorithm::broadcast, n, bw, lat, bytes), (64 + n - 2) * (2 * lat + chunk / bw), 1e-12);
}

TEST(Collectives, EveryAllReduceMovesTheSameBytes) {
  // Ring and double binary tree both send 2(n-1) x bytes in total (every rank's buffer reduced
  // into one place and the result sent back out), whatever their chunking.
  for (int n : {2, 3, 8, 13}) {
    for (CollectiveAlgorithm c : {CollectiveAlgorithm::ring_all_reduce, CollectiveAlgorithm::tree_all_reduce}) {
      double sent = 0;
      for (const Transfer& t : collective_plan(c, n, 1e8, 3e6)) sent += t.bytes;
      EXPECT_NEAR(sent, 2 * (n - 1) * 1e8, 1e-3) << collective_name(c) << " n=" << n;
    }
  }
}

TEST(Collectives, ARingSlowsWhereItSharesAnOversubscribedUplink) {
  // Two leaves of 4 hosts, one spine; the ring crosses the leaf uplinks twice. With uplinks as fast
  // as host links the two crossings share nothing; at a quarter of that they set the pace.
  auto ring_time = [](double uplink) {
    const Topology t = leaf_spine({.leaves = 2, .spines = 1, .hosts_per_leaf = 4, .host_bytes_per_s = 10 * kGB,
                                   .uplink_bytes_per_s = uplink, .latency_s = 0});
    FlowNetwork net(t);
    return run_collective(net, CollectiveAlgorithm::ring_all_reduce, first_ranks(8), 80e6, ideal_protocol(), 0);
  };
  EXPECT_NEAR(ring_time(10 * kGB), 14 * (10e6 / (10 * kGB)), 1e-12);
  EXPECT_NEAR(ring_time(2.5 * kGB), 14 * (10e6 / (2.5 * kGB)), 1e-12);
}

TEST(Collectives, CopiesOfAPlanRunSideBySide) {
  // Two rings on the same ranks share every link: twice the time of one, bandwidth-bound.
  const Topology t = star(4, 10 * kGB, 0, "h", "s");
  const TransferPlan one = collective_plan(CollectiveAlgorithm::ring_all_reduce, 4, 40e6);
  FlowNetwork a(t), b(t);
  const double single = run_plan(a, one, first_ranks(4), ideal_protocol(), 0);
  EXPECT_NEAR(run_plan(b, repeat_plan(one, 2), first_ranks(4), ideal_protocol(), 0), 2 * single, 1e-12);
}

// What NCCL's streams pass through each server's link: a ring through every GPU crosses each
// server boundary once each way; the trees' edges between servers carry half the buffer each way,
// so a server sends the buffer once on two servers and at most twice on more, and every GPU's
// chain hops carry half of it per tree.
TEST(Collectives, NcclStreamsLoadEachServersLinkAsTheirAlgorithmDoes) {
  const double bytes = 1e9;
  auto sent_between_servers = [](const TransferPlan& plan, int devices, int servers) {
    std::vector<double> out(static_cast<std::size_t>(servers), 0);
    for (const Transfer& t : plan)
      if (t.from / devices != t.to / devices) out[static_cast<std::size_t>(t.from / devices)] += t.bytes;
    return out;
  };
  const TransferPlan ring = ring_streams(16, bytes);
  ASSERT_EQ(ring.size(), 16u);
  for (double b : sent_between_servers(ring, 8, 2)) EXPECT_DOUBLE_EQ(b, bytes);
  for (double b : sent_between_servers(nccl_tree_streams(2, 8, bytes), 8, 2)) EXPECT_DOUBLE_EQ(b, bytes);
  for (const auto& [servers, most] : {std::pair{3, 1.5}, std::pair{4, 2.0}, std::pair{16, 2.0}, std::pair{33, 2.0}}) {
    // (Three servers make each tree a chain: none has two children.)
    const auto sent = sent_between_servers(nccl_tree_streams(servers, 8, bytes), 8, servers);
    EXPECT_DOUBLE_EQ(*std::max_element(sent.begin(), sent.end()), most * bytes) << servers;
    // Every byte sent up an edge comes back down it: the trees send n - 1 halves each way each.
    EXPECT_NEAR(std::accumulate(sent.begin(), sent.end(), 0.0), 2 * 2 * (servers - 1) * bytes / 2, 1) << servers;
  }
  // Chains: each of a server's 7 hops carries half the buffer each way in each tree.
  const TransferPlan one = nccl_tree_streams(1, 8, bytes);
  EXPECT_EQ(one.size(), 2u * 2 * 7);
  for (const Transfer& t : one) EXPECT_EQ(std::abs(t.from - t.to), 1);
}

TEST(Collectives, AllToAllStreamsLoadEveryLinkAsEveryPieceWould) {
  // N (n - 1) transfers between servers in place of N (N - n): each rank still sends and receives
  // (N-1)/N of its buffer, each server d (n-1)/n of it per GPU through its NIC, and on servers
  // whose GPU links or whose NIC are the bottleneck the whole exchange takes as long as every
  // piece sent on its own.
  const double bytes = 64e6;
  for (const auto& [servers, devices] : {std::pair{2, 4}, std::pair{3, 2}, std::pair{4, 8}}) {
    const int ranks = servers * devices;
    const TransferPlan streams = all_to_all_streams(servers, devices, bytes);
    const TransferPlan pieces = collective_plan(CollectiveAlgorithm::all_to_all, ranks, bytes);
    EXPECT_EQ(streams.size(), static_cast<std::size_t>(ranks * (devices + servers - 2)));
    auto loads = [&](const TransferPlan& plan) {
      std::vector<double> load(static_cast<std::size_t>(2 * ranks + 2 * servers), 0);  // rank out, in; server out, in
      for (const Transfer& t : plan) {
        load[static_cast<std::size_t>(t.from)] += t.bytes;
        load[static_cast<std::size_t>(ranks + t.to)] += t.bytes;
        if (t.from / devices != t.to / devices) {
          load[static_cast<std::size_t>(2 * ranks + t.from / devices)] += t.bytes;
          load[static_cast<std::size_t>(2 * ranks + servers + t.to / devices)] += t.bytes;
        }
      }
      return load;
    };
    const auto a = loads(streams), b = loads(pieces);
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-6 * bytes) << servers << "x" << devices << " " << i;
    EXPECT_NEAR(a[0], (ranks - 1.0) / ranks * bytes, 1e-6 * bytes);
    for (double server_bytes_per_s : {5 * kGB, 200 * kGB}) {  // the NIC, then the GPU links, the bottleneck
      const Topology t = xpusim::servers({.servers = servers, .devices = devices, .device_bytes_per_s = 20 * kGB,
                                     .device_latency_s = 1e-6, .server_bytes_per_s = server_bytes_per_s,
                                     .server_latency_s = 2e-6});
      FlowNetwork one(t), each(t);
      const double s = run_plan(one, streams, first_ranks(ranks), ideal_protocol(), 0);
      const double p = run_plan(each, pieces, first_ranks(ranks), ideal_protocol(), 0);
      EXPECT_NEAR(s, p, 1e-9 * p) << servers << "x" << devices << " at " << server_bytes_per_s;
    }
  }
}

TEST(Collectives, PlansThatCannotRunAreRefused) {
  const Topology t = star(3, 10 * kGB, 0, "h", "s");
  FlowNetwork net(t);
  EXPECT_THROW(collective_plan(CollectiveAlgorithm::ring_all_reduce, 1, 1e6), std::invalid_argument);
  // A transfer waiting on itself never starts; one naming a fourth rank has nowhere to go.
  EXPECT_THROW(run_plan(net, {{0, 1, 1e6, {0}}}, first_ranks(3), ideal_protocol(), 0), std::logic_error);
  EXPECT_THROW(run_plan(net, {{0, 3, 1e6, {}}}, first_ranks(3), ideal_protocol(), 0), std::invalid_argument);
  EXPECT_THROW(run_plan(net, {{0, 1, 1e6, {5}}}, first_ranks(3), ideal_protocol(), 0), std::invalid_argument);
}

std::vector<std::vector<int>> complete_mesh(int n, int links) {
  std::vector<std::vector<int>> m(static_cast<std::size_t>(n), std::vector<int>(static_cast<std::size_t>(n), links));
  for (int a = 0; a < n; ++a) m[static_cast<std::size_t>(a)][static_cast<std::size_t>(a)] = 0;
  return m;
}

// nvidia-smi topo -m of a DGX-1 V100 (NV1 / NV2: one or two NVLinks).
const std::vector<std::vector<int>> kDgx1V100 = {{0, 1, 1, 2, 2, 0, 0, 0}, {1, 0, 2, 1, 0, 2, 0, 0}, {1, 2, 0, 2, 0, 0, 1, 0},
                                                 {2, 1, 2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 1, 1, 2}, {0, 2, 0, 0, 1, 0, 2, 1},
                                                 {0, 0, 1, 0, 1, 2, 0, 2}, {0, 0, 0, 1, 2, 1, 2, 0}};

TEST(NvlinkRings, CompleteMeshesSplitIntoRingsAsTillsonProved) {
  // Tillson (1980): the complete directed graph on n vertices splits into n - 1 Hamiltonian
  // cycles for every n but 4 and 6. With one link each way per pair that is n - 1 rings, every
  // device sending on every link; for 4 devices at most 2 fit (checked by hand: after two rings
  // the links left are two separate pairs), and with two links per pair, all 6.
  for (int n : {2, 3, 5, 7, 8}) EXPECT_EQ(nvlink_rings(complete_mesh(n, 1), device_range(n)), n - 1) << n;
  EXPECT_EQ(nvlink_rings(complete_mesh(4, 1), device_range(4)), 2);
  EXPECT_LT(nvlink_rings(complete_mesh(6, 1), device_range(6)), 5);
  EXPECT_EQ(nvlink_rings(complete_mesh(4, 2), device_range(4)), 6);
  // A ring may only use devices it passes through: the first 3 of a 5-device mesh make 2.
  EXPECT_EQ(nvlink_rings(complete_mesh(5, 1), device_range(3)), 2);
  // Twelve links between every pair of 8 devices: the search stops at its budget with rings that
  // fit, most of the 84 that could (here 74).
  const int many = nvlink_rings(complete_mesh(8, 12), device_range(8));
  EXPECT_LE(many, 84);
  EXPECT_GE(many, 63);
  EXPECT_THROW(nvlink_rings(complete_mesh(4, 1), device_range(5)), std::invalid_argument);
  EXPECT_THROW(nvlink_rings(complete_mesh(9, 1), device_range(9)), std::invalid_argument);
}

TEST(NvlinkRings, Dgx1V100HybridCubeMeshByDeviceCount) {
  // All 8: NVIDIA's "three interwoven rings of single NVLink connections", each run both ways.
  EXPECT_EQ(nvlink_rings(kDgx1V100, device_range(8)), 6);
  // GPUs 0-3: the rings 0-1-2-3 and 0-2-1-3, each run both ways, take all 4 links GPUs 0 and 1
  // have among the four.
  EXPECT_EQ(nvlink_rings(kDgx1V100, device_range(4)), 4);
  EXPECT_EQ(nvlink_rings(kDgx1V100, device_range(2)), 1);  // GPUs 0 and 1: one NVLink
  EXPECT_EQ(nvlink_rings(kDgx1V100, device_range(3)), 2);  // 0-1-2 both ways, bound by the single links 0-1, 0-2
  // GPU 4's only link among 0-4 goes to GPU 0: no ring passes through it.
  EXPECT_EQ(nvlink_rings(kDgx1V100, device_range(5)), 0);
  // GPUs 4 and 5 each have 3 links among 0-5, but a ring passes from 4 to 5 or back: 2 rings.
  EXPECT_EQ(nvlink_rings(kDgx1V100, device_range(6)), 2);
  // Other GPUs than the first: 1-2 and 2-3 share two NVLinks, 3-4 none; 4-7 mirror 0-3.
  EXPECT_EQ(nvlink_rings(kDgx1V100, device_range(2, 1)), 2);
  EXPECT_EQ(nvlink_rings(kDgx1V100, device_range(2, 2)), 2);
  EXPECT_EQ(nvlink_rings(kDgx1V100, device_range(2, 3)), 0);
  EXPECT_EQ(nvlink_rings(kDgx1V100, device_range(4, 4)), 4);
  EXPECT_THROW(nvlink_rings(kDgx1V100, device_range(4, 5)), std::invalid_argument);
  // Any GPUs, in any order: 0 and 3 or 0 and 4 share two NVLinks, 0 and 5 none. GPUs 0, 3, 4 and
  // 7 are linked only around the square 0-3-7-4, whose single link 3-7 carries one ring each way.
  EXPECT_EQ(nvlink_rings(kDgx1V100, {0, 3}), 2);
  EXPECT_EQ(nvlink_rings(kDgx1V100, {7, 0, 4, 3}), 2);
  EXPECT_EQ(nvlink_rings(kDgx1V100, {4, 0}), 2);
  EXPECT_EQ(nvlink_rings(kDgx1V100, {0, 5}), 0);
  EXPECT_THROW(nvlink_rings(kDgx1V100, {2, 2}), std::invalid_argument);
}

TEST(NvlinkPaths, DirectThenThroughTheWidestGpuBetweenThenThroughTheHost) {
  // All eight: a linked pair's one hop runs at its links' bandwidth; an unlinked pair goes through
  // a GPU linked to both, one whose narrower hop has as many links as any.
  const NvlinkPaths all = nvlink_paths(kDgx1V100, device_range(8), 25e9, 15.75e9);
  const auto& channels = all.topology.channels();
  for (int a = 0; a < 8; ++a)
    for (int b = 0; b < 8; ++b) {
      const auto& path = all.paths[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)];
      const int links = kDgx1V100[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)];
      if (a == b) {
        EXPECT_TRUE(path.empty());
      } else if (links > 0) {
        ASSERT_EQ(path.size(), 1u) << a << " -> " << b;
        EXPECT_EQ(channels[static_cast<std::size_t>(path[0])].from, a);
        EXPECT_EQ(channels[static_cast<std::size_t>(path[0])].to, b);
        EXPECT_EQ(channels[static_cast<std::size_t>(path[0])].bytes_per_s, links * 25e9);
      } else {
        ASSERT_EQ(path.size(), 2u) << a << " -> " << b;
        const int via = channels[static_cast<std::size_t>(path[0])].to;
        EXPECT_EQ(channels[static_cast<std::size_t>(path[0])].from, a);
        EXPECT_EQ(channels[static_cast<std::size_t>(path[1])].from, via);
        EXPECT_EQ(channels[static_cast<std::size_t>(path[1])].to, b);
        int widest = 0;
        for (int k = 0; k < 8; ++k)
          widest = std::max(widest, std::min(kDgx1V100[static_cast<std::size_t>(a)][static_cast<std::size_t>(k)],
                                             kDgx1V100[static_cast<std::size_t>(k)][static_cast<std::size_t>(b)]));
        EXPECT_EQ(std::min(kDgx1V100[static_cast<std::size_t>(a)][static_cast<std::size_t>(via)],
                           kDgx1V100[static_cast<std::size_t>(via)][static_cast<std::size_t>(b)]),
                  widest);
      }
    }
  // GPUs 3, 2, 6, 5: 3 and 5 share no neighbour among them (3-2-6-5 is three hops, past NVB's
  // one GPU between), so their pieces cross the host: up GPU 3's PCIe link, down GPU 5's.
  const NvlinkPaths chain = nvlink_paths(kDgx1V100, {3, 2, 6, 5}, 25e9, 15.75e9);
  const auto& path = chain.paths[0][3];
  ASSERT_EQ(path.size(), 2u);
  const auto& up = chain.topology.channels()[static_cast<std::size_t>(path[0])];
  const auto& down = chain.topology.channels()[static_cast<std::size_t>(path[1])];
  EXPECT_EQ(up.from, 0);
  EXPECT_EQ(chain.topology.name(up.to), "host-bridge");
  EXPECT_EQ(down.to, 3);
  EXPECT_EQ(up.bytes_per_s, 15.75e9);
  EXPECT_EQ(chain.paths[0][1].size(), 1u);  // 3 -> 2: their two links
  EXPECT_THROW(nvlink_paths(kDgx1V100, {3}, 25e9, 15.75e9), std::invalid_argument);
  EXPECT_THROW(nvlink_paths(kDgx1V100, {3, 8}, 25e9, 15.75e9), std::invalid_argument);
  EXPECT_THROW(nvlink_paths(kDgx1V100, {3, 2, 3}, 25e9, 15.75e9), std::invalid_argument);
}

}  // namespace
}  // namespace xpusim

// Memory footprint arithmetic, the all-reduce made of flows against its closed form with NCCL's
// protocols and the nccl-tests bus-bandwidth formula, and the data-parallel step's bookkeeping:
// one device has no communication, what is exposed is what the step waits for, scaling never
// beats linear.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "models/memory/footprint.hpp"
#include "models/network/collective_flows.hpp"
#include "models/training/collective_protocols.hpp"
#include "models/training/data_parallel.hpp"
#include "models/training/server_collective.hpp"
#include "workloads/training.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {
namespace {

TEST(Footprint, TrainingKeepsWeightsGradientsOptimizerAndActivations) {
  // One 1024 x 1024 layer on a batch of 64, mixed precision, SGD with momentum.
  Graph forward;
  forward.precision = Precision::bf16;
  forward.kernels.push_back(Kernel{"fc", Gemm{.batch = 1, .m = 64, .n = 1024, .k = 1024, .b_is_weight = true, .bias = false},
                                   DType::bf16});
  forward.kernels.push_back(Kernel{"gelu", Elementwise{EltwiseOp::gelu, 64 * 1024}, DType::bf16});
  const Graph g = expand_training(forward, Optimizer::sgd_momentum);
  const Footprint f = footprint(g);
  const int64_t p = 1024 * 1024;
  EXPECT_EQ(f.weights, p * (4 + 2));   // fp32 masters and their bf16 copies
  EXPECT_EQ(f.gradients, p * 4);
  EXPECT_EQ(f.optimizer_state, p * 4);  // one momentum per weight
  EXPECT_EQ(f.activations, 2 * (64 * 1024) * 2);  // both forward results, bf16
  EXPECT_EQ(f.total(), f.weights + f.gradients + f.optimizer_state + f.activations + f.workspace);
  // Adam keeps two moments.
  EXPECT_EQ(footprint(expand_training(forward, Optimizer::adam)).optimizer_state, p * 8);
}

TEST(Footprint, InferenceKeepsWeightsAndTheLargestLivePair) {
  Graph g;
  g.precision = Precision::int8;
  g.kernels.push_back(Kernel{"fc", Gemm{.batch = 1, .m = 8, .n = 4096, .k = 4096, .b_is_weight = true, .bias = false},
                             DType::s8});
  const Footprint f = footprint(g);
  EXPECT_EQ(f.weights, 4096 * 4096);  // one byte each
  EXPECT_EQ(f.gradients + f.optimizer_state, 0);
  EXPECT_EQ(f.activations, 8 * 4096 * 2);  // input and output
}

TEST(Footprint, FitMessageNamesBothSizes) {
  EXPECT_EQ(fit_message(int64_t(41) << 30, int64_t(16) << 30), "needs 41.0 GiB, has 16.0 GiB");
}

// NCCL's protocols on `nodes` servers of `t` (`devices` GPUs of each, or all): its GPUs, their
// links and its host CPU.
std::vector<CollectiveProtocol> protocols_on(const Catalog& catalog, const InstanceType& t, int nodes, int devices = 0) {
  const Fabric& fabric = catalog.fabric(t.accelerators->fabric);
  return nccl_protocols(fabric.nccl_gpus, fabric.over_pcie,
                        {nodes, devices > 0 ? devices : t.accelerators->count, t.host_cpu_vendor});
}

// The rate of a protocol's transfers through a server's NIC, within LL's bus bandwidth cap.
double nic_rate(const Catalog& catalog, const InstanceType& t, const CollectiveProtocol& p) {
  return std::min(t.network_gbps * 1e9 / 8 * catalog.network(t.network).efficiency * p.bandwidth_factor,
                  p.busbw_cap_bytes_per_s);
}

// A ring's closed form on idle, symmetric networks, d devices per server and n servers, over
// N = d n ranks. In one server, 2(d-1) steps of (d-1)/d of the buffer at the fabric's rate; across
// servers NCCL's ring through every GPU streams 2(N-1)/N of the buffer over every hop, the NICs
// the slowest, and pays the fabric's step latency on its 2(N-n) hops inside servers and the
// network's on the 2(n-1) between them. A reduce-scatter or all-gather is half of it.
// `device_bps` is what each of `devices` GPUs can send over the fabric (default: all of them, each
// all its links).
double ring_closed_form(const Catalog& catalog, const InstanceType& t, int nodes, double bytes, const CollectiveProtocol& p,
                        bool half = false, int devices = 0, double device_bps = 0) {
  const Fabric& fabric = catalog.fabric(t.accelerators->fabric);
  const NetworkKind& net = catalog.network(t.network);
  const int d = devices > 0 ? devices : t.accelerators->count, ranks = d * nodes;
  const double fabric_bps = std::min((device_bps > 0 ? device_bps : fabric.device_bytes_per_s) * fabric.efficiency *
                                         p.bandwidth_factor,
                                     p.busbw_cap_bytes_per_s);
  const double bps = nodes > 1 ? std::min(fabric_bps, nic_rate(catalog, t, p)) : fabric_bps;
  const double all_reduce = 2 * ((ranks - 1.0) / ranks * bytes / bps + (ranks - nodes) * p.fabric_step_s +
                                 (nodes - 1) * (p.network_step_s + net.latency_s));
  return p.base_latency_s + (half ? all_reduce / 2 : all_reduce);
}

TEST(ServerCollective, FlowsTakeTheFastestRingsClosedFormOnIdleSymmetricNetworks) {
  const Catalog& catalog = Catalog::builtin();
  for (const char* name : {"p4d.24xlarge", "p3dn.24xlarge", "dgx-a100-80gb"}) {
    const InstanceType& t = catalog.instance(name);
    for (int nodes : {1, 2, 4}) {
      const auto protocols = protocols_on(catalog, t, nodes);
      ASSERT_EQ(protocols.size(), 3u) << name;  // LL, LL128 and Simple over NVLink
      ServerCollective ar(catalog, t, t.accelerators->count, nodes);
      for (double bytes : {8.0, 65536.0, 1e6, 4e6, 25.0 * (1 << 20), 1e9}) {
        double expected = std::numeric_limits<double>::infinity();
        std::string fastest;
        for (const auto& p : protocols)
          if (const double s = ring_closed_form(catalog, t, nodes, bytes, p); s < expected) {
            expected = s;
            fastest = p.name;
          }
        // A tree between servers is taken only where it beats every ring.
        const auto timing = ar.time(bytes);
        if (timing.algorithm == "tree") {
          EXPECT_LT(timing.seconds, expected) << name << ", " << nodes << " servers, " << bytes << " bytes";
          continue;
        }
        EXPECT_EQ(timing.algorithm, "ring");
        EXPECT_NEAR(timing.seconds, expected, 1e-9 * expected) << name << ", " << nodes << " servers, " << bytes << " bytes";
        EXPECT_EQ(timing.protocol, fastest) << name << ", " << nodes << " servers, " << bytes << " bytes";
      }
    }
  }
}

TEST(ServerCollective, ReduceScatterAndAllGatherTakeHalfARingAllReduce) {
  // As FSDP and ZeRO shard gradients and gather parameters: a ring each way, never a tree, with
  // half an all-reduce's steps and bytes over the fastest of NCCL's protocols.
  const Catalog& catalog = Catalog::builtin();
  const InstanceType& p4d = catalog.instance("p4d.24xlarge");
  for (int nodes : {1, 2, 16})
    for (double bytes : {8.0, 1e6, 1e9}) {
      double expected = std::numeric_limits<double>::infinity();
      for (const auto& p : protocols_on(catalog, p4d, nodes)) expected = std::min(expected, ring_closed_form(catalog, p4d, nodes, bytes, p, true));
      for (auto op : {ServerCollectiveOp::reduce_scatter, ServerCollectiveOp::all_gather}) {
        const auto timing = ServerCollective(catalog, p4d, 8, nodes, op).time(bytes);
        EXPECT_EQ(timing.algorithm, "ring") << server_collective_name(op) << " " << nodes << " " << bytes;
        EXPECT_NEAR(timing.seconds, expected, 1e-9 * expected) << server_collective_name(op) << " " << nodes << " " << bytes;
      }
    }
  // nccl-tests' bus bandwidth of a 1 GiB reduce-scatter in one server, (n-1)/n x bytes / time,
  // is the fabric's, as the all-reduce's is.
  const double s = ServerCollective(catalog, p4d, 8, 1, ServerCollectiveOp::reduce_scatter).seconds(1 << 30);
  EXPECT_NEAR((1 << 30) / s * bus_bandwidth_factor(ServerCollectiveOp::reduce_scatter, 8), 230.77e9, 0.01 * 230.77e9);
  EXPECT_DOUBLE_EQ(bus_bandwidth_factor(ServerCollectiveOp::all_reduce, 8), 2 * 7.0 / 8);
  // Gaudi: direct phases inside a server, one step each.
  const InstanceType& dl1 = catalog.instance("dl1.24xlarge");
  const Fabric& roce = catalog.fabric(dl1.accelerators->fabric);
  const double bytes = 25.0 * (1 << 20);
  const double direct = 7.0 / 8 * bytes / (roce.device_bytes_per_s * roce.efficiency) + roce.step_latency_s;
  EXPECT_NEAR(ServerCollective(catalog, dl1, 8, 1, ServerCollectiveOp::all_gather).seconds(bytes), direct, 1e-9 * direct);
}

TEST(ServerCollective, SomeDevicesOfAServerGetOnlyTheLinksAmongThem) {
  // As nccl-tests -g d and a job given d GPUs run: on the first d. A DGX-1's hybrid cube mesh
  // gives d V100 the rings of single NVLinks their links make (NvlinkRings, by hand: GPUs 0 and 1
  // share one link, GPUs 0-3 make four rings, all 8 six), and GPUs 0-4 none: GPU 4's one link
  // among them goes to GPU 0, so NCCL's ring crosses the host's PCIe (15.75 GB/s).
  const Catalog& catalog = Catalog::builtin();
  const InstanceType& p3 = catalog.instance("p3.16xlarge");
  const std::vector<std::pair<int, double>> v100 = {{2, 25e9},  {3, 50e9},  {4, 100e9}, {5, 15.75e9},
                                                     {6, 50e9},  {7, 100e9}, {8, 150e9}};
  for (const auto& [d, bps] : v100)
    for (int nodes : {1, 2})
      for (double bytes : {8.0, 1e6, 1e9}) {
        double expected = std::numeric_limits<double>::infinity();
        for (const auto& p : protocols_on(catalog, p3, nodes, d))
          expected = std::min(expected, ring_closed_form(catalog, p3, nodes, bytes, p, false, d, bps));
        ServerCollective ar(catalog, p3, d, nodes);
        ar.only("ring");
        EXPECT_NEAR(ar.seconds(bytes), expected, 1e-9 * expected) << d << " GPUs, " << nodes << " servers, " << bytes;
      }
  // A job on GPUs 2 and 3 (two NVLinks between them) rather than 0 and 1.
  double on_2_and_3 = std::numeric_limits<double>::infinity();
  for (const auto& p : protocols_on(catalog, p3, 1, 2))
    on_2_and_3 = std::min(on_2_and_3, ring_closed_form(catalog, p3, 1, 1e9, p, false, 2, 50e9));
  EXPECT_NEAR(ServerCollective(catalog, p3, 2, 1, ServerCollectiveOp::all_reduce, {2, 3}).seconds(1e9), on_2_and_3,
              1e-9 * on_2_and_3);
  EXPECT_NEAR(ServerCollective(catalog, p3, 2, 1, ServerCollectiveOp::all_reduce, {4, 0}).seconds(1e9), on_2_and_3,
              1e-9 * on_2_and_3);  // so do GPUs 0 and 4, in either order
  EXPECT_THROW(ServerCollective(catalog, p3, 4, 1, ServerCollectiveOp::all_reduce, {5, 6, 7, 8}), std::invalid_argument);
  EXPECT_THROW(ServerCollective(catalog, p3, 2, 1, ServerCollectiveOp::all_reduce, {1, 1}), std::invalid_argument);
  EXPECT_THROW(ServerCollective(catalog, p3, 2, 1, ServerCollectiveOp::all_reduce, {1, 2, 3}), std::invalid_argument);
  // P100 (4 NVLinks, one per edge of the cube and per diagonal of two faces): GPUs 0-3 are fully
  // linked, which makes 2 rings of 4 (Tillson), all 8 four.
  const InstanceType& p100 = catalog.instance("dgx-1-p100");
  for (const auto& [d, bps] : std::vector<std::pair<int, double>>{{2, 20e9}, {4, 40e9}, {8, 80e9}}) {
    double expected = std::numeric_limits<double>::infinity();
    for (const auto& p : protocols_on(catalog, p100, 1, d))
      expected = std::min(expected, ring_closed_form(catalog, p100, 1, 1e9, p, false, d, bps));
    EXPECT_NEAR(ServerCollective(catalog, p100, d, 1).seconds(1e9), expected, 1e-9 * expected) << d;
  }
  // Gaudi: one 100 Gbit/s port to each other card, so d cards' direct phases use d - 1 of them.
  const InstanceType& dl1 = catalog.instance("dl1.24xlarge");
  const Fabric& roce = catalog.fabric(dl1.accelerators->fabric);
  for (int d : {2, 4, 8}) {
    const double bytes = 1e9, port = 12.5e9 * roce.efficiency;
    const double direct = (d - 1.0) / d * bytes / ((d - 1) * port) + roce.step_latency_s;
    EXPECT_NEAR(ServerCollective(catalog, dl1, d, 1, ServerCollectiveOp::all_gather).seconds(bytes), direct, 1e-9 * direct)
        << d;
  }
  // NVSwitch gives any number of GPUs all their links.
  const InstanceType& p4d = catalog.instance("p4d.24xlarge");
  for (int d : {2, 5}) {
    double expected = std::numeric_limits<double>::infinity();
    for (const auto& p : protocols_on(catalog, p4d, 1, d))
      expected = std::min(expected, ring_closed_form(catalog, p4d, 1, 1e9, p, false, d, 300e9));
    EXPECT_NEAR(ServerCollective(catalog, p4d, d, 1).seconds(1e9), expected, 1e-9 * expected) << d;
  }
  EXPECT_THROW(ServerCollective(catalog, p4d, 9, 1), std::invalid_argument);
}

TEST(ServerCollective, SmallMessagesPayLLsLatencyAndLargeOnesReachSimplesBandwidth) {
  const Catalog& catalog = Catalog::builtin();
  const InstanceType& p4d = catalog.instance("p4d.24xlarge");
  const Fabric& nvswitch = catalog.fabric(p4d.accelerators->fabric);
  ServerCollective one(catalog, p4d, 8, 1);
  // 8 bytes on 8 A100: NCCL's ring LL latency, 6.6 us + 14 steps of 0.6 us over NVLink.
  EXPECT_EQ(one.time(8).protocol, "LL");
  EXPECT_NEAR(one.seconds(8), 15.0e-6, 0.001 * 15.0e-6);
  // LL128 between, on NVLink only.
  EXPECT_EQ(one.time(4 << 20).protocol, "LL128");
  // 1 GiB: nccl-tests' bus bandwidth, 2(d-1)/d x bytes over the time less Simple's latencies, is
  // the fabric's achieved bandwidth (230.77 GB/s measured).
  const auto large = one.time(1e9);
  ASSERT_EQ(large.protocol, "Simple");
  const auto simple = nccl_protocol("ampere", false, "Simple");
  const double bus = 2.0 * 7 / 8 * 1e9 / (large.seconds - simple.base_latency_s - 14 * simple.fabric_step_s);
  EXPECT_NEAR(bus, nvswitch.device_bytes_per_s * nvswitch.efficiency, 1e-9 * bus);
  EXPECT_NEAR(bus, 230.77e9, 0.01 * 230.77e9);
  // Time grows with size, and every size takes the fastest protocol: never slower than Simple.
  double last = 0;
  for (double bytes = 8; bytes <= 1e9; bytes *= 4) {
    const double s = one.seconds(bytes);
    EXPECT_GT(s, last) << bytes;
    EXPECT_LE(s, ring_closed_form(catalog, p4d, 1, bytes, simple) * (1 + 1e-9)) << bytes;
    last = s;
  }
  EXPECT_EQ(one.seconds(0), 0);
  EXPECT_EQ(one.time(0).protocol, "");
  ServerCollective alone(catalog, p4d, 1, 1);
  EXPECT_EQ(alone.seconds(1e9), 0);  // nobody to talk to
}

TEST(ServerCollective, NcclsDoubleBinaryTreeIsAsNcclBuildsIt) {
  // src/graph/trees.cc's illustration of 14 ranks: 0-8, 8-4, 8-12, 4-2, 4-6, 12-10, 12-13, ...
  const std::vector<int> parents14{-1, 2, 4, 2, 8, 6, 4, 6, 0, 10, 12, 10, 8, 12};
  for (int r = 0; r < 14; ++r) EXPECT_EQ(nccl_tree_parent(0, 14, r), parents14[static_cast<std::size_t>(r)]) << r;
  // Even counts mirror the first tree, odd ones shift it by one.
  EXPECT_EQ(nccl_tree_parent(1, 14, 13), -1);
  EXPECT_EQ(nccl_tree_parent(1, 14, 5), 13 - parents14[8]);
  EXPECT_EQ(nccl_tree_parent(1, 13, 1), -1);
  EXPECT_EQ(nccl_tree_parent(1, 13, 9), (nccl_tree_parent(0, 13, 8) + 1) % 13);
  for (int n = 2; n <= 130; ++n) {
    // Each tree reaches every rank from its one root, and with an even count every rank is a
    // leaf in one of the two (which spreads the sends over every rank's link).
    std::vector<int> children(2 * static_cast<std::size_t>(n), 0);
    for (int tree = 0; tree < 2; ++tree) {
      int roots = 0;
      for (int r = 0; r < n; ++r) {
        const int up = nccl_tree_parent(tree, n, r);
        if (up < 0) {
          ++roots;
        } else {
          ++children[static_cast<std::size_t>(tree * n + up)];
        }
        int hops = 0;
        for (int at = r; nccl_tree_parent(tree, n, at) >= 0 && hops <= n; at = nccl_tree_parent(tree, n, at)) ++hops;
        EXPECT_LE(hops, nccl_tree_depth(n)) << n;
      }
      EXPECT_EQ(roots, 1) << n;
    }
    if (n % 2 == 0) {
      for (int r = 0; r < n; ++r)
        EXPECT_TRUE(children[static_cast<std::size_t>(r)] == 0 || children[static_cast<std::size_t>(n + r)] == 0) << n << " " << r;
    }
    EXPECT_EQ(nccl_tree_depth(n), static_cast<int>(std::ceil(std::log2(n)))) << n;
  }
}

TEST(ServerCollective, ManyServersTakeATreeWhoseDepthGrowsWithTheirLog) {
  // 8 bytes on p4d servers: 2 (d-1) hops inside a server and twice the tree's depth between
  // them, at the tree latencies of NCCL's LL, plus EFA's latency per edge between servers; a ring
  // would pay 2 (n-1) steps between them (NCCL's tuning model has the same formulas).
  const Catalog& catalog = Catalog::builtin();
  const InstanceType& p4d = catalog.instance("p4d.24xlarge");
  const double efa = catalog.network(p4d.network).latency_s;
  for (int nodes : {2, 4, 16, 100, 128}) {
    const auto ll = nccl_protocol("ampere", false, "LL", {nodes, 8, p4d.host_cpu_vendor});
    ServerCollective ar(catalog, p4d, 8, nodes);
    const auto timing = ar.time(8);
    EXPECT_EQ(timing.algorithm, "tree") << nodes;
    EXPECT_EQ(timing.protocol, "LL") << nodes;
    const double tree =
        ll.tree_base_latency_s + 14 * ll.tree_fabric_step_s + 2 * nccl_tree_depth(nodes) * (ll.tree_network_step_s + efa);
    EXPECT_NEAR(timing.seconds, tree, 1e-3 * tree) << nodes;
    EXPECT_LT(timing.seconds, ring_closed_form(catalog, p4d, nodes, 8, ll)) << nodes;
  }
  // Two servers, 1 GiB: each server's NIC carries half of the buffer down one tree and half up
  // the other, the whole buffer once, where a ring through all 16 GPUs passes 30/16 of it (so
  // NCCL's tree beats its ring on two servers; nccl-tests issue 22 measured 134 ms against
  // 268 ms on two p3dn).
  const double gib = 1 << 30;
  const auto timing = ServerCollective(catalog, p4d, 8, 2).time(gib);
  EXPECT_EQ(timing.algorithm, "tree");
  const auto simple = nccl_protocol("ampere", false, timing.protocol);
  const double nic = p4d.network_gbps * 1e9 / 8 * catalog.network(p4d.network).efficiency * simple.tree_bandwidth_factor;
  const double tree = simple.tree_base_latency_s + 14 * simple.tree_fabric_step_s +
                      2 * (simple.tree_network_step_s + efa) + gib / nic;
  EXPECT_NEAR(timing.seconds, tree, 1e-9 * tree);
  // Many servers: every inner rank of a tree passes twice the buffer; the ring 2(N-1)/N of it,
  // and a ring is taken for large buffers where its bandwidth wins.
  EXPECT_EQ(ServerCollective(catalog, p4d, 8, 4).time(gib).algorithm, "ring");
}

TEST(ServerCollective, NcclTunesRingsAcrossServersToTheHostCpu) {
  // NCCL's tuning.cc: across servers every ring step waits at least on the network proxy (1 us
  // on an Intel host, 2 us on AMD, three times that for Simple), LL's bus bandwidth is capped at
  // llMaxBws of the host's vendor and the server count, and with one GPU per server a ring's
  // step between servers costs the tree's. In one server none of this applies; a tree's steps
  // never change.
  struct Expect {
    NcclScope scope;
    double ll_step_us, ll128_step_us, simple_step_us, ll_cap_gbytes_per_s;
  };
  const std::vector<Expect> cases{
      {{1, 8, "amd"}, 0.6, 1.9, 3.4, 87.7},     {{2, 8, "intel"}, 1.0, 1.9, 3.4, 39.0},
      {{4, 8, "intel"}, 1.0, 1.9, 3.4, 20.4},   {{2, 8, "amd"}, 2.0, 2.0, 6.0, 22.5},
      {{16, 8, "amd"}, 2.0, 2.0, 6.0, 19.0},    {{4, 8, "unknown"}, 1.0, 1.9, 3.4, 20.4},
  };
  for (const auto& [scope, ll, ll128, simple, cap] : cases) {
    const std::string at = std::to_string(scope.nodes) + " servers, " + scope.host_cpu_vendor;
    const auto protocols = nccl_protocols("ampere", false, scope);
    ASSERT_EQ(protocols.size(), 3u);
    EXPECT_NEAR(protocols[0].fabric_step_s, ll * 1e-6, 1e-15) << at;
    EXPECT_NEAR(protocols[1].fabric_step_s, ll128 * 1e-6, 1e-15) << at;
    EXPECT_NEAR(protocols[2].fabric_step_s, simple * 1e-6, 1e-15) << at;
    EXPECT_NEAR(protocols[0].busbw_cap_bytes_per_s, cap * 1e9, 1) << at;
    const double trees[] = {0.6, 1.25, 4.0}, networks[] = {2.7, 4.0, 14.0};
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(protocols[i].tree_fabric_step_s, trees[i] * 1e-6, 1e-15) << at;
      EXPECT_NEAR(protocols[i].network_step_s, networks[i] * 1e-6, 1e-15) << at;
    }
  }
  // One GPU per server (PCIe, Pascal: LL and Simple): the ring's network steps are the tree's.
  const auto alone = nccl_protocols("pascal", true, {4, 1, "intel"});
  ASSERT_EQ(alone.size(), 2u);
  EXPECT_NEAR(alone[0].network_step_s, 5.0e-6, 1e-15);
  EXPECT_NEAR(alone[1].network_step_s, 14.0e-6, 1e-15);
  EXPECT_THROW(nccl_protocols("ampere", false, {2, 8, "arm"}), std::invalid_argument);

  // The same collective on two A100 servers differs by the host alone: the DGX A100 (AMD EPYC)
  // against itself with an Intel host, at a size where a ring of LL128 or Simple wins.
  Catalog catalog = Catalog::builtin();
  InstanceType dgx = catalog.instance("dgx-a100-80gb");
  ServerCollective amd(catalog, dgx, 8, 2, ServerCollectiveOp::all_gather);
  dgx.host_cpu_vendor = "intel";
  ServerCollective intel(catalog, dgx, 8, 2, ServerCollectiveOp::all_gather);
  const auto a = amd.time(4 << 20), i = intel.time(4 << 20);
  ASSERT_EQ(a.protocol, i.protocol);
  const double step = a.protocol == "Simple" ? 6.0 - 3.4 : a.protocol == "LL128" ? 2.0 - 1.9 : 2.0 - 1.0;
  EXPECT_NEAR(a.seconds - i.seconds, 14 * step * 1e-6, 1e-12) << a.protocol;  // N - n = 14 steps inside servers
}

TEST(ServerCollective, NvlsAllReducesMoveABufferAndAnEighthThroughEachGpuLink) {
  // NVLink SHARP on 8 H100: every GPU moves b (1 + 1/8) to the switch and back at once, at the
  // fabric's NVLS efficiency, after NCCL's 25 us; all-reduces in one server only.
  const Catalog& catalog = Catalog::builtin();
  const InstanceType& p5 = catalog.instance("p5.48xlarge");
  const Fabric& fabric = catalog.fabric(p5.accelerators->fabric);
  ASSERT_GT(fabric.nvls_efficiency, 0);
  ServerCollective all_reduce(catalog, p5, 8, 1);
  for (double bytes : {4.0 * (1 << 20), 64.0 * (1 << 20), 1e9}) {
    const auto t = all_reduce.time(bytes);
    const double nvls = kNcclNvlsLatencyS + 1.125 * bytes / (fabric.device_bytes_per_s * fabric.nvls_efficiency);
    EXPECT_EQ(t.algorithm, "nvls") << bytes;
    EXPECT_EQ(t.protocol, "Simple") << bytes;
    EXPECT_NEAR(t.seconds, nvls, 1e-9 * nvls) << bytes;
  }
  EXPECT_TRUE(all_reduce.offers("nvls"));
  // Not for other collectives, not across servers, not on Ampere's NVSwitch.
  EXPECT_FALSE(ServerCollective(catalog, p5, 8, 1, ServerCollectiveOp::all_gather).offers("nvls"));
  EXPECT_FALSE(ServerCollective(catalog, p5, 8, 2).offers("nvls"));
  EXPECT_FALSE(ServerCollective(catalog, catalog.instance("p4d.24xlarge"), 8, 1).offers("nvls"));
  ServerCollective ring(catalog, p5, 8, 1);
  ring.only("ring");
  EXPECT_EQ(ring.time(1e9).algorithm, "ring");
  EXPECT_GT(ring.seconds(1e9), all_reduce.seconds(1e9));
}

TEST(ServerCollective, Ll128RunsOnlyOverNvlinkFromVolta) {
  EXPECT_EQ(nccl_protocols("volta", false).size(), 3u);
  EXPECT_EQ(nccl_protocols("hopper", false).size(), 3u);
  for (const auto& [generation, pcie] : {std::pair{"pascal", false}, std::pair{"ampere", true}}) {
    const auto protocols = nccl_protocols(generation, pcie);
    ASSERT_EQ(protocols.size(), 2u) << generation;
    EXPECT_EQ(protocols.front().name, "LL");
    EXPECT_EQ(protocols.back().name, "Simple");
    EXPECT_THROW(nccl_protocol(generation, pcie, "LL128"), std::invalid_argument);
  }
  EXPECT_THROW(nccl_protocols("kepler", false), std::invalid_argument);
  // Every size on 4 P100 over PCIe runs LL or Simple.
  const Catalog& catalog = Catalog::builtin();
  int pcie_instances = 0;
  for (const std::string& name : catalog.instance_names()) {
    if (name == "host") continue;
    const InstanceType& t = catalog.instance(name);
    if (t.accelerators && !t.accelerators->fabric.empty() && catalog.fabric(t.accelerators->fabric).over_pcie) {
      ++pcie_instances;
      ServerCollective ar(catalog, t, t.accelerators->count, 1);
      for (double bytes = 8; bytes <= 1e9; bytes *= 16) EXPECT_NE(ar.time(bytes).protocol, "LL128") << name << " " << bytes;
    }
  }
  EXPECT_GT(pcie_instances, 0);
}

TEST(ServerCollective, AllToAllFabricsUseEveryLinkInOneStep) {
  // DL1: 8 Gaudi, one link between every pair, 1/7 of each card's bandwidth. The direct
  // reduce-scatter sends every shard at once: the ring's bandwidth term with one step's latency.
  const Catalog& catalog = Catalog::builtin();
  const InstanceType& dl1 = catalog.instance("dl1.24xlarge");
  const Fabric& roce = catalog.fabric(dl1.accelerators->fabric);
  ASSERT_TRUE(roce.all_to_all);
  ServerCollective ar(catalog, dl1, 8, 1);
  EXPECT_EQ(ar.fabric().link_count(), 28u);
  const double bytes = 25.0 * (1 << 20);
  const double expected = 2 * (7.0 / 8 * bytes / (roce.device_bytes_per_s * roce.efficiency) + roce.step_latency_s);
  EXPECT_NEAR(ar.seconds(bytes), expected, 1e-9 * expected);
  EXPECT_EQ(ar.time(bytes).protocol, "HCCL");  // Gaudi's own library, one protocol
  // Across n servers HCCL adds a ring per shard between them, all of a server's shards through
  // its NIC at once: 2(n-1)/n of the buffer through each NIC, 2(n-1) network steps.
  const NetworkKind& net = catalog.network(dl1.network);
  const double nic = dl1.network_gbps * 1e9 / 8 * net.efficiency;
  for (int n : {2, 4}) {
    const double across = expected + 2 * (n - 1.0) / n * bytes / nic + 2 * (n - 1) * net.latency_s;
    const auto timing = ServerCollective(catalog, dl1, 8, n).time(bytes);
    EXPECT_NEAR(timing.seconds, across, 1e-9 * across) << n;
    EXPECT_EQ(timing.algorithm, "ring");
  }
}

TEST(ServerCollective, NcclBroadcastIsAChainAndAllToAllOneStepOfEveryPiece) {
  // A broadcast streams the whole buffer over every hop of a chain through the N GPUs: the
  // slowest hop's bandwidth, N - n fabric steps and n - 1 network steps. An all-to-all sends all
  // its pieces at once, one step: in one server (d-1)/d of the buffer leaves each GPU over its
  // NVLink; across n servers d (n-1)/n of it leaves each server through its NIC, which is slower.
  // Sends and receives run LL up to 16 KiB per peer, Simple above, never LL128.
  const Catalog& catalog = Catalog::builtin();
  for (const char* name : {"p4d.24xlarge", "p3dn.24xlarge", "dgx-a100-80gb"}) {
    const InstanceType& t = catalog.instance(name);
    const Fabric& fabric = catalog.fabric(t.accelerators->fabric);
    const NetworkKind& net = catalog.network(t.network);
    const int d = t.accelerators->count;
    for (int nodes : {1, 2, 4}) {
      ServerCollective broadcast(catalog, t, d, nodes, ServerCollectiveOp::broadcast);
      ServerCollective all_to_all(catalog, t, d, nodes, ServerCollectiveOp::all_to_all);
      const int ranks = d * nodes;
      for (double bytes : {8.0, 65536.0, 1e6, 1e9}) {
        double chain = std::numeric_limits<double>::infinity(), direct = chain;
        std::string chain_protocol, direct_protocol;
        for (const auto& p : protocols_on(catalog, t, nodes)) {
          const double fabric_bps =
              std::min(fabric.device_bytes_per_s * fabric.efficiency * p.bandwidth_factor, p.busbw_cap_bytes_per_s);
          const double net_bps = nic_rate(catalog, t, p);
          const double network_step = p.network_step_s + net.latency_s;
          const double c = p.base_latency_s + bytes / (nodes > 1 ? std::min(fabric_bps, net_bps) : fabric_bps) +
                           (ranks - nodes) * p.fabric_step_s + (nodes - 1) * network_step;
          if (c < chain) std::tie(chain, chain_protocol) = std::pair(c, p.name);
          if (p.name == "LL128" || (p.name == "LL" && bytes / ranks > 16384)) continue;
          const double a = nodes > 1 ? p.base_latency_s + network_step + d * (nodes - 1.0) / nodes * bytes / net_bps
                                     : p.base_latency_s + p.fabric_step_s + (d - 1.0) / d * bytes / fabric_bps;
          if (a < direct) std::tie(direct, direct_protocol) = std::pair(a, p.name);
        }
        const std::string at = std::string(name) + ", " + std::to_string(nodes) + " servers, " + std::to_string(bytes);
        const auto b = broadcast.time(bytes), a = all_to_all.time(bytes);
        EXPECT_NEAR(b.seconds, chain, 1e-9 * chain) << at;
        EXPECT_EQ(b.algorithm, "ring") << at;
        EXPECT_EQ(b.protocol, chain_protocol) << at;
        EXPECT_EQ(a.algorithm, "direct") << at;
        if (nodes == 1 && !fabric.mesh.empty()) continue;  // a DGX-1's all-to-all: the next test
        EXPECT_NEAR(a.seconds, direct, 1e-9 * direct) << at;
        EXPECT_EQ(a.protocol, direct_protocol) << at;
      }
    }
  }
  EXPECT_DOUBLE_EQ(bus_bandwidth_factor(ServerCollectiveOp::broadcast, 8), 1.0);
  EXPECT_DOUBLE_EQ(bus_bandwidth_factor(ServerCollectiveOp::all_to_all, 8), 7.0 / 8);
  EXPECT_THROW(ServerCollective(catalog, catalog.instance("p4d.24xlarge"), 8, kAllToAllMaxServers + 1,
                                ServerCollectiveOp::all_to_all),
               std::invalid_argument);
}

TEST(ServerCollective, AllToAllOnAnNvlinkMeshTakesNcclsPointToPointPaths) {
  // In a DGX-1 each piece goes over the NVLinks between its two GPUs, else through the GPU between
  // them with the widest narrower hop, else up and down PCIe (NCCL's P2P, NVB, then the host).
  // All pieces start at once and share links max-min: the slowest sets the time.
  //   GPUs 0-3, all pairs linked: a piece alone on each one-link direction, 25 GB/s.
  //   GPUs 0, 1, 5 (0-5 unlinked): 0 -> 5 goes through 1 and shares 0 -> 1's one link, 12.5 GB/s.
  //   GPUs 0 and 5: no NVLink path, PCIe at 15.75 GB/s.
  // A ring over GPUs 0-3 gives each 100 GB/s, which an all-to-all cannot use: GPU 0 has one link
  // to GPU 1 and one to GPU 2 however many rings the four close.
  const Catalog& catalog = Catalog::builtin();
  const InstanceType& p3 = catalog.instance("p3.16xlarge");
  const Fabric& fabric = catalog.fabric(p3.accelerators->fabric);
  struct Case {
    std::vector<int> gpus;
    double slowest_bps, ring_bps;  // the slowest piece's rate; what the rings give each GPU
  };
  for (const Case& c : {Case{{0, 1, 2, 3}, 25e9, 100e9}, Case{{0, 1, 5}, 12.5e9, 15.75e9}, Case{{0, 5}, 15.75e9, 15.75e9}}) {
    const int d = static_cast<int>(c.gpus.size());
    ServerCollective a(catalog, p3, d, 1, ServerCollectiveOp::all_to_all, c.gpus);
    for (double bytes : {8.0, 1e9}) {
      double expected = std::numeric_limits<double>::infinity();
      for (const auto& p : protocols_on(catalog, p3, 1, d)) {
        if (p.name == "LL128" || (p.name == "LL" && bytes / d > 16384)) continue;
        const double efficiency = std::min(fabric.efficiency * p.bandwidth_factor, p.busbw_cap_bytes_per_s / c.ring_bps);
        expected = std::min(expected, p.base_latency_s + p.fabric_step_s + bytes / d / (c.slowest_bps * efficiency));
      }
      EXPECT_NEAR(a.seconds(bytes), expected, 1e-9 * expected) << d << " GPUs from " << c.gpus[0] << ", " << bytes;
    }
  }
  // All eight: pieces between unlinked GPUs take two hops, so single links carry relayed pieces
  // too, and the all-to-all's bus bandwidth is under half the six rings' all-reduce, though above
  // one link's.
  const double gib = 1 << 30;
  const double busbw = gib / ServerCollective(catalog, p3, 8, 1, ServerCollectiveOp::all_to_all).seconds(gib) * 7 / 8;
  EXPECT_LT(busbw, 6 * 25e9 * fabric.efficiency / 2);
  EXPECT_GT(busbw, 25e9 * fabric.efficiency);
}

TEST(ServerCollective, HcclBroadcastScattersChainsAndGathersAndAllToAllOverlapsFabricAndNetwork) {
  // DL1, 8 Gaudi with a direct link between every pair (1/7 of a card's bandwidth each).
  const Catalog& catalog = Catalog::builtin();
  const InstanceType& dl1 = catalog.instance("dl1.24xlarge");
  const Fabric& roce = catalog.fabric(dl1.accelerators->fabric);
  const NetworkKind& net = catalog.network(dl1.network);
  const double link = roce.device_bytes_per_s * roce.efficiency / 7, nic = dl1.network_gbps * 1e9 / 8 * net.efficiency;
  const double bytes = 25.0 * (1 << 20), shard = bytes / 8;
  // Broadcast in one server: the root sends an eighth to each card, then every card its eighth to
  // every other: two steps of an eighth over one link.
  const double inside = 2 * (shard / link + roce.step_latency_s);
  EXPECT_NEAR(ServerCollective(catalog, dl1, 8, 1, ServerCollectiveOp::broadcast).seconds(bytes), inside, 1e-9 * inside);
  // Across two servers each shard goes on in 1 MiB chunks (4 of them), the 8 shards sharing the
  // NIC: the chunks of a chain of two servers take 4 steps.
  const double chunk = shard / 4;
  const double across = inside + 4 * (chunk * 8 / nic + net.latency_s);
  const auto b = ServerCollective(catalog, dl1, 8, 2, ServerCollectiveOp::broadcast).time(bytes);
  EXPECT_NEAR(b.seconds, across, 1e-9 * across);
  EXPECT_EQ(b.algorithm, "ring");
  // All-to-all: in one server an eighth of the buffer over each link at once; across two the
  // half bound for the other server crosses its NIC (8 cards x half a buffer) while the pieces
  // for the own server's cards cross the links.
  const double one = shard / link + roce.step_latency_s;
  EXPECT_NEAR(ServerCollective(catalog, dl1, 8, 1, ServerCollectiveOp::all_to_all).seconds(bytes), one, 1e-9 * one);
  const double two = std::max(bytes / 16 / link + roce.step_latency_s, 8 * bytes / 2 / nic + net.latency_s);
  const auto a = ServerCollective(catalog, dl1, 8, 2, ServerCollectiveOp::all_to_all).time(bytes);
  EXPECT_NEAR(a.seconds, two, 1e-9 * two);
  EXPECT_EQ(a.algorithm, "direct");
  EXPECT_EQ(a.protocol, "HCCL");
}

TEST(ServerCollective, ServersWithoutANetworkCannotTrainTogether) {
  const Catalog& catalog = Catalog::builtin();
  InstanceType isolated = catalog.instance("dl1.24xlarge");
  isolated.network.clear();
  EXPECT_NO_THROW(ServerCollective(catalog, isolated, 8, 1));
  EXPECT_THROW(ServerCollective(catalog, isolated, 8, 2), std::invalid_argument);
}

TrainingConfig config(const char* model, const char* instance, Precision p, int64_t batch) {
  TrainingConfig c;
  c.model = model;
  c.instance = instance;
  c.precision = p;
  c.batch_per_device = batch;
  return c;
}

TEST(DataParallel, OneDeviceHasNoCommunicationAndScalingIsAtMostLinear) {
  const Catalog& catalog = Catalog::builtin();
  TrainingConfig c = config("resnet50", "p4d.24xlarge", Precision::fp16, 64);
  c.devices_per_node = 1;
  const TrainingResult one = simulate_training(catalog, c);
  EXPECT_EQ(one.communication_s, 0);
  EXPECT_DOUBLE_EQ(one.step_s, one.compute_s);
  EXPECT_NEAR(one.throughput_per_s, 64 / one.step_s, 1e-9);

  c.devices_per_node = 8;
  c.nodes = 2;
  const TrainingResult many = simulate_training(catalog, c);
  EXPECT_EQ(many.devices, 16);
  EXPECT_GT(many.communication_s, 0);
  EXPECT_GE(many.exposed_communication_s, 0);
  EXPECT_LE(many.exposed_communication_s, many.communication_s + 1e-12);
  EXPECT_NEAR(many.step_s, many.compute_s + many.exposed_communication_s, 1e-12);
  EXPECT_LE(many.throughput_per_s, 16 * one.throughput_per_s * (1 + 1e-12));
  EXPECT_NEAR(many.scaling_efficiency, many.throughput_per_s / (16 * many.single_device_throughput_per_s), 1e-12);
  // Every gradient is exchanged: ResNet-50's 25.6 M weights in fp32.
  EXPECT_NEAR(many.gradient_bytes, 4.0 * 25.557e6, 0.01 * 4 * 25.557e6);
}

TEST(DataParallel, SlowerNetworkExposesMoreCommunication) {
  const Catalog& catalog = Catalog::builtin();
  TrainingConfig c = config("bert-large", "p3dn.24xlarge", Precision::fp16, 8);
  c.nodes = 1;
  const TrainingResult inside = simulate_training(catalog, c);
  c.nodes = 4;
  const TrainingResult across = simulate_training(catalog, c);
  EXPECT_GT(across.communication_s, inside.communication_s);
  EXPECT_GE(across.exposed_communication_s, inside.exposed_communication_s);
  EXPECT_LE(across.scaling_efficiency, inside.scaling_efficiency);
}

TEST(DataParallel, InputPipelineBoundsThroughput) {
  const Catalog& catalog = Catalog::builtin();
  TrainingConfig c = config("resnet50", "p4d.24xlarge", Precision::fp16, 256);
  c.loader_workers_per_device = 1;  // 8 workers for 8 A100s: far too few
  const TrainingResult r = simulate_training(catalog, c);
  EXPECT_TRUE(r.input_bound);
  EXPECT_NEAR(r.throughput_per_s, 8 * loader_samples_per_s_per_worker(catalog.devices()), 1e-9);
}

TEST(DataParallel, ImpossibleConfigurationsAreRejected) {
  const Catalog& catalog = Catalog::builtin();
  TrainingConfig c = config("resnet50", "p3.2xlarge", Precision::fp16, 1);
  c.devices_per_node = 2;  // p3.2xlarge has one V100
  EXPECT_THROW(simulate_training(catalog, c), std::invalid_argument);
  c.devices_per_node = 0;
  c.nodes = 0;
  EXPECT_THROW(simulate_training(catalog, c), std::invalid_argument);
  c.nodes = 1;
  c.instance = "dl1.24xlarge";
  c.precision = Precision::tf32;  // Gaudi has no TF32
  EXPECT_THROW(simulate_training(catalog, c), std::invalid_argument);
  c.precision = Precision::bf16;
  c.devices_per_node = 4;
  c.device_ids = {0, 3};  // two devices named for four
  EXPECT_THROW(simulate_training(catalog, c), std::invalid_argument);
  c.devices_per_node = 0;
  c.device_ids = {0, 8};  // DL1 has cards 0 to 7
  EXPECT_THROW(simulate_training(catalog, c), std::invalid_argument);
}

TEST(DataParallel, ConfigurationThatDoesNotFitSaysSo) {
  const Catalog& catalog = Catalog::builtin();
  TrainingConfig c = config("bert-large", "p3.2xlarge", Precision::fp16, 256);  // 16 GB
  c.seq_len = 512;
  const TrainingResult r = simulate_training(catalog, c);
  EXPECT_FALSE(r.fits);
  EXPECT_GT(r.memory.total(), r.memory_available);
  EXPECT_EQ(r.throughput_per_s, 0);
}

}  // namespace
}  // namespace xpusim

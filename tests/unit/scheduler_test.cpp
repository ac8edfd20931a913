// Cluster accounting, fragmentation and the placement policies' scores on hand-built nodes,
// checked against the formulas of the FGD paper's simulator.
#include <cmath>

#include <gtest/gtest.h>

#include "scheduler/cluster.hpp"
#include "scheduler/fragmentation.hpp"
#include "scheduler/gpu_economics.hpp"
#include "scheduler/placement_policy.hpp"
#include "scheduler/replay/fgd_replay.hpp"
#include "scheduler/replay/go_rand.hpp"
#include "sim/engine/input_error.hpp"

using namespace xpusim;
using namespace xpusim::sched;

namespace {

NodeSpec node(const std::string& name, int gpus, const std::string& model = "V100", int64_t cpu = 64000) {
  return {name, cpu, 262144, gpus, model, ""};
}

PodSpec pod(int64_t cpu, int num_gpu, int milli, const std::string& spec = "") {
  PodSpec p;
  p.name = std::string(1, 'p');  // (assigning a literal trips a GCC 12 -Wrestrict false positive)
  p.cpu_milli = cpu;
  p.memory_mib = 1024;
  p.num_gpu = num_gpu;
  p.gpu_milli = milli;
  p.gpu_spec = spec;
  return p;
}

}  // namespace

TEST(Cluster, AllocationIsCheckedAgainstCapacity) {
  Cluster c({node("a", 2), node("b", 0, "", 8000)});
  EXPECT_EQ(c.gpu_capacity_milli(), 2000);
  const Request half = c.request_for(pod(1000, 1, 500));
  c.allocate({0, {1}}, half);
  c.allocate({0, {1}}, half);
  EXPECT_EQ(c.gpu_used_milli(), 1000);
  EXPECT_THROW(c.allocate({0, {1}}, half), std::logic_error);   // GPU 1 is full
  EXPECT_THROW(c.allocate({0, {0, 0}}, c.request_for(pod(1, 2, 1000))), std::logic_error);  // same GPU twice
  EXPECT_THROW(c.allocate({1, {0}}, half), std::logic_error);  // node b has no GPU
  EXPECT_THROW(c.allocate({1, {}}, c.request_for(pod(9000, 0, 0))), std::logic_error);  // CPU
  c.release({0, {1}}, half);
  EXPECT_THROW(c.release({0, {0}}, half), std::logic_error);  // GPU 0 holds nothing
  c.audit();
  EXPECT_EQ(c.gpu_used_milli(), 500);
}

TEST(Cluster, GpuModelConstraintsAndQuickFilter) {
  Cluster c({node("a", 2, "T4"), node("b", 8, "V100M32")});
  const Request t4 = c.request_for(pod(1000, 1, 1000, "T4"));
  const Request either = c.request_for(pod(1000, 1, 1000, "P100|V100M32"));
  const Request unknown = c.request_for(pod(1000, 1, 1000, "A100"));
  EXPECT_TRUE(c.fits(0, t4));
  EXPECT_FALSE(c.fits(1, t4));
  EXPECT_FALSE(c.fits(0, either));
  EXPECT_TRUE(c.fits(1, either));
  EXPECT_FALSE(c.fits(0, unknown) || c.fits(1, unknown));
  EXPECT_FALSE(c.may_fit(unknown));
  // may_fit is a necessary condition: whenever it says no, no node fits.
  const Request eight = c.request_for(pod(1000, 8, 1000));
  EXPECT_TRUE(c.may_fit(eight));
  c.allocate({1, {0}}, c.request_for(pod(1000, 1, 300)));
  EXPECT_FALSE(c.may_fit(eight));
  EXPECT_FALSE(c.fits(1, eight));
  EXPECT_TRUE(c.may_fit(c.request_for(pod(1000, 1, 700))));
}

TEST(Fragmentation, ClosedFormOnOneNode) {
  Cluster c({node("a", 4)});
  // Workload: 3 pods of (1 CPU, half a GPU), 1 CPU-only pod.
  std::vector<PodSpec> pods = {pod(1000, 1, 500), pod(1000, 1, 500), pod(1000, 1, 500), pod(1000, 0, 0)};
  const auto w = TargetWorkload::from_pods(pods, c, 1.0);
  ASSERT_EQ(w.classes().size(), 2u);
  EXPECT_DOUBLE_EQ(w.classes()[0].weight, 0.75);
  // GPUs free 1000, 300, 0, 700: the half-GPU class can use the 1000 and the 700; 300 is a
  // fragment for it. The CPU-only class sees all 2000 as fragment.
  const int free[] = {1000, 300, 0, 700};
  EXPECT_DOUBLE_EQ(w.fragment(0, 64000, free, 4), 0.75 * 300 + 0.25 * 2000);
  // Without CPU left the GPU class cannot use anything either.
  EXPECT_DOUBLE_EQ(w.fragment(0, 500, free, 4), 0.75 * 2000 + 0.25 * 2000);
  // Coverage keeps only the most common classes.
  EXPECT_EQ(TargetWorkload::from_pods(pods, c, 0.7).classes().size(), 1u);
}

namespace {

// Scores every node for a request by placing it with ties going to the lowest index.
int chosen_node(const std::string& policy, Cluster& c, const Request& r, const TargetWorkload* w = nullptr) {
  GoRand rng(1);
  std::vector<int> rank(c.nodes().size());
  for (std::size_t i = 0; i < rank.size(); ++i) rank[i] = static_cast<int>(i);
  auto p = make_placement_policy(policy, {&rng, &rank, w, nullptr});
  return p->place(c, r).node;
}

}  // namespace

TEST(Policies, BestFitAndDotProductPickTheTightestNode) {
  Cluster c({node("empty", 8), node("busy", 8)});
  for (int g = 0; g < 6; ++g) c.allocate({1, {g}}, c.request_for(pod(1000, 1, 1000)));
  const Request r = c.request_for(pod(1000, 1, 1000));
  EXPECT_EQ(chosen_node("best-fit", c, r), 1);
  EXPECT_EQ(chosen_node("gpu-packing", c, r), 1);
  // DotProduct prefers the node whose free vector is least aligned with the request: the busy one.
  EXPECT_EQ(chosen_node("dot-product", c, r), 1);
}

TEST(Policies, GpuPackingFillsAPartlyUsedGpuFirst) {
  Cluster c({node("a", 2), node("b", 2)});
  c.allocate({1, {1}}, c.request_for(pod(1000, 1, 600)));
  const Request r = c.request_for(pod(1000, 1, 300));
  EXPECT_EQ(chosen_node("gpu-packing", c, r), 1);
  const Placement p = make_placement_policy("gpu-packing", {})->place(c, r);
  EXPECT_EQ(p.gpus, std::vector<int>{1});  // the GPU with 400 left, not the idle one
}

TEST(Policies, GpuClusteringKeepsPodsOfOneShapeTogether) {
  Cluster c({node("a", 8), node("b", 8), node("c", 8)});
  c.allocate({0, {0, 1}}, c.request_for(pod(1000, 2, 1000)));  // a holds a 2-GPU pod
  c.allocate({1, {0}}, c.request_for(pod(1000, 1, 500)));      // b holds a shared-GPU pod
  EXPECT_EQ(chosen_node("gpu-clustering", c, c.request_for(pod(1000, 1, 300))), 1);
  EXPECT_EQ(chosen_node("gpu-clustering", c, c.request_for(pod(1000, 2, 1000))), 0);
  EXPECT_EQ(chosen_node("gpu-clustering", c, c.request_for(pod(1000, 4, 1000))), 2);  // idle beats other tags
}

TEST(Policies, FgdAvoidsCreatingFragments) {
  // The workload is all half-GPU pods. A 0.7-GPU pod on an idle GPU leaves 300 that no target pod
  // can use; on a GPU with 700 free it leaves nothing. FGD must take the latter.
  Cluster c({node("a", 1), node("b", 1)});
  c.allocate({1, {0}}, c.request_for(pod(1000, 1, 300)));
  std::vector<PodSpec> pods(10, pod(1000, 1, 500));
  const auto w = TargetWorkload::from_pods(pods, c);
  EXPECT_EQ(chosen_node("fgd", c, c.request_for(pod(1000, 1, 700)), &w), 1);
  EXPECT_THROW(make_placement_policy("fgd", {}), std::invalid_argument);
}

TEST(Policies, UnknownNameListsTheKnownOnes) {
  try {
    make_placement_policy("tetris", {});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("best-fit"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("fgd"), std::string::npos);
  }
}

TEST(Policies, RandomSpreadsOverFeasibleNodes) {
  Cluster c({node("a", 8), node("b", 8), node("c", 8), node("d", 1)});
  c.allocate({3, {0}}, c.request_for(pod(1000, 1, 1000)));
  GoRand rng(3);
  auto p = make_placement_policy("random", {&rng, nullptr, nullptr, nullptr});
  std::vector<int> hits(4, 0);
  for (int i = 0; i < 3000; ++i) ++hits[static_cast<std::size_t>(p->place(c, c.request_for(pod(1000, 1, 1000))).node)];
  EXPECT_EQ(hits[3], 0);  // full
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(hits[static_cast<std::size_t>(k)], 1000, 120);
}

TEST(Policies, CostAwarePicksTheMostThroughputPerDollar) {
  Cluster c({node("v100", 8, "V100"), node("p100", 8, "P100")});
  GpuEconomics e = GpuEconomics::builtin();  // V100: 1.0 at $3.06; P100: 0.738, no price built in
  auto policy_with = [&](const GpuEconomics& econ) { return make_placement_policy("cost-aware", {nullptr, nullptr, nullptr, &econ}); };
  EXPECT_THROW(policy_with(e)->place(c, c.request_for(pod(1000, 1, 1000))), InputError);  // P100 unpriced
  e.models["P100"].usd_per_gpu_hour = 1.46;  // 0.738 / 1.46 = 0.51 per $ beats the V100's 0.33
  EXPECT_EQ(policy_with(e)->place(c, c.request_for(pod(1000, 1, 1000))).node, 1);
  e.models["P100"].usd_per_gpu_hour = 3.0;   // 0.25 per $: the V100 wins now
  EXPECT_EQ(policy_with(e)->place(c, c.request_for(pod(1000, 1, 1000))).node, 0);
  EXPECT_THROW(make_placement_policy("cost-aware", {}), std::invalid_argument);
}

TEST(Replay, EveryPodIsPlacedOrDroppedAndNothingIsOverAllocated) {
  std::vector<NodeSpec> nodes = {node("a", 2), node("b", 4, "T4"), node("c", 8)};
  std::vector<PodSpec> pods;
  for (int i = 0; i < 40; ++i) {
    PodSpec p = pod(1000 * (1 + i % 5), i % 7 == 0 ? 0 : 1 + (i % 3 == 0 ? 1 : 0), i % 2 ? 1000 : 250 + 50 * (i % 10),
                    i % 11 == 0 ? "T4" : "");
    if (p.num_gpu > 1) p.gpu_milli = 1000;
    p.name = "pod-" + std::to_string(100 + i);
    pods.push_back(p);
  }
  for (const std::string policy : {"random", "dot-product", "gpu-clustering", "gpu-packing", "best-fit", "fgd"}) {
    const auto run = replay_fgd_protocol(nodes, pods, {policy, 7, 1.3, 10});
    EXPECT_EQ(run.placed + run.failed, run.pods) << policy;
    EXPECT_EQ(run.events.size(), run.pods) << policy;
    EXPECT_GE(static_cast<double>(run.requested_milli), 1.3 * 14000 - 1000) << policy;  // inflated to ~130%
    for (std::size_t e = 1; e < run.events.size(); ++e) {
      ASSERT_GE(run.events[e].arrived_milli, run.events[e - 1].arrived_milli);
      ASSERT_LE(run.events[e].used_milli, 14000);
      ASSERT_EQ(run.events[e].used_milli + run.events[e].idle_milli, 14000);
    }
    // The same seed gives the same run.
    const auto again = replay_fgd_protocol(nodes, pods, {policy, 7, 1.3, 10});
    EXPECT_EQ(again.placed, run.placed);
    EXPECT_EQ(again.events.back().used_milli, run.events.back().used_milli);
  }
  EXPECT_THROW(replay_fgd_protocol({node("cpu", 0, "")}, pods, {}), std::invalid_argument);
}

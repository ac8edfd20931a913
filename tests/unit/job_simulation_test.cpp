// The event simulation on cases with known answers, and its conservation properties.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/shared_data.hpp"
#include <nlohmann/json.hpp>

#include "reports/schedule_report.hpp"
#include "scheduler/event_sim/job_simulation.hpp"
#include "workloads/traces/trace_readers.hpp"

using namespace xpusim;
using namespace xpusim::sched;

namespace {

NodeSpec gpu_node(const std::string& name, int gpus, const std::string& model = "V100") {
  return {name, 64000, 262144, gpus, model, ""};
}

PodSpec job(const std::string& name, double submit, double duration, int gpus = 1, int milli = 1000) {
  PodSpec p;
  p.name = name;
  p.cpu_milli = 1000;
  p.memory_mib = 1024;
  p.num_gpu = gpus;
  p.gpu_milli = milli;
  p.submit_s = submit;
  p.duration_s = duration;
  return p;
}

JobSimResult run(const std::vector<NodeSpec>& nodes, const std::vector<PodSpec>& pods, const std::string& queue,
                 const std::string& placement = "best-fit") {
  JobSimConfig c;
  c.queue = queue;
  c.placement = placement;
  c.queue_options.las_thresholds_gpu_s = {50};
  return simulate_jobs(nodes, pods, c);
}

double finish(const JobSimResult& r, const std::string& name) {
  for (const auto& o : r.outcomes)
    if (o.name == name) return o.finish_s;
  return -1;
}

}  // namespace

TEST(JobSimulation, FifoOnOneGpuQueuesBackToBack) {
  const auto r = run({gpu_node("n", 1)}, {job("a", 0, 10), job("b", 0, 10), job("c", 0, 10)}, "fifo");
  EXPECT_DOUBLE_EQ(finish(r, "a"), 10);
  EXPECT_DOUBLE_EQ(finish(r, "b"), 20);
  EXPECT_DOUBLE_EQ(finish(r, "c"), 30);
  EXPECT_DOUBLE_EQ(r.jct_s.mean(), 20);
  EXPECT_DOUBLE_EQ(r.queueing_s.mean(), 10);
  EXPECT_DOUBLE_EQ(r.makespan_s, 30);
  EXPECT_NEAR(r.gpu_alloc_pct_avg, 100, 1e-9);
}

TEST(JobSimulation, SjfRunsShortJobsFirst) {
  const auto r = run({gpu_node("n", 1)}, {job("long", 0, 30), job("x", 1, 10), job("y", 1, 5)}, "sjf");
  EXPECT_DOUBLE_EQ(finish(r, "long"), 30);  // not preempted
  EXPECT_DOUBLE_EQ(finish(r, "y"), 35);
  EXPECT_DOUBLE_EQ(finish(r, "x"), 45);
}

TEST(JobSimulation, SrtfPreemptsAndResumes) {
  const auto r = run({gpu_node("n", 1)}, {job("a", 0, 100), job("b", 5, 10)}, "srtf");
  EXPECT_DOUBLE_EQ(finish(r, "b"), 15);
  EXPECT_DOUBLE_EQ(finish(r, "a"), 110);  // 5 s done, 95 s left after b
  EXPECT_EQ(r.preemptions, 1u);
}

TEST(JobSimulation, LasDemotesAfterItsThreshold) {
  // Threshold 50 GPU-s: a (1 GPU) is demoted at t = 50 and b, waiting since 10, preempts it. b is
  // demoted at 100; in the lower queue the order is FIFO, so a (older) takes the GPU back and
  // finishes its last 150 s at 250; b's last 10 s end at 260.
  const auto r = run({gpu_node("n", 1)}, {job("a", 0, 200), job("b", 10, 60)}, "las");
  EXPECT_DOUBLE_EQ(finish(r, "a"), 250);
  EXPECT_DOUBLE_EQ(finish(r, "b"), 260);
  EXPECT_EQ(r.preemptions, 2u);
}

TEST(JobSimulation, SharedGpuRunsFractionalJobsTogether) {
  const auto r = run({gpu_node("n", 1)}, {job("a", 0, 10, 1, 500), job("b", 0, 10, 1, 500), job("c", 0, 10, 1, 600)}, "fifo");
  EXPECT_DOUBLE_EQ(finish(r, "a"), 10);
  EXPECT_DOUBLE_EQ(finish(r, "b"), 10);
  EXPECT_DOUBLE_EQ(finish(r, "c"), 20);
}

TEST(JobSimulation, BackfillLetsSmallJobsPassABlockedOne) {
  const std::vector<PodSpec> jobs = {job("a", 0, 10, 1), job("big", 1, 10, 2), job("small", 2, 5, 1)};
  const auto backfill = run({gpu_node("n", 2)}, jobs, "fifo");
  EXPECT_DOUBLE_EQ(finish(backfill, "small"), 7);
  JobSimConfig strict;
  strict.backfill = false;
  const auto blocked = simulate_jobs({gpu_node("n", 2)}, jobs, strict);
  EXPECT_DOUBLE_EQ(finish(blocked, "big"), 20);
  EXPECT_DOUBLE_EQ(finish(blocked, "small"), 25);
}

TEST(JobSimulation, GangJobsSpanNodesOrAreUnschedulable) {
  const auto two = run({gpu_node("a", 8), gpu_node("b", 8)}, {job("g", 0, 10, 16)}, "fifo");
  EXPECT_EQ(two.completed, 1u);
  EXPECT_DOUBLE_EQ(two.gpu_hours_allocated, 16 * 10 / 3600.0);
  const auto one = run({gpu_node("a", 8)}, {job("g", 0, 10, 16), job("ok", 0, 10, 8)}, "fifo");
  EXPECT_EQ(one.unschedulable, 1u);
  EXPECT_EQ(one.completed, 1u);
  auto typed = job("t4", 0, 10);
  typed.gpu_spec = "T4";
  EXPECT_EQ(run({gpu_node("a", 8)}, {typed}, "fifo").unschedulable, 1u);
}

TEST(JobSimulation, FleetCostFromPrices) {
  GpuEconomics prices = GpuEconomics::builtin();
  JobSimConfig c;
  c.economics = &prices;
  const auto r = simulate_jobs({gpu_node("n", 8)}, {job("a", 0, 3600, 2)}, c);
  ASSERT_TRUE(r.fleet_cost_usd.has_value());
  EXPECT_NEAR(*r.fleet_cost_usd, 8 * 3.06, 1e-9);  // 8 V100 for one hour
  EXPECT_NEAR(*r.allocated_cost_usd, 2 * 3.06, 1e-9);
  const auto unpriced = simulate_jobs({gpu_node("n", 8, "G2")}, {job("a", 0, 3600)}, c);
  EXPECT_FALSE(unpriced.fleet_cost_usd.has_value());
  EXPECT_EQ(unpriced.unpriced_models, std::vector<std::string>{"G2"});
}

TEST(JobSimulation, SpeedScalingSlowsJobsOnSlowerGpus) {
  GpuEconomics e = GpuEconomics::builtin();
  JobSimConfig c;
  c.economics = &e;
  c.speed_scaling = true;
  const auto r = simulate_jobs({gpu_node("n", 1, "P100")}, {job("a", 0, 73.8)}, c);
  EXPECT_NEAR(r.outcomes[0].finish_s, 100.0, 1e-9);  // P100 = 0.738 of a V100
}

// Conservation on a real trace under load: every job ends completed or unschedulable, allocation
// never exceeds capacity, and a run is a pure function of its inputs and seed.
TEST(JobSimulation, RealTraceConservesJobsAndIsDeterministic) {
  XPUSIM_REQUIRE_SHARED_DATA();
  const std::string d = std::string(XPUSIM_SHARED_DIR) + "/data/traces/";
  const auto nodes = read_node_list(d + "tiresias/n32g4.csv");
  auto pods = read_pod_list(d + "philly-derived/philly.csv", "auto", BadRows::reject, "ee9e8c");
  for (const auto& queue : {"fifo", "sjf", "srtf", "las"}) {
    JobSimConfig c;
    c.queue = queue;
    c.placement = "fgd";
    const auto a = simulate_jobs(nodes.nodes, pods.pods, c);
    EXPECT_EQ(a.completed + a.unschedulable, pods.pods.size()) << queue;
    for (const auto& s : a.series) {
      ASSERT_LE(s.gpu_alloc_pct, 100.0 + 1e-9);
      ASSERT_GE(s.gpu_alloc_pct, 0.0);
    }
    for (const auto& o : a.outcomes) {
      if (o.unschedulable) continue;
      ASSERT_GE(o.finish_s, o.start_s);
      ASSERT_GE(o.start_s, o.submit_s);
    }
    const auto b = simulate_jobs(nodes.nodes, pods.pods, c);
    EXPECT_EQ(schedule_results_csv({a}), schedule_results_csv({b})) << queue;
    EXPECT_EQ(schedule_series_csv({a}), schedule_series_csv({b})) << queue;
  }
}

TEST(JobSimulation, TraceWithoutDurationsIsAnError) {
  auto p = job("a", 0, -1);
  EXPECT_ANY_THROW(run({gpu_node("n", 1)}, {p}, "fifo"));
}

TEST(JobSimulation, GangWorkersStayOnOneSwitchWhenTheyFit) {
  // Two switches of two 4-GPU nodes. An 8-GPU gang should take both nodes of one switch.
  std::vector<NodeSpec> nodes;
  for (int s = 0; s < 2; ++s)
    for (int n = 0; n < 2; ++n) {
      NodeSpec spec = gpu_node("s" + std::to_string(s) + "n" + std::to_string(n), 4);
      spec.network = "switch-" + std::to_string(s);
      nodes.push_back(spec);
    }
  // A 1-GPU job first takes one node; three full nodes remain, on both switches. Whatever the
  // tie-break ranks, the gang must take the two nodes of the other switch.
  JobSimConfig c;
  c.placement = "best-fit";
  for (int64_t seed = 1; seed <= 20; ++seed) {
    c.seed = seed;
    const auto r = simulate_jobs(nodes, {job("one", 0, 100, 1), job("gang", 1, 10, 8)}, c);
    ASSERT_EQ(r.completed, 2u);
    const auto& gang = r.outcomes[1].nodes;
    ASSERT_EQ(gang.size(), 2u);
    EXPECT_EQ(gang[0].substr(0, 2), gang[1].substr(0, 2)) << seed;
    EXPECT_NE(gang[0].substr(0, 2), r.outcomes[0].nodes.at(0).substr(0, 2)) << seed;
  }
}

namespace {
JobSimResult run_shared(const std::vector<PodSpec>& jobs, std::optional<double> pair_factor, const std::string& model = "V100") {
  static const GpuEconomics prices = GpuEconomics::builtin();
  JobSimConfig c;
  c.economics = &prices;
  c.interference = Interference{pair_factor};
  return simulate_jobs({gpu_node("n", 1, model)}, jobs, c);
}
}  // namespace

TEST(JobSimulation, InterferenceSlowsJobsSharingAGpu) {
  // Together from the start at half speed each.
  auto r = run_shared({job("a", 0, 10, 1, 500), job("b", 0, 10, 1, 500)}, 0.5);
  EXPECT_DOUBLE_EQ(finish(r, "a"), 20);
  EXPECT_DOUBLE_EQ(finish(r, "b"), 20);
  // a runs alone for 5 s, then both at half speed until a is done at 15; b then speeds up.
  r = run_shared({job("a", 0, 10, 1, 500), job("b", 5, 10, 1, 500)}, 0.5);
  EXPECT_DOUBLE_EQ(finish(r, "a"), 15);
  EXPECT_DOUBLE_EQ(finish(r, "b"), 20);
  // Three tenants keep the pair's total (2 x 0.6 = 1.2) shared evenly: 0.4 each.
  r = run_shared({job("a", 0, 4, 1, 300), job("b", 0, 4, 1, 300), job("c", 0, 4, 1, 300)}, 0.6);
  EXPECT_DOUBLE_EQ(finish(r, "c"), 10);
  // Whole GPUs are never shared: no slowdown.
  r = run_shared({job("a", 0, 10), job("b", 0, 10)}, 0.5);
  EXPECT_DOUBLE_EQ(finish(r, "a"), 10);
  EXPECT_DOUBLE_EQ(finish(r, "b"), 20);
}

TEST(JobSimulation, MeasuredInterferenceComesFromTheGpuTable) {
  auto r = run_shared({job("a", 0, 6.79, 1, 500), job("b", 0, 6.79, 1, 500)}, std::nullopt);
  EXPECT_NEAR(finish(r, "a"), 10.0, 1e-9);  // V100 keeps 0.679 beside a partner
  EXPECT_THROW(run_shared({job("a", 0, 1, 1, 500)}, std::nullopt, "G2"), InputError);
}

// The built-in pair factors are medians of the measured co-location data (Gavel).
TEST(JobSimulation, PairFactorsAreTheMediansOfTheMeasuredPairs) {
  XPUSIM_REQUIRE_SHARED_DATA();
  std::ifstream in(std::string(XPUSIM_SHARED_DIR) + "/data/interference/gavel/simulation_throughputs.json");
  ASSERT_TRUE(in.good());
  const auto data = nlohmann::json::parse(in);
  const GpuEconomics table = GpuEconomics::builtin();
  for (const auto& [gpu, model] : {std::pair{"v100", "V100"}, {"p100", "P100"}, {"k80", "K80"}}) {
    std::vector<double> kept;
    for (const auto& [job, row] : data[gpu].items()) {
      const double alone = row["null"].get<double>();
      for (const auto& [partner, value] : row.items())
        if (partner != "null" && value[0].get<double>() > 0 && alone > 0) kept.push_back(value[0].get<double>() / alone);
    }
    std::sort(kept.begin(), kept.end());
    const std::size_t n = kept.size();
    const double median = n % 2 ? kept[n / 2] : (kept[n / 2 - 1] + kept[n / 2]) / 2;
    EXPECT_NEAR(*table.pair_factor(model), median, 0.0005) << gpu;
  }
}

// With exact durations SJF is an oracle; a noisy predictor makes it order jobs worse, so the mean
// JCT rises, and the schedule stays a pure function of the seed.
TEST(JobSimulation, PredictionErrorDegradesShortestJobFirst) {
  XPUSIM_REQUIRE_SHARED_DATA();
  const std::string d = std::string(XPUSIM_SHARED_DIR) + "/data/traces/";
  const auto nodes = read_node_list(d + "tiresias/n32g4.csv");
  const auto pods = read_pod_list(d + "philly-derived/philly.csv", "auto", BadRows::reject, "6214e9");
  JobSimConfig c;
  c.queue = "sjf";
  const double exact = simulate_jobs(nodes.nodes, pods.pods, c).jct_s.mean();
  c.prediction_error = 2.0;
  const auto noisy = simulate_jobs(nodes.nodes, pods.pods, c);
  EXPECT_GT(noisy.jct_s.mean(), 1.05 * exact);  // measured: +9.6% at sigma 2
  EXPECT_EQ(simulate_jobs(nodes.nodes, pods.pods, c).jct_s.mean(), noisy.jct_s.mean());
  c.queue = "fifo";  // FIFO never looks at durations
  const double fifo_exact = [&] { auto e = c; e.prediction_error = 0; return simulate_jobs(nodes.nodes, pods.pods, e).jct_s.mean(); }();
  EXPECT_EQ(simulate_jobs(nodes.nodes, pods.pods, c).jct_s.mean(), fifo_exact);
}

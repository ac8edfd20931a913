// The SystemC TLM model and the analytic query share one work plan per kernel; without outside
// contention the simulated graph time must equal the sum of the analytic kernel times.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "models/catalog/catalog.hpp"
#include "models/cpu/cpu_tlm.hpp"
#include "models/gaudi/gaudi_tlm.hpp"
#include "workloads/zoo/model_zoo.hpp"

using namespace xpusim;

namespace {
void expect_tlm_matches_analytic(const std::string& instance, const std::string& model, int64_t batch,
                                 Precision p, int threads) {
  const CpuDevice device = Catalog::builtin().device(instance);
  const Graph g = build_model(model, {batch, p, Mode::inference, 0});
  CpuCostModel analytic(device);
  double expected = 0;
  for (const auto& k : g.kernels) expected += analytic.evaluate(k, threads).total_s;
  TraceWriter trace;
  auto result = simulate_graph_on_cpu(device, g, threads, &trace, 1);
  ASSERT_EQ(result.kernels.size(), g.kernels.size());
  // Each kernel is rounded to the 1 ps resolution a few times.
  EXPECT_NEAR(result.total_s, expected, 1e-11 * g.kernels.size() * 4);
  for (std::size_t i = 1; i < result.kernels.size(); ++i)
    EXPECT_DOUBLE_EQ(result.kernels[i].start_s, result.kernels[i - 1].end_s);
  EXPECT_GE(trace.event_count(), g.kernels.size() * std::min(threads, device.cores));
}
}  // namespace

// Each test is its own process (SystemC elaborates once per process).
TEST(CpuTlm, ResNet50Int8OnEightCoresMatchesAnalytic) {
  expect_tlm_matches_analytic("c5.9xlarge", "resnet50", 8, Precision::int8, 8);
}

TEST(CpuTlm, BertFp32OnOneCoreMatchesAnalytic) {
  expect_tlm_matches_analytic("c6i.large", "bert-base", 1, Precision::fp32, 1);
}

// Shared DRAM: 64 cores streaming one 1 GiB elementwise kernel are limited by the socket's
// bandwidth, not by 64 x one core's.
TEST(CpuTlm, SharedDramBandwidthLimitsManyCores) {
  const CpuDevice device = Catalog::builtin().device("c6i.32xlarge");
  Graph g;
  g.kernels.push_back(Kernel{"stream", Elementwise{EltwiseOp::add, 1 << 28}, DType::f32});
  auto result = simulate_graph_on_cpu(device, g, 64);
  const double bytes = double(g.kernels[0].bytes());
  EXPECT_NEAR(result.total_s, bytes / (device.dram_gbps * 1e9) + device.spec.kernel_overhead_us * 1e-6 +
                                  device.spec.fork_join_us * 1e-6, 1e-6 * result.total_s);
}

namespace {
const GaudiSpec& gaudi1() { return dynamic_cast<const GaudiSpec&>(DeviceCatalog::builtin().get("gaudi1")); }
}  // namespace

// A chain of GEMMs keeps the TPCs idle: nothing shares HBM, so simulation and query agree.
TEST(GaudiTlm, MmeChainMatchesThePureQuery) {
  Graph g;
  g.precision = Precision::bf16;
  for (int64_t n : {1024, 4096, 1024, 30522})
    g.kernels.push_back(Kernel{"fc", Gemm{.batch = 1, .m = 2048, .n = n, .k = 1024, .b_is_weight = true, .bias = false},
                               DType::bf16});
  const GaudiSpec& spec = gaudi1();
  const auto ends = schedule_timeline(spec, compile_graph(spec, g), g.kernels.size());
  const auto r = simulate_graph_on_gaudi(spec, g);
  EXPECT_NEAR(r.total_s, ends.back(), 1e-11 * 4 * g.kernels.size());
}

// ResNet-50 training: the MME and the TPCs overlap and then share HBM, which the query ignores.
// The simulation can only be slower, never by more than the HBM time both engines spend, and
// every byte the plan streams goes through the HBM target once.
TEST(GaudiTlm, TrainingStepSharesHbmBetweenEngines) {
  const GaudiSpec& spec = gaudi1();
  const Graph g = build_model("resnet50", {32, Precision::bf16, Mode::training, 0, true});
  const auto nodes = compile_graph(spec, g);
  const auto plan = plan_schedule(spec, nodes);
  const auto ends = schedule_timeline(spec, nodes, g.kernels.size());
  const double query = *std::max_element(ends.begin(), ends.end());
  TraceWriter trace;
  const auto r = simulate_graph_on_gaudi(spec, g, &trace);
  double bytes = 0;
  for (const auto& p : plan) bytes += std::round(p.hbm_bytes);
  EXPECT_DOUBLE_EQ(r.hbm_bytes, bytes);
  const double all_hbm_s = bytes / (spec.hbm_bytes_per_s * spec.fitted.memory_efficiency);
  EXPECT_GE(r.total_s, query * (1 - 1e-9));
  EXPECT_LE(r.total_s, query + all_hbm_s);
  EXPECT_GT(r.total_s, query * 1.001);  // the engines do contend in a training step
  EXPECT_EQ(trace.event_count(), nodes.size() + 3);  // and the names of the process and its two rows
}

// The SystemC TLM model and the analytic query share one work plan per kernel; without outside
// contention the simulated graph time must equal the sum of the analytic kernel times.
#include <gtest/gtest.h>

#include "models/catalog/catalog.hpp"
#include "models/cpu/cpu_tlm.hpp"
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

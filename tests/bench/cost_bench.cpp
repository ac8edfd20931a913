// Speed of the cost queries and of calibration. Report ratios measured in one run: the machine
// is shared. Targets: whole ResNet-50 inference graph on c6i.large <= 5 ms cold, <= 20 us memoized.
#include <benchmark/benchmark.h>

#include "models/catalog/catalog.hpp"
#include "models/cpu/calibration.hpp"
#include "models/cpu/cpu_cost.hpp"
#include "models/cpu/host_profile.hpp"
#include "models/cpu/onednn_runner.hpp"
#include "workloads/zoo/model_zoo.hpp"

using namespace xpusim;

namespace {
double graph_cost(CpuCostModel& m, const Graph& g) {
  double t = 0;
  for (const auto& k : g.kernels) t += m.cost(k, 1).total_s;
  return t;
}
}  // namespace

// A fresh model each iteration: every kernel is lowered and costed.
static void BM_ResNet50GraphCostCold(benchmark::State& state) {
  const CpuDevice device = Catalog::builtin().device("c6i.large");
  const Graph g = build_model("resnet50", {state.range(0), Precision::int8, Mode::inference, 0});
  for (auto _ : state) {
    CpuCostModel m(device);
    benchmark::DoNotOptimize(graph_cost(m, g));
  }
}
BENCHMARK(BM_ResNet50GraphCostCold)->Arg(1)->Arg(32)->Unit(benchmark::kMicrosecond);

// The same model again: every kernel is a memo hit.
static void BM_ResNet50GraphCostMemoized(benchmark::State& state) {
  CpuCostModel m(Catalog::builtin().device("c6i.large"));
  const Graph g = build_model("resnet50", {state.range(0), Precision::int8, Mode::inference, 0});
  graph_cost(m, g);
  for (auto _ : state) benchmark::DoNotOptimize(graph_cost(m, g));
}
BENCHMARK(BM_ResNet50GraphCostMemoized)->Arg(1)->Arg(32)->Unit(benchmark::kMicrosecond);

static void BM_BertBaseGraphCostCold(benchmark::State& state) {
  const CpuDevice device = Catalog::builtin().device("c6i.large");
  const Graph g = build_model("bert-base", {1, Precision::int8, Mode::inference, 128});
  for (auto _ : state) {
    CpuCostModel m(device);
    benchmark::DoNotOptimize(graph_cost(m, g));
  }
}
BENCHMARK(BM_BertBaseGraphCostCold)->Unit(benchmark::kMicrosecond);

static void BM_BuildResNet50TrainingGraph(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(build_model("resnet50", {32, Precision::bf16, Mode::training, 0}));
}
BENCHMARK(BM_BuildResNet50TrainingGraph)->Unit(benchmark::kMicrosecond);

// Calibration overhead per kernel: predicting one conv vs measuring it for real with oneDNN
// (primitive creation, warm-up and the timed repeats).
static void BM_CalibrateOneConvMeasure(benchmark::State& state) {
  Kernel k{"conv", Conv2d{.n = 1, .c = 64, .h = 56, .w = 56, .k = 64, .r = 3, .s = 3, .pad_h = 1, .pad_w = 1}, DType::s8};
  MeasureOptions o;
  o.min_repeats = 5;
  o.min_seconds = 0;
  for (auto _ : state) benchmark::DoNotOptimize(measure_with_onednn(k, o));
}
BENCHMARK(BM_CalibrateOneConvMeasure)->Unit(benchmark::kMillisecond);

static void BM_CalibrateOneConvPredict(benchmark::State& state) {
  const CpuDevice device = Catalog::builtin().device("host");
  Kernel k{"conv", Conv2d{.n = 1, .c = 64, .h = 56, .w = 56, .k = 64, .r = 3, .s = 3, .pad_h = 1, .pad_w = 1}, DType::s8};
  for (auto _ : state) {
    CpuCostModel m(device);
    benchmark::DoNotOptimize(m.evaluate(k, 1));
  }
}
BENCHMARK(BM_CalibrateOneConvPredict)->Unit(benchmark::kMicrosecond);

// The host probe, whole (issue target: at most 3 s of wall time). Runs it a few times only.
static void BM_HostProbe(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(probe_host_profile());
}
BENCHMARK(BM_HostProbe)->Iterations(3)->Unit(benchmark::kSecond)->UseRealTime();

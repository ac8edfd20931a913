// Cost of simulating one data-parallel training step. Targets (issue: accelerators): ResNet-50 on
// dl1.24xlarge (8 Gaudi, batch 256 each) and BERT-large seq 512 on p4d.24xlarge (8 A100) each
// <= 50 ms cold (graph built, lowered, every kernel costed, scheduled, all-reduces timed) and
// <= 50 us memoized (the same configuration asked again of one simulator, as a planner's sweep
// or the scheduler does). BERT-large on 128 p4d servers has no target: it shows what the
// collectives across 1,024 GPUs cost (measured 153 ms cold on a 2-core Xeon VM).
#include <benchmark/benchmark.h>

#include "models/training/data_parallel.hpp"
#include "models/training/server_collective.hpp"

using namespace xpusim;

namespace {
TrainingConfig step(const char* model, const char* instance, Precision p, int64_t batch, int64_t seq_len) {
  TrainingConfig c;
  c.model = model;
  c.instance = instance;
  c.precision = p;
  c.batch_per_device = batch;
  c.seq_len = seq_len;
  return c;
}
const TrainingConfig kResNetOnDl1 = step("resnet50", "dl1.24xlarge", Precision::bf16, 256, 0);
const TrainingConfig kBertOnP4d = step("bert-large", "p4d.24xlarge", Precision::fp16, 8, 512);
// The same on 128 servers (1,024 GPUs): every all-reduce across servers by each of NCCL's
// algorithms and protocols, as streams over the servers' joint topology.
const TrainingConfig kBertOn128P4d = [] {
  TrainingConfig c = step("bert-large", "p4d.24xlarge", Precision::fp16, 8, 512);
  c.nodes = 128;
  return c;
}();
}  // namespace

static void BM_TrainingStepCold(benchmark::State& state, const TrainingConfig* c) {
  for (auto _ : state) benchmark::DoNotOptimize(simulate_training(Catalog::builtin(), *c).step_s);
}
BENCHMARK_CAPTURE(BM_TrainingStepCold, resnet50_dl1, &kResNetOnDl1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TrainingStepCold, bert_large_s512_p4d, &kBertOnP4d)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TrainingStepCold, bert_large_s512_128_p4d, &kBertOn128P4d)->Unit(benchmark::kMillisecond);

static void BM_TrainingStepMemoized(benchmark::State& state, const TrainingConfig* c) {
  TrainingSimulator sim(Catalog::builtin());
  sim.simulate(*c);
  for (auto _ : state) benchmark::DoNotOptimize(sim.simulate(*c).step_s);
}
BENCHMARK_CAPTURE(BM_TrainingStepMemoized, resnet50_dl1, &kResNetOnDl1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_TrainingStepMemoized, bert_large_s512_p4d, &kBertOnP4d)->Unit(benchmark::kMicrosecond);

// An all-to-all of 1 GiB per GPU across n p4d servers (8 A100 each), cold: N (8 + n - 2)
// transfers at once on the servers' joint topology (N = 8 n GPUs). No target: it shows what the
// largest all-to-all `xpusim collective` runs (512 servers) costs.
static void BM_AllToAllAcrossP4dServers(benchmark::State& state) {
  const Catalog& catalog = Catalog::builtin();
  const int servers = static_cast<int>(state.range(0));
  for (auto _ : state) {
    ServerCollective all_to_all(catalog, catalog.instance("p4d.24xlarge"), 8, servers, ServerCollectiveOp::all_to_all);
    benchmark::DoNotOptimize(all_to_all.seconds(1 << 30));
  }
  state.counters["transfers"] = 8.0 * servers * (8 + servers - 2);
}
BENCHMARK(BM_AllToAllAcrossP4dServers)->Arg(16)->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond);

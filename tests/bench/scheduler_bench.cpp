// Speed of the scheduler. Targets: one FGD-protocol replay (openb default, inflated to 130%, one
// seed, FGD) <= 2 s; a 100,000-job synthetic trace with departures on the 6,742-GPU PAI machine
// spec <= 10 s. The traces are read once, outside the timed loop.
#include <filesystem>

#include <benchmark/benchmark.h>

#include "scheduler/event_sim/job_simulation.hpp"
#include "scheduler/replay/fgd_replay.hpp"
#include "workloads/traces/synthetic_trace.hpp"
#include "workloads/traces/trace_readers.hpp"

using namespace xpusim;

namespace {

const std::string kTraces = std::string(XPUSIM_SHARED_DIR) + "/data/traces/";

bool have_traces(benchmark::State& state) {
  if (std::filesystem::exists(kTraces)) return true;
  state.SkipWithError("../shared/data/traces not found");
  return false;
}

}  // namespace

static void BM_ReplayOpenbDefault(benchmark::State& state, const char* policy) {
  if (!have_traces(state)) return;
  const auto nodes = read_node_list(kTraces + "alibaba-gpu-v2023/openb_node_list_gpu_node.csv");
  const auto pods = read_pod_list(kTraces + "alibaba-gpu-v2023/openb_pod_list_default.csv");
  sched::ReplayOptions options;  // seed 42, inflated to 130%
  options.policy = policy;
  std::size_t attempts = 0;
  for (auto _ : state) {
    const auto run = sched::replay_fgd_protocol(nodes.nodes, pods.pods, options);
    attempts = run.pods;
    benchmark::DoNotOptimize(run.placed);
  }
  state.counters["pods"] = static_cast<double>(attempts);
}
BENCHMARK_CAPTURE(BM_ReplayOpenbDefault, fgd, "fgd")->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_ReplayOpenbDefault, best_fit, "best-fit")->Unit(benchmark::kMillisecond)->Iterations(3);

// 100,000 jobs drawn from openb (durations cut at 2 h), arriving at 1.2 x the PAI cluster's GPU
// capacity so that queues form.
static void BM_Synthetic100kOnPai(benchmark::State& state, const char* placement, const char* queue) {
  if (!have_traces(state)) return;
  const auto nodes = read_node_list(kTraces + "alibaba-gpu-v2020/pai_machine_spec.csv");
  const auto templ = read_pod_list(kTraces + "alibaba-gpu-v2023/openb_pod_list_default.csv");
  int64_t capacity = 0;
  for (const auto& n : nodes.nodes) capacity += int64_t{n.gpu_count} * 1000;
  SyntheticTraceConfig config;
  config.jobs = 100000;
  config.load = 1.2;
  config.max_duration_s = 7200;
  const auto trace = synthesize_trace(templ, capacity, config);
  sched::JobSimConfig c;
  c.placement = placement;
  c.queue = queue;
  double jct_p50 = 0;
  for (auto _ : state) {
    const auto r = sched::simulate_jobs(nodes.nodes, trace.pods, c);
    jct_p50 = r.jct_s.percentile(50);
  }
  state.counters["jct_p50_s"] = jct_p50;
}
BENCHMARK_CAPTURE(BM_Synthetic100kOnPai, fgd_fifo, "fgd", "fifo")->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Synthetic100kOnPai, best_fit_fifo, "best-fit", "fifo")->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Synthetic100kOnPai, fgd_las, "fgd", "las")->Unit(benchmark::kMillisecond)->Iterations(1);

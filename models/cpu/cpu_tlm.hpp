#pragma once
// TLM-2.0 loosely-timed model of a CPU running a graph: one initiator per core, one target per
// memory level (L2, L3, DRAM) whose b_transport annotates the transfer's delay from the level's
// per-core bandwidth and its shared occupancy. Cores keep their cost in local time (temporal
// decoupling) and `wait` once per kernel; a controller forks each kernel to the cores and joins
// them. Work per core comes from CpuCostModel::plan, so without contention from other work the
// simulated time equals the analytic query.
#include <memory>
#include <vector>

#include "models/cpu/cpu_cost.hpp"
#include "sim/engine/trace_writer.hpp"
#include "workloads/graph.hpp"

namespace xpusim {

struct SimulatedKernel {
  std::size_t index;    // in the graph
  double start_s, end_s;
};

struct CpuSimulationResult {
  double total_s = 0;
  std::vector<SimulatedKernel> kernels;
};

// Elaborates the model for `graph` on `device` with `threads`, runs the SystemC simulation
// (once per process: see sim/engine/harness.hpp) and returns per-kernel times. When `trace` is
// given, kernels and memory transfers are recorded as trace events (pid `pid`).
CpuSimulationResult simulate_graph_on_cpu(const CpuDevice& device, const Graph& graph, int threads,
                                          TraceWriter* trace = nullptr, int pid = 1);

}  // namespace xpusim

#pragma once
// TLM-2.0 loosely-timed model of a Gaudi running a compiled graph: the MME and the TPC cluster are
// initiators, each running its nodes in graph order; HBM is a target whose b_transport annotates
// a transfer's delay from the interface's bandwidth and its occupancy by the other engine. Each
// node waits for what plan_schedule says it waits for (its producer, or one SRAM slice of it when
// pipelined), keeps its cost in local time and `wait`s once. Alone on HBM, a node costs what the
// pure query says, so the simulated graph equals schedule_timeline except where both engines
// stream HBM at once: the query lets each have the whole interface, the simulation shares it.
#include <vector>

#include "models/gaudi/gaudi_cost.hpp"
#include "sim/engine/trace_writer.hpp"

namespace xpusim {

struct GaudiSimulationResult {
  double total_s = 0;
  std::vector<double> node_start_s, node_end_s;  // per compiled node
  double hbm_bytes = 0;                          // through the HBM target, all engines
};

// Elaborates and runs the model once (one SystemC elaboration per process: sim/engine/harness.hpp).
// With `trace`, each node is a trace event on its engine's row (pid `pid`).
GaudiSimulationResult simulate_graph_on_gaudi(const GaudiSpec& spec, const Graph& graph, TraceWriter* trace = nullptr,
                                              int pid = 1);

}  // namespace xpusim

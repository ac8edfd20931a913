#pragma once
// Cost of kernels and graphs on a Gaudi, as pure functions of the part.
//
// A GEMM or convolution (as an implicit GEMM, like the GPU model's) runs on the MME: its M x N
// output is cut into array-sized tiles, each consuming K padded to the array's granule, one step
// per cycle. Its operands stream from HBM into SRAM in chunks of half the SRAM, double-buffered:
// the first chunk's load is exposed, the rest overlaps the MME. An operand that exceeds half the
// SRAM while neither the other operand nor the output fits is streamed again for each chunk of
// the other. Other kernels run on the TPC cluster at its SIMD width and stream through HBM.
//
// The graph compiler fuses each run of element-wise kernels between MME nodes into one TPC node
// (the intermediates never reach HBM; reductions, which need a whole pass, end a run). The two
// engines then run the node list as a list scheduler would: each node waits for its engine and
// for the node whose result it consumes (the chain of the pass; a weight gradient reads the
// gradient its layer's data gradient reads, so it runs beside the chain, and the optimizer waits
// for everything). A consumer on the other engine is pipelined with its producer: the result is
// cut into slices of half the SRAM (two at least), the consumer starts on the first slice and
// reads it from SRAM, not HBM, and ends no earlier than one of its slices after the producer.
#include <string>
#include <vector>

#include "models/device.hpp"
#include "models/gaudi/gaudi_spec.hpp"

namespace xpusim {

enum class GaudiEngine : uint8_t { mme, tpc };

// One node of the compiled graph (or one kernel alone).
struct GaudiNode {
  GaudiEngine engine = GaudiEngine::tpc;
  std::string name;
  double compute_s = 0;  // engine arithmetic
  double hbm_bytes = 0;  // streamed through HBM
  double fill_s = 0;     // first SRAM chunk's load, not overlapped (MME)
  double macs = 0, executed_macs = 0;
  double result_bytes = 0;  // what an MME node writes (its TPC consumer reads it from SRAM)
  Pass pass = Pass::forward;
  std::size_t first_kernel = 0, kernels = 1;  // the graph's kernels this node runs

  double memory_s(const GaudiSpec& spec) const;
  double busy_s(const GaudiSpec& spec) const;  // fill + max(compute, memory)
};

GaudiNode gaudi_node(const GaudiSpec& spec, const Kernel& kernel);
DeviceKernelCost gaudi_kernel_cost(const GaudiSpec& spec, const Kernel& kernel);

// The graph as the compiler runs it: element-wise runs fused, in execution order.
std::vector<GaudiNode> compile_graph(const GaudiSpec& spec, const Graph& graph);
// A compiled node as the two engines run it: what it waits for and what it costs once started.
struct PlannedNode {
  GaudiEngine engine = GaudiEngine::tpc;
  std::ptrdiff_t producer = -1;  // node whose result it consumes (-1: none)
  bool after_all = false;        // waits for every node before it (the optimizer)
  double slices = 1;             // > 1: pipelined with its producer over this many SRAM slices
  double compute_s = 0, fill_s = 0, hbm_bytes = 0;  // HBM bytes less what it reads from SRAM
  double busy_s = 0;             // fill + max(compute, HBM time), alone on the chip
};
std::vector<PlannedNode> plan_schedule(const GaudiSpec& spec, const std::vector<GaudiNode>& nodes);

// The schedule above as the finishing time of each of the graph's `kernel_count` kernels (a fused
// node's kernels finish with it). Not monotone: a weight gradient may finish after later nodes.
std::vector<double> schedule_timeline(const GaudiSpec& spec, const std::vector<GaudiNode>& nodes,
                                      std::size_t kernel_count);

}  // namespace xpusim

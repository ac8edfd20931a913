#include "models/gaudi/gaudi_cost.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "models/gpu/gpu_cost.hpp"
#include "sim/engine/overloaded.hpp"

namespace xpusim {

namespace {

double round_up(double x, double to) { return std::ceil(x / to) * to; }

// Element-wise kernels fuse into one TPC node; reductions, pooling and gathers need their own.
bool fusable(const Kernel& k) {
  return std::holds_alternative<Elementwise>(k.shape) || std::holds_alternative<Norm>(k.shape) ||
         std::holds_alternative<Softmax>(k.shape);
}

// Bytes of a fusable kernel's result, the tensor its successor in a fused run no longer reads
// back from HBM (nor it writes).
double result_bytes(const Kernel& k) {
  const double e = double(dtype_bytes(k.dtype));
  return std::visit(overloaded{
      [&](const Elementwise& x) { return e * double(x.elements); },
      [&](const Norm& n) { return e * double(n.rows) * n.cols; },
      [&](const Softmax& s) { return e * double(s.rows) * s.cols; },
      [](const auto&) { return 0.0; }}, k.shape);
}

// The three tensors a matmul kernel touches, whatever its pass: a convolution's input, filter and
// output; a GEMM's A, B and C (B once when it is a weight shared by the batch).
std::array<double, 3> matmul_tensors(const Kernel& k) {
  const double e = double(dtype_bytes(k.dtype));
  return std::visit(overloaded{
      [&](const Conv2d& c) {
        return std::array<double, 3>{e * c.n * c.c * c.h * c.w, e * c.k * (c.c / c.groups) * c.r * c.s,
                                     e * c.n * c.k * c.out_h() * c.out_w()};
      },
      [&](const Gemm& g) {
        return std::array<double, 3>{e * g.batch * g.m * g.k, e * (g.b_is_weight ? 1 : g.batch) * g.k * g.n,
                                     e * g.batch * g.m * g.n};
      },
      [](const auto&) { return std::array<double, 3>{0, 0, 0}; }}, k.shape);
}

// HBM traffic of a matmul staged in half the SRAM (the other half is loading the next chunk):
// each tensor once if any of the three fits there (it stays while the others stream); else the
// second largest is streamed again for every SRAM-sized chunk of the largest.
double mme_traffic(const GaudiSpec& spec, const Kernel& k) {
  auto t = matmul_tensors(k);
  std::sort(t.begin(), t.end());
  const double half = double(spec.sram_bytes) / 2, once = t[0] + t[1] + t[2];
  if (t[0] <= half) return once;
  return once + t[1] * (std::ceil(t[2] / half) - 1);
}

}  // namespace

double GaudiNode::memory_s(const GaudiSpec& spec) const {
  return hbm_bytes / (spec.hbm_bytes_per_s * spec.fitted.memory_efficiency);
}

double GaudiNode::busy_s(const GaudiSpec& spec) const { return fill_s + std::max(compute_s, memory_s(spec)); }

GaudiNode gaudi_node(const GaudiSpec& spec, const Kernel& k) {
  GaudiNode n;
  n.name = k.name;
  n.pass = k.pass;
  // A depthwise convolution reduces over its taps only, far below the MME's reduction granule:
  // the graph compiler gives it to the TPCs, as a vector loop over channels.
  const auto* conv = std::get_if<Conv2d>(&k.shape);
  const bool depthwise = conv && conv->depthwise();
  const MmeShape* mme = k.is_matmul() && !depthwise ? spec.mme_shape(k.dtype) : nullptr;
  if (mme) {
    const GemmView v = gemm_view(k);
    n.engine = GaudiEngine::mme;
    const double tiles = v.batch * std::ceil(v.m / mme->rows) * std::ceil(v.n / mme->cols);
    const double cycles = std::ceil(tiles / mme->cores) * round_up(std::max(1.0, v.k), mme->k_granule);
    n.compute_s = cycles / (spec.mme_clock_ghz * 1e9 * spec.fitted.mme_efficiency);
    n.macs = k.macs();
    n.executed_macs = cycles * mme->macs_per_cycle();
    n.hbm_bytes = mme_traffic(spec, k);
    n.result_bytes = double(k.result_bytes());
    const double bw = spec.hbm_bytes_per_s * spec.fitted.memory_efficiency;
    n.fill_s = std::min(n.hbm_bytes, double(spec.sram_bytes) / 2) / bw;
    return n;
  }
  // TPC cluster: one FMA (two flops) per SIMD lane per cycle.
  n.engine = GaudiEngine::tpc;
  const double lanes = spec.tpc_lanes(k.dtype) * spec.tpc_count;
  n.compute_s = k.flops() / (2 * lanes * spec.tpc_clock_ghz * 1e9);
  n.hbm_bytes = double(k.bytes());
  return n;
}

DeviceKernelCost gaudi_kernel_cost(const GaudiSpec& spec, const Kernel& k) {
  const GaudiNode n = gaudi_node(spec, k);
  DeviceKernelCost c;
  c.compute_unit = n.engine == GaudiEngine::mme ? "MME" : "TPC";
  c.memory_level = "HBM";
  c.overhead_s = spec.node_overhead_us * 1e-6;
  c.compute_s = n.compute_s;
  c.memory_s = n.fill_s + n.memory_s(spec);
  c.total_s = c.overhead_s + n.busy_s(spec);
  c.effective_macs = n.executed_macs;
  if (n.engine == GaudiEngine::mme) {
    const MmeShape* mme = spec.mme_shape(k.dtype);
    c.utilization = n.macs / (mme->macs_per_cycle() * spec.mme_clock_ghz * 1e9 * c.total_s);
  }
  return c;
}

std::vector<GaudiNode> compile_graph(const GaudiSpec& spec, const Graph& graph) {
  std::vector<GaudiNode> nodes;
  const Kernel* previous = nullptr;
  for (std::size_t i = 0; i < graph.kernels.size(); ++i) {
    const Kernel& k = graph.kernels[i];
    GaudiNode n = gaudi_node(spec, k);
    n.first_kernel = i;
    const bool joins = previous && fusable(k) && fusable(*previous) && previous->pass == k.pass &&
                       !nodes.empty() && nodes.back().engine == GaudiEngine::tpc;
    if (joins) {
      GaudiNode& run = nodes.back();
      run.compute_s += n.compute_s;
      ++run.kernels;
      // The previous result stays on chip: neither written by it nor read back by this kernel.
      run.hbm_bytes += std::max(0.0, n.hbm_bytes - 2 * result_bytes(*previous));
    } else {
      nodes.push_back(std::move(n));
    }
    previous = &k;
  }
  return nodes;
}

std::vector<PlannedNode> plan_schedule(const GaudiSpec& spec, const std::vector<GaudiNode>& nodes) {
  const double half_sram = double(spec.sram_bytes) / 2;
  std::vector<PlannedNode> plan(nodes.size());
  // The chain: each node consumes the result of the last node before it that is on the chain.
  // Weight gradients are off it: they read the gradient their layer's data gradient also reads
  // (the chain before that data gradient), and only the optimizer waits for them.
  std::ptrdiff_t chain = -1, weight_input = -1;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    GaudiNode n = nodes[i];
    PlannedNode& p = plan[i];
    const bool weight_gradient = n.pass == Pass::backward_weights;
    p.engine = n.engine;
    p.producer = weight_gradient ? weight_input : chain;
    p.after_all = n.pass == Pass::update;
    if (p.producer >= 0) {
      const GaudiNode& q = nodes[p.producer];
      if (q.engine != n.engine && n.pass == q.pass && n.pass != Pass::update) {
        // Pipelined through SRAM: this node starts on the producer's first slice and reads the
        // producer's result from SRAM, not HBM.
        const double result = q.engine == GaudiEngine::mme ? q.result_bytes : q.hbm_bytes / 2;
        p.slices = std::max(2.0, std::ceil(result / half_sram));
        n.hbm_bytes = std::max(0.0, n.hbm_bytes - result);
      }
    }
    p.compute_s = n.compute_s;
    p.fill_s = n.fill_s;
    p.hbm_bytes = n.hbm_bytes;
    p.busy_s = n.busy_s(spec);
    if (!weight_gradient) {
      const bool data_gradient = n.pass == Pass::backward_data && n.engine == GaudiEngine::mme;
      weight_input = data_gradient ? chain : static_cast<std::ptrdiff_t>(i);
      chain = static_cast<std::ptrdiff_t>(i);
    }
  }
  return plan;
}

std::vector<double> schedule_timeline(const GaudiSpec& spec, const std::vector<GaudiNode>& nodes,
                                      std::size_t kernel_count) {
  const double overhead = spec.node_overhead_us * 1e-6;
  const std::vector<PlannedNode> plan = plan_schedule(spec, nodes);
  std::vector<double> ends(kernel_count, 0.0), start(nodes.size(), 0.0), end(nodes.size(), 0.0);
  double engine_free[2] = {0, 0}, all_done = 0;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const PlannedNode& p = plan[i];
    const int engine = p.engine == GaudiEngine::mme ? 0 : 1;
    double ready = p.after_all ? all_done : 0;
    if (p.producer >= 0)
      ready = std::max(ready, p.slices > 1 ? start[p.producer] + plan[p.producer].busy_s / p.slices : end[p.producer]);
    start[i] = std::max(engine_free[engine], ready) + overhead;
    end[i] = start[i] + p.busy_s;
    if (p.slices > 1) end[i] = std::max(end[i], end[p.producer] + p.busy_s / p.slices);
    engine_free[engine] = end[i];
    all_done = std::max(all_done, end[i]);
    for (std::size_t k = 0; k < nodes[i].kernels; ++k) ends[nodes[i].first_kernel + k] = end[i];
  }
  return ends;
}

}  // namespace xpusim

#include "models/gpu/gpu_cost.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "sim/engine/overloaded.hpp"

namespace xpusim {

namespace {

double round_up(double x, double to) { return std::ceil(x / to) * to; }

// Thread-block tile shapes of CUTLASS/cuBLAS tensor-core and SIMT kernels, with how many such
// blocks one SM holds at once (shared memory and registers bound it).
struct TileShape {
  int m, n, per_sm;
};
constexpr TileShape kTensorTiles[] = {{256, 128, 1}, {128, 256, 1}, {128, 128, 2}, {128, 64, 2}, {64, 128, 2},
                                      {64, 64, 4}};
constexpr TileShape kSimtTiles[] = {{128, 128, 1}, {128, 64, 2}, {64, 64, 4}, {32, 32, 8}};

// Reduction depth of one main-loop step, and the alignment K is padded to, by operand type.
double k_step(DType t, bool tensor) {
  if (!tensor) return 8;
  switch (t) {
    case DType::s8: case DType::u8: return 64;
    case DType::tf32: case DType::f32: return 16;
    default: return 32;
  }
}
double k_align(DType t, bool tensor) {
  if (!tensor) return 1;
  switch (t) {
    case DType::s8: case DType::u8: return 16;
    case DType::tf32: case DType::f32: return 4;
    default: return 8;
  }
}

}  // namespace

GemmView gemm_view(const Kernel& k) {
  return std::visit(overloaded{
      [&](const Gemm& g) {
        GemmView v{double(g.batch), double(g.m), double(g.n), double(g.k)};
        if (k.pass == Pass::backward_data) v = {double(g.batch), double(g.m), double(g.k), double(g.n)};
        if (k.pass == Pass::backward_weights)
          v = g.b_is_weight ? GemmView{1, double(g.k), double(g.n), double(g.batch) * g.m}
                            : GemmView{double(g.batch), double(g.k), double(g.n), double(g.m)};
        return v;
      },
      [&](const Conv2d& c) {
        const double groups = double(c.groups), cg = double(c.c / c.groups), kg = double(c.k / c.groups);
        const double out_pixels = double(c.n) * c.out_h() * c.out_w(), taps = double(c.r) * c.s;
        // Data gradient: each input position gathers from the taps that land on an output; with a
        // stride only 1/stride^2 of them do (no MACs on the zeros a naive view would insert).
        if (k.pass == Pass::backward_data)
          return GemmView{groups, double(c.n) * c.h * c.w, cg, std::max(1.0, kg * taps / double(c.stride * c.stride))};
        if (k.pass == Pass::backward_weights) return GemmView{groups, kg, cg * taps, out_pixels};
        return GemmView{groups, out_pixels, kg, cg * taps};
      },
      [](const auto&) { return GemmView{}; }}, k.shape);
}

TilePlan plan_gemm(const GpuSpec& gpu, const GemmView& v, DType dtype) {
  const double tensor = gpu.tensor_rate(dtype);
  const bool on_tensor = tensor > 0;
  const double rate = on_tensor ? tensor * gpu.fitted.tensor_efficiency
                                : ((dtype == DType::s8 && gpu.dp4a > 0) ? gpu.dp4a : gpu.fp32_fma) * gpu.fitted.simt_efficiency;
  const double hz = gpu.clock_ghz * 1e9, step = k_step(dtype, on_tensor);
  const double k = round_up(std::max(1.0, v.k), k_align(dtype, on_tensor));
  const double slots = double(gpu.sm_count);
  TilePlan best;
  best.compute_s = INFINITY;
  for (const TileShape& t : on_tensor ? std::span<const TileShape>(kTensorTiles) : std::span<const TileShape>(kSimtTiles)) {
    const double tiles = v.batch * std::ceil(v.m / t.m) * std::ceil(v.n / t.n);
    const double wave = slots * t.per_sm;
    // Too few tiles to fill one wave and a deep reduction: split K across more blocks.
    int splits = 1;
    if (tiles < wave && k >= 4 * 256)
      splits = static_cast<int>(std::clamp(std::floor(wave / tiles), 1.0, std::ceil(k / 256)));
    const double k_split = round_up(k / splits, step);
    // One block: its MACs plus about two main-loop steps of prologue and epilogue.
    const double block_cycles = double(t.m) * t.n * (k_split + 2 * step) / rate;
    const double blocks = tiles * splits;
    const double waves = std::ceil(blocks / wave);
    // Blocks sharing an SM share its rate: a wave lasts per_sm block times.
    const double seconds = waves * block_cycles * t.per_sm / hz;
    if (seconds < best.compute_s) {
      best = {t.m, t.n, t.per_sm, splits, blocks, waves, seconds, 0, blocks * t.m * t.n * k_split};
      if (splits > 1) best.partial_bytes = 2.0 * 4 * splits * v.batch * v.m * v.n;
    }
  }
  return best;
}

std::optional<WinogradPlan> plan_winograd(const GpuSpec& gpu, const Kernel& k) {
  const auto* c = std::get_if<Conv2d>(&k.shape);
  if (!c || c->r != 3 || c->s != 3 || c->stride != 1 || c->groups != 1) return std::nullopt;
  if (gpu.tensor_rate(k.dtype) > 0 || k.dtype != DType::f32) return std::nullopt;
  // Tiles cover the output of the pass: the output (forward, weight gradient) or the input (data
  // gradient, itself a 3x3 stride-1 convolution of the output gradient).
  const bool data_grad = k.pass == Pass::backward_data;
  const double h = double(data_grad ? c->h : c->out_h()), w = double(data_grad ? c->w : c->out_w());
  const double in_c = double(data_grad ? c->k : c->c), out_c = double(data_grad ? c->c : c->k);
  std::optional<WinogradPlan> best;
  double best_s = INFINITY;
  for (int m : {2, 4}) {
    const double points = double((m + 2) * (m + 2));  // transform-domain points per tile
    const double tiles = double(c->n) * std::ceil(h / m) * std::ceil(w / m);
    // One GEMM per point: tiles x out_c x in_c, or (weight gradient) out_c x in_c over the tiles.
    const GemmView view = k.pass == Pass::backward_weights ? GemmView{points, out_c, in_c, tiles}
                                                           : GemmView{points, tiles, out_c, in_c};
    WinogradPlan plan{m, plan_gemm(gpu, view, k.dtype), 0};
    if (m == 4) plan.transform_bytes = 2.0 * 4 * points * (tiles * in_c + in_c * out_c + tiles * out_c);
    const double separate = m == 4 ? plan.transform_bytes / (gpu.hbm_bytes_per_s * gpu.fitted.memory_efficiency) +
                                         2 * gpu.launch_us * 1e-6
                                   : 0;
    const double seconds = plan.gemms.compute_s + separate;
    if (seconds < best_s) {
      best_s = seconds;
      best = plan;
    }
  }
  return best;
}

DeviceKernelCost gpu_kernel_cost(const GpuSpec& gpu, const Kernel& k) {
  DeviceKernelCost c;
  c.overhead_s = gpu.launch_us * 1e-6;
  const double hbm = gpu.hbm_bytes_per_s * gpu.fitted.memory_efficiency;
  c.memory_level = "HBM";
  double bytes = static_cast<double>(k.bytes());
  if (k.is_matmul()) {
    const TilePlan plan = plan_gemm(gpu, gemm_view(k), k.dtype);
    const bool tensor = gpu.tensor_rate(k.dtype) > 0;
    c.compute_unit = tensor ? "tensor cores" : "CUDA cores";
    c.compute_s = plan.compute_s;
    c.effective_macs = plan.executed_macs;
    bytes += plan.partial_bytes;
    c.memory_s = bytes / hbm;
    c.total_s = c.overhead_s + std::max(c.compute_s, c.memory_s);
    const double peak = (tensor ? gpu.tensor_rate(k.dtype) : gpu.fp32_fma) * gpu.sm_count * gpu.clock_ghz * 1e9;
    if (const auto wino = plan_winograd(gpu, k)) {
      // Separate transform kernels stream their tensors apart from the GEMMs and add two launches.
      const double transforms = wino->transform_bytes / hbm;
      const double launches = (wino->tile == 4 ? 3 : 1) * c.overhead_s;
      const double total = launches + transforms + std::max(wino->gemms.compute_s, c.memory_s);
      if (total < c.total_s) {
        c.compute_unit = wino->tile == 2 ? "CUDA cores (Winograd 2x2)" : "CUDA cores (Winograd 4x4)";
        c.overhead_s = launches;
        c.compute_s = wino->gemms.compute_s;
        c.effective_macs = wino->gemms.executed_macs;
        c.memory_s += transforms;
        c.total_s = total;
      }
    }
    // A depthwise convolution as a GEMM per channel has a reduction of only its taps, which
    // tensor-core tiles pad many times over: cuDNN runs it as a direct kernel on the CUDA cores
    // instead, one thread per output element, bound by HBM.
    const auto* conv = std::get_if<Conv2d>(&k.shape);
    if (conv && conv->depthwise()) {
      const double direct = k.macs() / (gpu.fp32_fma * gpu.sm_count * gpu.clock_ghz * 1e9 * gpu.fitted.simt_efficiency);
      const double memory = static_cast<double>(k.bytes()) / hbm;
      if (c.overhead_s + std::max(direct, memory) < c.total_s) {
        c.compute_unit = "CUDA cores (depthwise)";
        c.compute_s = direct;
        c.effective_macs = k.macs();
        c.memory_s = memory;
        c.total_s = c.overhead_s + std::max(direct, memory);
      }
    }
    // The MACs the pipes execute: fewer than the convolution's under Winograd.
    c.utilization = std::min(k.macs(), c.effective_macs) / (peak * c.total_s);
    return c;
  }
  if (const auto* m = std::get_if<Memcpy>(&k.shape)) {
    switch (m->direction) {
      case CopyDirection::host_to_device: case CopyDirection::device_to_host:
        c.memory_level = "PCIe";
        c.memory_s = bytes / gpu.pcie_bytes_per_s;
        break;
      case CopyDirection::peer_to_peer:
        c.memory_level = "NVLink";
        c.memory_s = bytes / gpu.nvlink_bytes_per_s;
        break;
      case CopyDirection::device_to_device:
        c.memory_s = 2 * bytes / hbm;  // read and write
        break;
    }
    c.total_s = c.overhead_s + c.memory_s;
    return c;
  }
  // Streaming operators: their arithmetic on the FP32 pipes, their operands through HBM.
  c.compute_unit = "CUDA cores";
  c.compute_s = k.flops() / (2 * gpu.fp32_fma * gpu.sm_count * gpu.clock_ghz * 1e9 * gpu.fitted.simt_efficiency);
  c.memory_s = bytes / hbm;
  c.total_s = c.overhead_s + std::max(c.compute_s, c.memory_s);
  return c;
}

}  // namespace xpusim

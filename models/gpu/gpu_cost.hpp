#pragma once
// Cost of one kernel on a GPU, as a pure function of the part and the kernel.
//
// A GEMM or convolution runs as cuBLAS/cuDNN run it: an implicit GEMM (M x N x K per group) cut
// into thread-block tiles; the tiles run in waves of (SMs x tiles per SM), so a GEMM one tile
// larger than a wave takes a whole extra wave (wave quantization). The tile shape is the one,
// among the usual CUTLASS shapes, that finishes first; when too few tiles fill the GPU the
// reduction is split (split-K) and the partial sums are added in memory. Tensor-core operand
// types run at the tensor rate, others on the FP32 pipes. Every kernel also streams its operands
// through HBM; compute and streaming overlap, and each kernel pays the GPU's launch gap. Other
// operators stream at the achieved HBM bandwidth.
//
// A 3x3, stride-1 convolution on the FP32 pipes may instead run as Winograd's minimal filtering
// (Lavin & Gray 2016), as cuDNN does when the framework lets it pick the fastest algorithm (TF's
// autotuning, PyTorch's cudnn.benchmark): F(2x2, 3x3) in one kernel, 16 GEMMs over 2x2 output
// tiles (2.25x fewer MACs), or F(4x4, 3x3) in separate transform kernels, 36 GEMMs over 4x4 tiles
// (4x fewer MACs) with the transformed tensors written to and read from HBM. The cost is the
// fastest of the three; tensor cores and DP4A always run the implicit GEMM.
#include <optional>

#include "models/device.hpp"
#include "models/gpu/gpu_spec.hpp"

namespace xpusim {

// A matmul kernel in the implicit-GEMM view of its pass: batch x (M x N x K), with M x N x K its
// MACs (a strided data gradient counts only the taps that meet an input).
struct GemmView {
  double batch = 1, m = 0, n = 0, k = 0;
};
GemmView gemm_view(const Kernel& kernel);

struct TilePlan {
  int tile_m = 0, tile_n = 0, tiles_per_sm = 1, splits = 1;
  double tiles = 0;  // thread blocks, splits included
  double waves = 0;
  double compute_s = 0;
  double partial_bytes = 0;  // split-K partial sums written and read back
  double executed_macs = 0;  // with the padding of partial tiles
};
TilePlan plan_gemm(const GpuSpec& gpu, const GemmView& view, DType dtype);

// The Winograd variant of a convolution and what it costs beyond its GEMMs; nullopt where
// Winograd does not apply (not 3x3 stride 1 ungrouped, or not on the FP32 pipes).
struct WinogradPlan {
  int tile = 0;  // output tile edge: 2 (fused) or 4 (separate transforms)
  TilePlan gemms;
  double transform_bytes = 0;  // transformed input, filter and output, written and read back
};
std::optional<WinogradPlan> plan_winograd(const GpuSpec& gpu, const Kernel& kernel);

DeviceKernelCost gpu_kernel_cost(const GpuSpec& gpu, const Kernel& kernel);

}  // namespace xpusim

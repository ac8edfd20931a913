#pragma once
// An NVIDIA GPU (or a MIG slice of one) as the GPU cost model sees it: streaming multiprocessors
// with tensor cores and FP32 pipes, HBM behind an L2, and the links out of the package. Figures
// come from NVIDIA's datasheets (models/catalog/accelerators.json names each source); the class's
// efficiencies and the eager framework's per-operator host cost are fitted, jointly, on
// shared/reference/calibration.json.
#include <cstdint>
#include <string>

#include "models/device_catalog.hpp"

namespace xpusim {

// Fitted parameters of the GPU class, shared by every GPU part (not one per part or entry).
struct GpuFitted {
  double tensor_efficiency = 0.8;  // tensor-core main loop, fraction of peak on large tiles
  double simt_efficiency = 0.8;    // FP32 CUDA-core GEMM main loop, fraction of peak
  double memory_efficiency = 0.85; // achieved fraction of HBM bandwidth by streaming kernels
  double op_overhead_us = 50;      // eager framework's host time per operator (dispatch, launch)
};

struct GpuSpec : DeviceSpec {
  int sm_count = 0;
  double clock_ghz = 0;  // boost clock the datasheet peaks are quoted at
  // Multiply-accumulates per SM per cycle: tensor cores by operand type (0: none), and the FP32
  // pipes (which also run int8 dot products, DP4A, at 4 per lane on parts without int8 tensor cores).
  double tensor_f16 = 0, tensor_bf16 = 0, tensor_tf32 = 0, tensor_s8 = 0;
  double fp32_fma = 0, dp4a = 0;
  int64_t memory_bytes = 0;
  double hbm_bytes_per_s = 0;
  int64_t l2_bytes = 0;
  double nvlink_bytes_per_s = 0;  // per GPU, all links, one direction
  double pcie_bytes_per_s = 0;    // one direction
  double launch_us = 0;           // GPU-side gap between back-to-back kernels
  GpuFitted fitted;

  std::unique_ptr<Device> make_device() const override;
  // Tensor-core MACs per SM per cycle for a matmul operand type; 0 where it runs on FP32 pipes.
  double tensor_rate(DType t) const;
};

// Reads the "gpu" and "hbm" blocks of the catalog's fitted parameters.
GpuFitted read_gpu_fitted(const JsonView& fitted);

}  // namespace xpusim

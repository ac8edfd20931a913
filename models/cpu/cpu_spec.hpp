#pragma once
// Parameters of one CPU part, read from the catalog (models/catalog/cpus.json, every figure with
// its source) or measured on the machine we run on (host_profile.hpp).
#include <cstdint>
#include <map>
#include <string>

#include "models/cpu/element_ops.hpp"
#include "workloads/dtype.hpp"

namespace xpusim {

struct CpuSpec {
  std::string name;               // catalog key, e.g. "xeon-8275cl"
  std::string description;
  int cores_per_socket = 1;
  // Sustained all-core clock by instruction class: 512-bit heavy code (FMA, VNNI, AMX) runs at a
  // lower licence frequency on Intel parts.
  double freq_ghz_scalar = 0, freq_ghz_avx2 = 0, freq_ghz_avx512 = 0;
  int simd_datapath_bits = 512;   // 256 where 512-bit ops issue as two halves (AMD Zen 4)
  int fma_units = 2;              // vector FMA ports
  int vector_alu_ports = 2;       // vector add/multiply ports of the datapath's width
  bool avx512 = true, vnni = true, avx512_bf16 = false, amx = false;
  double amx_int8_macs_per_cycle = 0, amx_bf16_macs_per_cycle = 0;
  // Where amx: cycles per tile multiply (16 x 16 results over one 64-byte step of the reduction),
  // its operand tiles' loads from L2 included as oneDNN's brgemm blocks them (2x2), and per store
  // of a result tile. Probed on the host; catalog parts take a probed part's of their family.
  double amx_tile_multiply_cycles = 0, amx_tile_store_cycles = 0;
  // Arithmetic rates per core and cycle at the clock of that class of instruction. Catalog parts
  // derive them from their ISA and datapath (derive_rates); the host measures them.
  double int8_macs_per_cycle = 0, bf16_macs_per_cycle = 0, f32_macs_per_cycle = 0;
  // 512-bit-equivalent vector add/multiply instructions per cycle: the rate of non-matmul kernels
  // and of GEMM epilogues.
  double vector_ops_per_cycle = 0;
  // Cycles per unit of work of each class of non-matmul kernel (see element_ops.hpp).
  ElementCosts element_cycles{};
  int64_t l1d_bytes = 0, l2_bytes = 0;  // per core
  int64_t l3_bytes = 0;                 // per socket, shared
  double l2_bytes_per_cycle = 0;        // per core
  double l3_bytes_per_cycle = 0;        // per core
  double dram_gbps_socket = 0;          // peak of all channels
  double dram_gbps_per_core = 0;        // what one core can pull (bounded by its fill buffers)
  double l3_gbps_all = 0;               // all cores together from L3; 0: per core x cores
  // Software costs of one oneDNN primitive call (fitted on the host, see catalog).
  // Share of the MAC rate a GEMM or convolution keeps when none of its working set fits in L2:
  // streaming operands from L3 or DRAM is hidden behind compute only in part (on Zen 4 and Zen 5
  // VMs 0.90-0.94 for a 1x1 convolution). A working set partly in L2 loses in proportion to the
  // part outside (cpu_cost.cpp). Measured on the host; catalog parts keep 1 (no published
  // figure), so their large-batch times are optimistic by that much.
  double matmul_beyond_l2_efficiency = 1;
  // Cycles per output element of an int8 convolution or GEMM on the vector units beyond its MACs:
  // requantizing to u8, the store, and the output pixel's share of loading its inputs; and what a
  // fused ReLU adds. Measured on the host (Zen 5: 0.085 + 0.052; on its 256-bit path 0.32 + 0.16);
  // 0 for catalog parts, which count the epilogue's six vector instructions per register instead
  // (0.09 per output on Zen 5, 0.22 on its 256-bit path).
  double int8_output_cycles = 0, int8_relu_cycles = 0;
  double kernel_overhead_us = 0;
  double fork_join_us = 0;              // an OpenMP parallel region over >1 threads
  std::map<std::string, std::string> sources;  // parameter -> where the figure comes from

  // Sets the MAC and vector rates from the ISA flags, datapath width and port counts, then the
  // element costs from the vector rate.
  void derive_rates();
  // Sets every element cost from vector_ops_per_cycle and oneDNN's instructions per unit.
  void derive_element_costs();
  // Multiply-accumulates per cycle per core for GEMM/conv of this type, on the best ISA path.
  double macs_per_cycle(DType t) const;
  // Clock while running GEMM/conv of this type (licence frequency for 512-bit or AMX code).
  double matmul_freq_ghz(DType t) const;
  // Channel granularity of the dot-product instruction: VPDPBUSD sums 4 int8 products per lane.
  int reduction_granularity(DType t) const;
  // Output channels per vector register (s32/f32 lanes of one 512-bit register).
  int output_lanes() const { return 16; }
};

}  // namespace xpusim

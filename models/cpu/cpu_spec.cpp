#include "models/cpu/cpu_spec.hpp"

#include <algorithm>

namespace xpusim {

void CpuSpec::derive_rates() {
  // 32-bit lanes per FMA unit per cycle: the datapath, or 256 bits without AVX-512.
  const int width = std::min(simd_datapath_bits, avx512 ? 512 : 256);
  const double lanes32 = width / 32.0;
  const double f32 = fma_units * lanes32;
  f32_macs_per_cycle = f32;
  if (amx) int8_macs_per_cycle = amx_int8_macs_per_cycle;
  else if (vnni) int8_macs_per_cycle = fma_units * lanes32 * 4;  // VPDPBUSD: 4 u8 x s8 per s32 lane
  // VPMADDUBSW + VPMADDWD + VPADDD do the work of one VPDPBUSD in three instructions on the same
  // ports.
  else int8_macs_per_cycle = fma_units * lanes32 * 4 / 3;
  if (amx) bf16_macs_per_cycle = amx_bf16_macs_per_cycle;
  else if (avx512_bf16) bf16_macs_per_cycle = fma_units * lanes32 * 2;  // VDPBF16PS: 2 per f32 lane
  else bf16_macs_per_cycle = f32;
  vector_ops_per_cycle = vector_alu_ports * width / 512.0;
  derive_element_costs();
}

void CpuSpec::derive_element_costs() {
  for (std::size_t i = 0; i < kElementOpCount; ++i)
    element_cycles[i] = vector_ops_per_unit(static_cast<ElementOp>(i)) / vector_ops_per_cycle;
}

double CpuSpec::macs_per_cycle(DType t) const {
  switch (t) {
    case DType::s8: case DType::u8: return int8_macs_per_cycle;
    case DType::bf16: return bf16_macs_per_cycle;
    // No FP16 arithmetic on these cores: converted and computed in fp32; tf32 is an fp32 mode.
    case DType::f16: case DType::f32: case DType::tf32: case DType::s32: return f32_macs_per_cycle;
  }
  return f32_macs_per_cycle;
}

double CpuSpec::matmul_freq_ghz(DType) const { return avx512 ? freq_ghz_avx512 : freq_ghz_avx2; }

int CpuSpec::reduction_granularity(DType t) const {
  switch (t) {
    case DType::s8: case DType::u8: return 4;
    case DType::bf16: return (amx || avx512_bf16) ? 2 : 1;
    default: return 1;
  }
}

}  // namespace xpusim

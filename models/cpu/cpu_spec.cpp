#include "models/cpu/cpu_spec.hpp"

namespace xpusim {

double CpuSpec::macs_per_cycle(DType t) const {
  const double lanes32 = simd_datapath_bits / 32.0;  // 32-bit lanes per FMA unit per cycle
  switch (t) {
    case DType::s8: case DType::u8:
      if (amx) return amx_int8_macs_per_cycle;
      if (vnni) return fma_units * lanes32 * 4;  // VPDPBUSD: 4 u8 x s8 products per s32 lane
      // AVX-512BW: VPMADDUBSW + VPMADDWD + VPADDD do the work of one VPDPBUSD in three uops
      // on the same two ports.
      if (avx512) return fma_units * lanes32 * 4 / 3;
      return fma_units * lanes32 * 4 / 3 / 2;  // AVX2: half the width
    case DType::bf16:
      if (amx) return amx_bf16_macs_per_cycle;
      if (avx512_bf16) return fma_units * lanes32 * 2;  // VDPBF16PS: 2 products per f32 lane
      return fma_units * lanes32;
    case DType::f16:  // no FP16 arithmetic on these cores: converted and computed in fp32
    case DType::f32:
    case DType::tf32:
    case DType::s32:
      return avx512 ? fma_units * lanes32 : fma_units * lanes32 / 2;
  }
  return fma_units * lanes32;
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

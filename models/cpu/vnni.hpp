#pragma once
// Functional model of the int8 dot-product instructions the CPU model times. Plain C++ with the
// exact integer semantics of the instructions, so results can be checked bit for bit.
#include <cstdint>

namespace xpusim::vnni {

constexpr int kLanes = 16;  // s32 lanes of a 512-bit register

// VPDPBUSD zmm: for each lane i, acc[i] += sum_{j<4} u8(a[4i+j]) * s8(b[4i+j]); the s32 add wraps
// (the S variant, VPDPBUSDS, would saturate). The four products are summed exactly.
void vpdpbusd(int32_t acc[kLanes], const uint8_t a[4 * kLanes], const int8_t b[4 * kLanes]);

// The AVX-512BW sequence VNNI replaces: VPMADDUBSW (adjacent u8 x s8 pairs summed to s16 with
// signed saturation), VPMADDWD with ones (s16 pairs to s32), VPADDD. It differs from VPDPBUSD
// exactly when a pair sum leaves [-32768, 32767], e.g. 255*127 + 255*127.
void vpmaddubsw_sequence(int32_t acc[kLanes], const uint8_t a[4 * kLanes], const int8_t b[4 * kLanes]);

// C[m][n] (s32, row-major) = A[m][k] (u8, row-major) x B[k][n] (s8, row-major).
// The VNNI version packs B in the layout oneDNN uses, [k/4][n][4] with k padded to 4, and
// computes 16 output columns per register with VPDPBUSD.
void gemm_u8s8s32_vnni(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c);
void gemm_u8s8s32_legacy(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c);
// Scalar reference: one product at a time, accumulated in int64 and then wrapped to s32.
void gemm_u8s8s32_reference(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c);

}  // namespace xpusim::vnni

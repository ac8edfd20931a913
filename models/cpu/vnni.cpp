#include "models/cpu/vnni.hpp"

#include <algorithm>
#include <vector>

namespace xpusim::vnni {

namespace {
int32_t wrap_add(int32_t x, int64_t y) {
  return static_cast<int32_t>(static_cast<uint32_t>(x) + static_cast<uint32_t>(static_cast<int32_t>(y)));
}
int16_t saturate16(int32_t x) { return static_cast<int16_t>(std::clamp(x, -32768, 32767)); }

// Runs `step` over the packed operand tiles of a GEMM: for each row of A and each group of 16
// columns, 64-byte registers holding A's 4 values broadcast to every lane and B's 4x16 block.
template <class Step>
void gemm_tiles(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c, Step step) {
  const int k4 = (k + 3) / 4;
  const int n16 = (n + kLanes - 1) / kLanes;
  // Pack B as [k/4][n16*16][4], zero-padded: the VNNI layout.
  std::vector<int8_t> packed(static_cast<std::size_t>(k4) * n16 * kLanes * 4, 0);
  for (int kk = 0; kk < k; ++kk)
    for (int j = 0; j < n; ++j)
      packed[(static_cast<std::size_t>(kk / 4) * n16 * kLanes + j) * 4 + kk % 4] = b[static_cast<std::size_t>(kk) * n + j];
  for (int i = 0; i < m; ++i) {
    for (int jb = 0; jb < n16; ++jb) {
      int32_t acc[kLanes] = {};
      for (int kb = 0; kb < k4; ++kb) {
        uint8_t abcast[4 * kLanes];
        for (int l = 0; l < kLanes; ++l)
          for (int q = 0; q < 4; ++q) {
            int kk = kb * 4 + q;
            abcast[4 * l + q] = kk < k ? a[static_cast<std::size_t>(i) * k + kk] : 0;
          }
        step(acc, abcast, &packed[(static_cast<std::size_t>(kb) * n16 + jb) * kLanes * 4]);
      }
      for (int l = 0; l < kLanes && jb * kLanes + l < n; ++l)
        c[static_cast<std::size_t>(i) * n + jb * kLanes + l] = acc[l];
    }
  }
}
}  // namespace

void vpdpbusd(int32_t acc[kLanes], const uint8_t a[4 * kLanes], const int8_t b[4 * kLanes]) {
  for (int i = 0; i < kLanes; ++i) {
    int32_t sum = 0;  // at most 4 * 255 * 128: exact in s32
    for (int j = 0; j < 4; ++j) sum += int32_t(a[4 * i + j]) * int32_t(b[4 * i + j]);
    acc[i] = wrap_add(acc[i], sum);
  }
}

void vpmaddubsw_sequence(int32_t acc[kLanes], const uint8_t a[4 * kLanes], const int8_t b[4 * kLanes]) {
  for (int i = 0; i < kLanes; ++i) {
    int16_t pair[2];
    for (int p = 0; p < 2; ++p) {
      int j = 4 * i + 2 * p;
      pair[p] = saturate16(int32_t(a[j]) * b[j] + int32_t(a[j + 1]) * b[j + 1]);  // VPMADDUBSW
    }
    int32_t dword = int32_t(pair[0]) + int32_t(pair[1]);  // VPMADDWD with a vector of ones
    acc[i] = wrap_add(acc[i], dword);                     // VPADDD
  }
}

void gemm_u8s8s32_vnni(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c) {
  gemm_tiles(m, n, k, a, b, c, vpdpbusd);
}

void gemm_u8s8s32_legacy(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c) {
  gemm_tiles(m, n, k, a, b, c, vpmaddubsw_sequence);
}

void gemm_u8s8s32_reference(int m, int n, int k, const uint8_t* a, const int8_t* b, int32_t* c) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      int64_t sum = 0;
      for (int kk = 0; kk < k; ++kk)
        sum += int64_t(a[static_cast<std::size_t>(i) * k + kk]) * b[static_cast<std::size_t>(kk) * n + j];
      c[static_cast<std::size_t>(i) * n + j] = static_cast<int32_t>(static_cast<uint32_t>(sum));
    }
}

}  // namespace xpusim::vnni

#pragma once
// The position of the lowest value in an array of doubles (the first of equals): the progressive
// fill looks for its lowest open channel this way once per bottleneck, hundreds of times per solve
// over hundreds of channels when every flow is tied to every other. A branch-free scan beats a
// heap's unpredictable sifts there (and a two-level scan with block minima, measured: a block's
// minimum is too often the level that changed). The scan runs in SIMD lanes on x86-64 (SSE2 is in
// every such CPU); compilers do not vectorize a min reduction by themselves, as it could change
// which NaN or signed zero is kept, and fill levels are never NaN.
#include <cstddef>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace xpusim {

inline std::size_t index_of_lowest(const double* values, std::size_t n) {
  if (n == 0) return 0;
  std::size_t i = 0;
  double lowest = values[0];
#if defined(__SSE2__)
  if (n >= 8) {
    // Four running minima of two lanes each, so that the compares do not wait on each other.
    __m128d low[4];
    for (auto& l : low) l = _mm_loadu_pd(values);
    for (; i + 8 <= n; i += 8)
      for (std::size_t k = 0; k < 4; ++k) low[k] = _mm_min_pd(low[k], _mm_loadu_pd(values + i + 2 * k));
    const __m128d both = _mm_min_pd(_mm_min_pd(low[0], low[1]), _mm_min_pd(low[2], low[3]));
    lowest = _mm_cvtsd_f64(_mm_min_sd(both, _mm_unpackhi_pd(both, both)));
  }
#endif
  for (; i < n; ++i) lowest = values[i] < lowest ? values[i] : lowest;
  // Where it is: compared two at a time, one branch per pair.
  std::size_t at = 0;
#if defined(__SSE2__)
  const __m128d target = _mm_set1_pd(lowest);
  for (; at + 2 <= n; at += 2) {
    const int mask = _mm_movemask_pd(_mm_cmpeq_pd(_mm_loadu_pd(values + at), target));
    if (mask != 0) return at + ((mask & 1) ? 0 : 1);
  }
#endif
  while (values[at] != lowest) ++at;
  return at;
}

}  // namespace xpusim

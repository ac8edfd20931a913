#pragma once
// Go's math/rand (Go <= 1.20 semantics), reimplemented so that the FGD experiment protocol's pod
// shuffle, inflation sampling and node ranks follow the reference simulator's draws exactly
// (../shared/reference/fgd-protocol.md section 7). Same seed, same stream as Go's global source.
#include <array>
#include <cstdint>
#include <vector>

namespace xpusim::sched {

class GoRand {
 public:
  explicit GoRand(int64_t seed);

  int64_t int63();  // Go Int63: non-negative 63-bit value
  int32_t int31();  // Go Int31
  uint32_t uint32();
  int64_t int63n(int64_t n);  // rejection sampling, as Go's Int63n
  int32_t int31n(int32_t n);  // rejection sampling, as Go's Int31n
  int64_t intn(int64_t n);    // Go Intn on a 64-bit platform
  double float64();           // Go Float64 (one draw, retried only on 1.0)
  // Go's Shuffle: Fisher-Yates from the back with Lemire's bounded draw (unexported int31n).
  template <class Swap>
  void shuffle(int64_t n, Swap&& swap) {
    for (int64_t i = n - 1; i > 0; --i) swap(i, static_cast<int64_t>(lemire_int31n(static_cast<int32_t>(i + 1))));
  }
  std::vector<int> perm(int n);  // Go's Perm (inside-out shuffle drawing Intn(i+1))

 private:
  int32_t lemire_int31n(int32_t n);
  static constexpr int kLen = 607, kTap = 273;
  std::array<int64_t, kLen> vec_{};
  int tap_ = 0, feed_ = kLen - kTap;
};

}  // namespace xpusim::sched

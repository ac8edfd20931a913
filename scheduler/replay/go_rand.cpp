#include "scheduler/replay/go_rand.hpp"

#include <stdexcept>

namespace xpusim::sched {

namespace {

constexpr int64_t kCooked[607] = {
#include "scheduler/replay/go_rand_cooked.inc"
};

constexpr int32_t kA = 48271, kM = 2147483647, kQ = 44488, kR = 3399;
constexpr uint64_t kMask63 = (uint64_t{1} << 63) - 1;

// x[n+1] = 48271 * x[n] mod (2^31 - 1), Schrage's method as in Go's seedrand.
int32_t seed_step(int32_t x) {
  const int32_t hi = x / kQ, lo = x % kQ;
  x = kA * lo - kR * hi;
  return x < 0 ? x + kM : x;
}

}  // namespace

GoRand::GoRand(int64_t seed) {
  seed %= kM;
  if (seed < 0) seed += kM;
  if (seed == 0) seed = 89482311;
  auto x = static_cast<int32_t>(seed);
  for (int i = -20; i < kLen; ++i) {
    x = seed_step(x);
    if (i < 0) continue;
    uint64_t u = static_cast<uint64_t>(x) << 40;
    x = seed_step(x);
    u ^= static_cast<uint64_t>(x) << 20;
    x = seed_step(x);
    u ^= static_cast<uint64_t>(x);
    u ^= static_cast<uint64_t>(kCooked[i]);
    vec_[i] = static_cast<int64_t>(u & kMask63);
  }
}

int64_t GoRand::int63() {
  if (--tap_ < 0) tap_ += kLen;
  if (--feed_ < 0) feed_ += kLen;
  const uint64_t x = (static_cast<uint64_t>(vec_[feed_]) + static_cast<uint64_t>(vec_[tap_])) & kMask63;
  vec_[feed_] = static_cast<int64_t>(x);
  return static_cast<int64_t>(x);
}

int32_t GoRand::int31() { return static_cast<int32_t>(int63() >> 32); }
uint32_t GoRand::uint32() { return static_cast<uint32_t>(int63() >> 31); }

int64_t GoRand::int63n(int64_t n) {
  if (n <= 0) throw std::invalid_argument("GoRand::int63n: n must be positive");
  if ((n & (n - 1)) == 0) return int63() & (n - 1);
  const auto max = static_cast<int64_t>((uint64_t{1} << 63) - 1 - (uint64_t{1} << 63) % static_cast<uint64_t>(n));
  int64_t v = int63();
  while (v > max) v = int63();
  return v % n;
}

int32_t GoRand::int31n(int32_t n) {
  if (n <= 0) throw std::invalid_argument("GoRand::int31n: n must be positive");
  if ((n & (n - 1)) == 0) return int31() & (n - 1);
  const auto max = static_cast<int32_t>((uint32_t{1} << 31) - 1 - (uint32_t{1} << 31) % static_cast<uint32_t>(n));
  int32_t v = int31();
  while (v > max) v = int31();
  return v % n;
}

int64_t GoRand::intn(int64_t n) {
  if (n <= 0) throw std::invalid_argument("GoRand::intn: n must be positive");
  if (n <= 2147483647) return int31n(static_cast<int32_t>(n));
  return int63n(n);
}

double GoRand::float64() {
  for (;;) {
    const double f = static_cast<double>(int63()) / 9223372036854775808.0;
    if (f < 1) return f;
  }
}

int32_t GoRand::lemire_int31n(int32_t n) {
  uint32_t v = uint32();
  uint64_t prod = static_cast<uint64_t>(v) * static_cast<uint64_t>(n);
  auto low = static_cast<uint32_t>(prod);
  if (low < static_cast<uint32_t>(n)) {
    const uint32_t thresh = static_cast<uint32_t>(-n) % static_cast<uint32_t>(n);
    while (low < thresh) {
      v = uint32();
      prod = static_cast<uint64_t>(v) * static_cast<uint64_t>(n);
      low = static_cast<uint32_t>(prod);
    }
  }
  return static_cast<int32_t>(prod >> 32);
}

std::vector<int> GoRand::perm(int n) {
  std::vector<int> m(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto j = static_cast<std::size_t>(intn(i + 1));
    m[static_cast<std::size_t>(i)] = m[j];
    m[j] = i;
  }
  return m;
}

}  // namespace xpusim::sched

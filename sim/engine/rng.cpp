#include "sim/engine/rng.hpp"

#include <cmath>
#include <stdexcept>

namespace xpusim {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

RngStream::RngStream(uint64_t seed, std::string_view stream_name) {
  uint64_t x = seed ^ fnv1a(stream_name);
  for (auto& s : s_) s = splitmix64(x);
}

uint64_t RngStream::next_u64() {
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double RngStream::uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

uint64_t RngStream::uniform_int(uint64_t bound) {
  if (bound == 0) throw std::invalid_argument("uniform_int: bound must be > 0");
  uint64_t limit = UINT64_MAX - UINT64_MAX % bound;  // reject the biased tail
  uint64_t x;
  do x = next_u64();
  while (x >= limit);
  return x % bound;
}

double RngStream::exponential(double rate) {
  if (!(rate > 0)) throw std::invalid_argument("exponential: rate must be > 0");
  return -std::log1p(-uniform01()) / rate;
}

double RngStream::normal(double mean, double stddev) {
  // Box-Muller; uses two uniforms per draw so the stream position is draw-count independent.
  double u1 = 1.0 - uniform01(), u2 = uniform01();
  return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace xpusim

#pragma once
// Seeded random streams. Each consumer takes its own named stream derived from the run seed, so
// adding a draw in one component never shifts the numbers another component sees. The generator
// (xoshiro256**) and the distributions are implemented here, not taken from <random>, whose
// distributions differ between standard libraries and would break byte-identical reports.
#include <cstdint>
#include <string_view>

namespace xpusim {

class RngStream {
 public:
  RngStream(uint64_t seed, std::string_view stream_name);

  uint64_t next_u64();
  double uniform01();                       // [0, 1), 53 random bits
  uint64_t uniform_int(uint64_t bound);     // [0, bound), unbiased; bound > 0
  double exponential(double rate);          // mean 1/rate
  double normal(double mean, double stddev);

 private:
  uint64_t s_[4];
};

}  // namespace xpusim

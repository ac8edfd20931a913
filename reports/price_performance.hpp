#pragma once
// Price-performance figures from a measured or simulated rate and an hourly price.
#include <optional>

#include "reports/results.hpp"

namespace xpusim {

// Dollars for one million samples at `throughput_per_s` on an instance billed `usd_per_hour`.
inline double usd_per_million(double throughput_per_s, double usd_per_hour) {
  return usd_per_hour / 3600.0 / throughput_per_s * 1e6;
}
// Samples bought by one dollar.
inline double samples_per_usd(double throughput_per_s, double usd_per_hour) {
  return throughput_per_s * 3600.0 / usd_per_hour;
}

}  // namespace xpusim

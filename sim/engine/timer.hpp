#pragma once
// Wall-clock stopwatch for progress messages on stderr. Never put its readings into a report:
// reports must be byte-identical between runs.
#include <chrono>

namespace xpusim {

class Timer {
 public:
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace xpusim

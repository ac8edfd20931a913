#pragma once
// Time at the edges of the kernel is seconds as double; inside it is sc_time (1 ps resolution).
#include <cmath>

#include <systemc>

namespace xpusim {

inline double to_seconds(const sc_core::sc_time& t) { return t.to_seconds(); }

inline sc_core::sc_time from_seconds(double seconds) {
  // Round to the 1 ps resolution explicitly so results do not depend on sc_time's rounding mode.
  return sc_core::sc_time(std::llround(seconds * 1e12), sc_core::SC_PS);
}

}  // namespace xpusim

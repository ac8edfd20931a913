#include "sim/engine/harness.hpp"

#include <cstdlib>
#include <stdexcept>

#include "sim/engine/sim_time.hpp"

namespace xpusim {

namespace {
bool g_used = false;
}

bool simulation_used() { return g_used; }

double run_simulation(const std::function<void()>& elaborate) {
  if (g_used) throw std::logic_error("SystemC can elaborate only once per process");
  g_used = true;
  // SystemC prints a banner on stdout at elaboration, where our reports go; keep it quiet.
  ::setenv("SYSC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
  elaborate();
  sc_core::sc_start();
  return to_seconds(sc_core::sc_time_stamp());
}

}  // namespace xpusim

// libsystemc.so refers to sc_main (its own main() calls it). Our programs have ordinary mains that
// call run_simulation(), so this definition only satisfies the linker and is never reached.
int sc_main(int, char*[]) { return 1; }

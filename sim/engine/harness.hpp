#pragma once
// The SystemC harness. SystemC elaborates once per process and cannot be restarted, so a process
// runs at most one simulation; a sweep runs each scenario in its own child process.
#include <functional>

#include <systemc>

namespace xpusim {

// Sets the 1 ps time resolution, calls `elaborate` (which instantiates modules), then runs the
// simulation until no event is pending. Returns the final simulated time in seconds.
// Throws std::logic_error on a second call in the same process.
double run_simulation(const std::function<void()>& elaborate);

// True once run_simulation has been entered in this process.
bool simulation_used();

}  // namespace xpusim

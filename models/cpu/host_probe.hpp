#pragma once
// Builds the CPU spec of the machine we run on from /proc/cpuinfo, cpuid (via sysconf cache
// sizes and the kernel's ISA flags) and a measured clock, so `host` can be predicted and then
// compared with kernels run for real on it.
#include "models/cpu/cpu_spec.hpp"

namespace xpusim {

// `defaults` supplies what cannot be probed (bandwidths, software overheads) with sources.
CpuSpec probe_host_cpu(const CpuSpec& defaults);
int probed_host_logical_cpus();
double probed_host_memory_gib();
// Core clock under load: times a chain of dependent integer adds (one per cycle on every x86
// core since the P6), best of several runs.
double measure_core_clock_ghz();

}  // namespace xpusim

#include "models/cpu/host_probe.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

namespace xpusim {

namespace {

struct CpuInfo {
  std::string vendor, model_name;
  std::set<std::string> flags;
  int physical_cores = 0;
};

CpuInfo read_cpuinfo() {
  CpuInfo info;
  std::ifstream in("/proc/cpuinfo");
  std::string line, physical_id = "0";
  std::set<std::pair<std::string, std::string>> cores;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "vendor_id") info.vendor = value;
    else if (key == "model name") info.model_name = value;
    else if (key == "physical id") physical_id = value;
    else if (key == "core id") cores.insert({physical_id, value});
    else if (key == "flags" && info.flags.empty()) {
      std::istringstream words(value);
      for (std::string w; words >> w;) info.flags.insert(w);
    }
  }
  info.physical_cores = cores.empty() ? static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN))
                                      : static_cast<int>(cores.size());
  return info;
}

int64_t cache_size(int name, int64_t fallback) {
  long v = ::sysconf(name);
  return v > 0 ? v : fallback;
}

}  // namespace

double measure_core_clock_ghz() {
  // Best of several short runs: a run that was preempted by a neighbour only reads slower.
  constexpr long kIterations = 5'000'000;  // 20 M dependent adds: ~6 ms at 3 GHz
  double best = 0;
  for (int run = 0; run < 9; ++run) {
    long x = 0;
    auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < kIterations; ++i)
      asm volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, 4.0 * kIterations / s / 1e9);
  }
  return best;
}

int probed_host_logical_cpus() { return static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)); }

double probed_host_memory_gib() {
  return double(::sysconf(_SC_PHYS_PAGES)) * double(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024 * 1024);
}

CpuSpec probe_host_cpu(const CpuSpec& defaults) {
  const CpuInfo info = read_cpuinfo();
  CpuSpec s = defaults;
  s.name = "host";
  s.description = info.model_name.empty() ? "this machine" : info.model_name;
  s.cores_per_socket = std::max(1, info.physical_cores);
  // XPUSIM_HOST_CLOCK_GHZ pins the clock; else it is measured and rounded to 0.05 GHz so that
  // run-to-run jitter of the measurement does not change reports.
  double ghz = 0;
  if (const char* pinned = std::getenv("XPUSIM_HOST_CLOCK_GHZ")) ghz = std::atof(pinned);
  const bool measured = !(ghz > 0);
  if (measured) ghz = std::round(measure_core_clock_ghz() * 20) / 20;
  // Intel parts would run 512-bit code at a lower licence clock; the measurement runs scalar
  // code, so on Intel hosts it is an upper bound for AVX-512 kernels.
  s.freq_ghz_scalar = s.freq_ghz_avx2 = s.freq_ghz_avx512 = ghz;
  auto has = [&](const char* flag) { return info.flags.count(flag) > 0; };
  s.avx512 = has("avx512f") && has("avx512bw");
  s.vnni = has("avx512_vnni");
  s.avx512_bf16 = has("avx512_bf16");
  s.amx = has("amx_int8") && has("amx_bf16");
  s.amx_int8_macs_per_cycle = s.amx ? 1024 : 0;
  s.amx_bf16_macs_per_cycle = s.amx ? 512 : 0;
  // AMD Zen 4 runs 512-bit instructions as two halves on 256-bit pipes (two FMA pipes, four
  // vector pipes in all); Intel server cores have two 512-bit FMA ports.
  const bool amd = info.vendor == "AuthenticAMD";
  s.simd_datapath_bits = (amd || !s.avx512) ? 256 : 512;
  s.fma_units = 2;
  s.vector_alu_ports = 2;
  s.l1d_bytes = cache_size(_SC_LEVEL1_DCACHE_SIZE, 32 * 1024);
  s.l2_bytes = cache_size(_SC_LEVEL2_CACHE_SIZE, 1024 * 1024);
  s.l3_bytes = cache_size(_SC_LEVEL3_CACHE_SIZE, 16 * 1024 * 1024);
  s.dram_gbps_socket = s.dram_gbps_per_core * s.cores_per_socket;
  s.sources["freq_ghz"] = measured ? "measured at start-up (dependent-add chain), rounded to 0.05 GHz"
                                    : "XPUSIM_HOST_CLOCK_GHZ";
  s.sources["isa"] = "/proc/cpuinfo flags";
  s.sources["caches"] = "sysconf (cpuid leaf 4 / 0x8000001d)";
  s.sources["simd_datapath_bits"] = amd ? "AMD Zen 4: 512-bit ops issue as two 256-bit halves"
                                        : "Intel: 512-bit FMA ports";
  s.sources["dram_gbps_socket"] = "per-core estimate x cores";
  return s;
}

}  // namespace xpusim

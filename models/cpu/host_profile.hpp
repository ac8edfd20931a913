#pragma once
// The host as a device whose figures are measured, never assumed: a probe of microbenchmarks
// (about two seconds) measures the clocks, vector throughput per data type, streaming bandwidth
// of each memory level for one core and for all, the effective L3 capacity, and the software
// overheads of a oneDNN call and a parallel region. The profile is written once to a JSON file
// and reused, so runs on one machine are byte-identical.
//
// Where it lives: `--host-profile FILE` (used as given, even from another machine: a way to
// replay someone else's host), else $XPUSIM_HOST_PROFILE, else $XDG_CACHE_HOME/xpusim/
// host-profile.json, else ~/.cache/xpusim/host-profile.json. A cached profile that another CPU
// wrote, or an older schema, is measured again.
#include <array>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "models/cpu/cpu_identity.hpp"
#include "models/cpu/cpu_spec.hpp"
#include "sim/engine/json_input.hpp"

namespace xpusim {

// /2 adds the matmul efficiency beyond L2. Files of /1 are still read (that figure is then 1:
// operands from L3 and DRAM taken as fully hidden), but a cached /1 profile is measured again.
inline constexpr const char* kHostProfileSchema = "xpusim.host-profile/2";
inline constexpr const char* kHostProfileSchemaV1 = "xpusim.host-profile/1";

struct HostProfile {
  CpuIdentity cpu;
  int64_t memory_bytes = 0;             // physical memory
  int64_t l1d_bytes = 0, l2_bytes = 0;  // per core, from cpuid
  int64_t l3_reported_bytes = 0;        // what cpuid says (hypervisors report odd sizes)
  int64_t l3_effective_bytes = 0;       // where one core's read bandwidth falls to DRAM's
  double clock_scalar_ghz = 0, clock_vector_ghz = 0;
  int vector_width_bits = 256;
  double f32_macs_per_cycle = 0, int8_macs_per_cycle = 0, bf16_macs_per_cycle = 0;
  double vector_ops_per_cycle = 0;  // 512-bit-equivalent add/multiply instructions per cycle
  std::string int8_path;
  // Read bandwidth, GB/s: one core, and all cores together.
  double l2_gbps_core = 0, l3_gbps_core = 0, dram_gbps_core = 0;
  double l2_gbps_all = 0, l3_gbps_all = 0, dram_gbps_all = 0;
  double kernel_call_us = 0, fork_join_us = 0;
  // GEMM/convolution throughput kept when none of the operands fit in L2 (CpuSpec's figure of the
  // name): from oneDNN's convolution per image at 32 images against one (see probe_host_profile).
  // 1 in /1 profiles.
  double matmul_beyond_l2_efficiency = 1;
  // Cycles per output element an int8 convolution or GEMM on the vector units spends beyond its
  // MACs; 0: not measured (no VNNI, or oneDNN runs AMX tiles), the model counts its epilogue's
  // vector instructions instead.
  double int8_output_cycles = 0;
  double int8_relu_cycles = 0;  // what a fused ReLU adds to that, per output element
  // AMX tile costs in cycles (microbench.hpp, measure_amx_tiles); 0 where the OS did not grant the
  // tiles. "amx" is in every profile of a CPU with tiles: one without it predates the tile probe.
  bool amx_probed = false;
  double amx_tile_multiply_cycles = 0, amx_tile_store_cycles = 0;
  int schema_version = 2;
  // Cycles per unit of work of the non-matmul classes oneDNN can run here (element_ops.hpp),
  // by element_op_name; classes without an entry keep the cost derived from the vector rate.
  std::map<std::string, double> element_cycles;
  double probe_seconds = 0;  // how long the probe took (in the file only, not in reports)
};

// The matmul efficiency with the whole working set past L2 under which the model's graded loss
// (a slowdown of 1 + (1 / efficiency - 1) x the share past L2) gives `measured`: the rate of a
// run whose working set has `share_many` past L2 over that of one with `share_one`.
double matmul_efficiency_all_past_l2(double measured, double share_one, double share_many);

// Pooling's costs (cycles per 64-byte channel vector at a window tap, max and average, and per
// output position) from the cycles of its three probe pools of type `t` (pool_probe_kernels):
// those under which each probe costs its vector taps and its outputs. None is taken below a
// thousandth of a cycle (timing noise can make a small one negative).
struct PoolCosts {
  double per_max_vector = 0, per_avg_vector = 0, per_output = 0;
};
PoolCosts pool_costs_from_probes(DType t, const std::array<double, 3>& cycles);

// Measures this machine. Values are rounded to 3 significant digits: finer digits are noise.
HostProfile probe_host_profile();

nlohmann::json to_json(const HostProfile& profile);
// Strict: unknown keys, missing keys and impossible values are InputErrors with file and pointer.
HostProfile host_profile_from_json(const JsonView& root);

// Whether a profile was measured on the CPU described by `id`, with the instruction sets oneDNN
// may use in this process (isa_onednn_uses).
bool measured_on(const HostProfile& profile, const CpuIdentity& id);

// The CPU spec the cost model uses for this host: rates, bandwidths, capacities and overheads
// from the profile, with a source for each.
CpuSpec cpu_spec_from_profile(const HostProfile& profile);

// --- the process's host profile ---

// Use this file (the --host-profile flag): read if it exists, else measured and written there.
void use_host_profile_file(const std::string& path);
// The file used when no --host-profile was given; empty if no cache directory can be found.
std::string default_host_profile_path();
// Loads or measures the profile once per process; notes what it did on stderr.
const HostProfile& host_profile();
// Measures again and writes the file (`xpusim host probe`).
const HostProfile& reprobe_host_profile();
// The file the process's profile came from or went to (empty: kept in memory only).
const std::string& host_profile_path();

}  // namespace xpusim

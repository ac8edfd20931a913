#pragma once
// Microbenchmarks that measure, on the machine we run on, the figures the CPU model needs:
// clocks, vector instruction throughput, streaming bandwidth of each memory level, and the
// software overheads of a parallel region. Each takes milliseconds. Rates are the best of a few
// trials, so that a neighbour that steals a time slice only makes one trial look slower;
// instructions per cycle are the best rate over the best clock; clocks are reported as the
// median of their trials, the clock work typically runs at (cloud hosts drift by several %).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/cpu/cpu_identity.hpp"

namespace xpusim {

// Core clock under scalar integer load, the median of a few runs: a chain of dependent adds
// retires one add per cycle on every x86 core since the P6.
double measure_scalar_clock_ghz();

// Clock while vector FMAs of the widest width run (see clock_loop_* in the .cpp): the median of
// `trials` runs of about a millisecond, the clock a kernel running now would see.
double measure_vector_clock_ghz(const IsaFlags& isa, int trials = 5);

struct VectorRates {
  int width_bits = 256;           // widest vector the core runs: 512 with AVX-512, else 256
  double clock_ghz = 0;           // median clock while vector FMAs of that width run
  double fma_per_cycle = 0;       // vector FMA instructions per cycle
  double vector_ops_per_cycle = 0;  // independent vector add/multiply mix, instructions per cycle
  std::string int8_path;          // "avx512_vnni", "avx_vnni", "avx512bw" or "avx2"
  double int8_macs_per_cycle = 0;  // u8 x s8 products accumulated in s32 per cycle
  double bf16_macs_per_cycle = 0;  // VDPBF16PS products per cycle; 0 without avx512_bf16
};

// Needs AVX2 and FMA at least (every x86-64 server core since 2013).
VectorRates measure_vector_rates(const IsaFlags& isa);

// x86 cores issue vector FMAs and dot products (VNNI, VDPBF16PS) at a power-of-two rate: a half,
// one or two instructions per cycle (one or two units, 512-bit ones split in two halves on some
// cores). The probe keeps the such rate nearest to what it measured (in log scale), so a
// measurement slowed by up to 41% by another tenant of the core (a busy SMT sibling, the
// hypervisor) still gives the hardware's rate instead of a model 20% too slow.
double issue_rate(double measured_per_cycle);

// Read bandwidth, bytes/s, of `threads` threads each streaming its own `bytes_per_thread` slice
// of a buffer again and again (so it stays in whatever level holds that much).
double measure_read_bandwidth(int64_t bytes_per_thread, int threads);

struct BandwidthPoint {
  int64_t bytes = 0;
  double bytes_per_s = 0;
};
// One thread's read bandwidth for buffers doubling from `from_bytes` up to `to_bytes`, stopping
// early once `enough(points so far)` says so.
std::vector<BandwidthPoint> sweep_read_bandwidth(
    int64_t from_bytes, int64_t to_bytes, const std::function<bool(const std::vector<BandwidthPoint>&)>& enough);

// Where a sweep's bandwidth falls from the L3 plateau to DRAM's: the plateau is the best rate
// past L2, DRAM's the last point's, and the effective L3 capacity the size at which the rate
// crosses their geometric mean (interpolated in log-log). No distinct plateau (less than 1.3x
// DRAM's rate): no usable L3, capacity 0.
struct CacheKnee {
  double l3_bytes_per_s = 0, dram_bytes_per_s = 0;
  int64_t l3_bytes = 0;
};
CacheKnee find_l3_knee(const std::vector<BandwidthPoint>& points);
// The sweep can stop: two points in a row at least 40% below the plateau and within 10% of
// each other, the flat tail of DRAM, the last at least 64 MiB.
bool reached_dram(const std::vector<BandwidthPoint>& points);

// AMX tile costs in cycles of `clock_hz`, as oneDNN's brgemm meets them: a tile multiply
// (TDPBUSD, 16 x 16 s32 results over 64 bytes of reduction) in 2x2 blocks, each block loading
// its two A and two B tiles from L2 (the load time that does not overlap the multiplies is part
// of the multiply's cost), and a result tile's store after its reduction. nullopt where the OS
// does not grant the tile state.
struct AmxTileCosts {
  double multiply_cycles = 0, store_cycles = 0;
};
std::optional<AmxTileCosts> measure_amx_tiles(double clock_hz, int64_t l2_bytes);

// Median cost of entering and leaving an OpenMP parallel region with `threads` threads.
double measure_fork_join_us(int threads);

}  // namespace xpusim

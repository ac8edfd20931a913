#include "models/cpu/microbench.hpp"

#include <immintrin.h>
#include <omp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

namespace xpusim {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Rates {
  double best = 0, median = 0;
};

// Rates (units per second) of `trials` runs of `body(iterations)`, each run at least `min_s`
// long; the iteration count doubles until a run is long enough.
template <class Body>
Rates rates(Body body, double units_per_iteration, int trials, double min_s) {
  long iterations = 1;
  for (;;) {
    const auto start = Clock::now();
    body(iterations);
    if (seconds_since(start) >= min_s) break;
    iterations *= 2;
  }
  std::vector<double> r;
  for (int t = 0; t < trials; ++t) {
    const auto start = Clock::now();
    body(iterations);
    r.push_back(units_per_iteration * double(iterations) / seconds_since(start));
  }
  std::sort(r.begin(), r.end());
  return {r.back(), r[r.size() / 2]};
}

template <class Body>
double best_rate(Body body, double units_per_iteration, int trials = 5, double min_s = 0.004) {
  return rates(body, units_per_iteration, trials, min_s).best;
}

// Clocks are counted with chains of dependent register-to-register adds (one cycle each on every
// x86 core). Not adds of an immediate: Golden Cove and its successors (Sapphire and Granite
// Rapids) fold chained immediate adds at rename, several per cycle, which read as a 16 GHz clock.

// --- vector clock: a dependent add chain (one add per cycle) beside independent vector FMAs ---
// Eight chained adds take eight cycles; the six FMAs need at most six cycles even where a 512-bit
// FMA issues as two halves, so the chain sets the pace and counts cycles at the clock the core
// holds while its vector units are busy (Intel parts lower it for heavy 512-bit code).

// The same loop at both widths: `R` is the register prefix, "zmm" or "ymm".
#define XPUSIM_CLOCK_LOOP(R)                                                                \
  long x = 0;                                                                               \
  const long one = 1;                                                                       \
  asm volatile("vxorps %%" R "0, %%" R "0, %%" R "0\n\t"                                 \
               "vxorps %%" R "1, %%" R "1, %%" R "1\n\t"                                 \
               "1:\n\t"                                                                   \
               "vfmadd231ps %%" R "0, %%" R "1, %%" R "2\n\t"                            \
               "vfmadd231ps %%" R "0, %%" R "1, %%" R "3\n\t"                            \
               "vfmadd231ps %%" R "0, %%" R "1, %%" R "4\n\t"                            \
               "vfmadd231ps %%" R "0, %%" R "1, %%" R "5\n\t"                            \
               "vfmadd231ps %%" R "0, %%" R "1, %%" R "6\n\t"                            \
               "vfmadd231ps %%" R "0, %%" R "1, %%" R "7\n\t"                            \
               "add %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\t"             \
               "add %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\t"             \
               "dec %1\n\t"                                                               \
               "jnz 1b\n\t"                                                               \
               : "+r"(x), "+r"(n)                                                           \
               : "r"(one)                                                                   \
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "cc")

__attribute__((target("avx512f"))) void clock_loop_512(long n) { XPUSIM_CLOCK_LOOP("zmm"); }
__attribute__((target("avx2,fma"))) void clock_loop_256(long n) { XPUSIM_CLOCK_LOOP("ymm"); }
#undef XPUSIM_CLOCK_LOOP

// --- throughput loops, in assembly so that the measured instruction stream is exactly the one
// named (compilers add register moves and spills around intrinsics). 12 independent accumulators
// hide every current core's latency (4-5 cycles) at 2 instructions per cycle; the add/multiply
// mix keeps 24 (14 on 16-register cores) in flight for up to 4 per cycle. Register contents are
// zeros: no denormals, and integer throughput does not depend on values.

#define XP_R12(op, w) op(w, 4) op(w, 5) op(w, 6) op(w, 7) op(w, 8) op(w, 9) op(w, 10) op(w, 11) \
  op(w, 12) op(w, 13) op(w, 14) op(w, 15)
#define XP_FMA(w, r) "vfmadd231ps %%" #w "mm0, %%" #w "mm1, %%" #w "mm" #r "\n\t"
#define XP_VNNI(w, r) "vpdpbusd %%" #w "mm0, %%" #w "mm1, %%" #w "mm" #r "\n\t"
#define XP_VNNI_VEX(w, r) "%{vex%} vpdpbusd %%" #w "mm0, %%" #w "mm1, %%" #w "mm" #r "\n\t"
#define XP_BF16(w, r) "vdpbf16ps %%" #w "mm0, %%" #w "mm1, %%" #w "mm" #r "\n\t"
#define XP_CLOBBER_16 "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
  "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc"
#define XP_LOOP(body, w) \
  asm volatile("vpxor %%xmm0, %%xmm0, %%xmm0\n\tvpxor %%xmm1, %%xmm1, %%xmm1\n\t" \
               "1:\n\t" body "dec %0\n\tjnz 1b\n\t" : "+r"(n) : : XP_CLOBBER_16)

__attribute__((target("avx512f"))) void fma_512(long n) { XP_LOOP(XP_R12(XP_FMA, z), z); }
__attribute__((target("avx2,fma"))) void fma_256(long n) { XP_LOOP(XP_R12(XP_FMA, y), y); }
__attribute__((target("avx512f,avx512vnni"))) void vnni_512(long n) { XP_LOOP(XP_R12(XP_VNNI, z), z); }
__attribute__((target("avx2,avxvnni"))) void vnni_256(long n) { XP_LOOP(XP_R12(XP_VNNI_VEX, y), y); }
__attribute__((target("avx512f,avx512bf16"))) void bf16_512(long n) { XP_LOOP(XP_R12(XP_BF16, z), z); }

// Without VNNI, oneDNN computes the same four products per lane with VPMADDUBSW (u8 x s8 to s16
// pairs), VPMADDWD (pairs to s32) and VPADDD: six such sequences in flight.
#define XP_SEQ(w, t, acc) "vpmaddubsw %%" #w "mm1, %%" #w "mm0, %%" #w "mm" #t "\n\t" \
  "vpmaddwd %%" #w "mm2, %%" #w "mm" #t ", %%" #w "mm" #t "\n\t" \
  "vpaddd %%" #w "mm" #t ", %%" #w "mm" #acc ", %%" #w "mm" #acc "\n\t"
#define XP_SEQ6(w) XP_SEQ(w, 4, 10) XP_SEQ(w, 5, 11) XP_SEQ(w, 6, 12) XP_SEQ(w, 7, 13) \
  XP_SEQ(w, 8, 14) XP_SEQ(w, 9, 15)
__attribute__((target("avx512f,avx512bw"))) void maddubs_512(long n) { XP_LOOP(XP_SEQ6(z), z); }
__attribute__((target("avx2"))) void maddubs_256(long n) { XP_LOOP(XP_SEQ6(y), y); }

#define XP_ADD(w, r) "vaddps %%" #w "mm0, %%" #w "mm" #r ", %%" #w "mm" #r "\n\t"
#define XP_MUL(w, r) "vmulps %%" #w "mm1, %%" #w "mm" #r ", %%" #w "mm" #r "\n\t"
#define XP_MIX2(w, a, b) XP_ADD(w, a) XP_MUL(w, b)
__attribute__((target("avx512f"))) void mix_512(long n) {
  asm volatile("vpxord %%zmm0, %%zmm0, %%zmm0\n\tvpxord %%zmm1, %%zmm1, %%zmm1\n\t"
               "1:\n\t"
               XP_MIX2(z, 8, 9) XP_MIX2(z, 10, 11) XP_MIX2(z, 12, 13) XP_MIX2(z, 14, 15)
               XP_MIX2(z, 16, 17) XP_MIX2(z, 18, 19) XP_MIX2(z, 20, 21) XP_MIX2(z, 22, 23)
               XP_MIX2(z, 24, 25) XP_MIX2(z, 26, 27) XP_MIX2(z, 28, 29) XP_MIX2(z, 30, 31)
               "dec %0\n\tjnz 1b\n\t"
               : "+r"(n) : : "xmm0", "xmm1", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
                 "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22",
                 "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "cc");
}
__attribute__((target("avx2"))) void mix_256(long n) {
  XP_LOOP(XP_MIX2(y, 2, 3) XP_MIX2(y, 4, 5) XP_MIX2(y, 6, 7) XP_MIX2(y, 8, 9) XP_MIX2(y, 10, 11)
          XP_MIX2(y, 12, 13) XP_MIX2(y, 14, 15), y);
}

// --- streaming reads ---

// Measurement loops stay uninstrumented under the sanitizers (BUILD_TYPE=asan): a shadow-memory
// check per load would measure the sanitizer, not the memory.
__attribute__((target("avx2"), no_sanitize("address", "undefined"))) uint64_t read_256(const char* p, int64_t bytes) {
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (int64_t i = 0; i + 128 <= bytes; i += 128) {
    a0 = _mm256_add_epi64(a0, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
    a1 = _mm256_add_epi64(a1, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    a2 = _mm256_add_epi64(a2, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    a3 = _mm256_add_epi64(a3, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  a0 = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
  return static_cast<uint64_t>(_mm256_extract_epi64(a0, 0)) + static_cast<uint64_t>(_mm256_extract_epi64(a0, 3));
}

__attribute__((target("avx512f"), no_sanitize("address", "undefined"))) uint64_t read_512(const char* p, int64_t bytes) {
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
  for (int64_t i = 0; i + 256 <= bytes; i += 256) {
    a0 = _mm512_add_epi64(a0, _mm512_load_si512(p + i));
    a1 = _mm512_add_epi64(a1, _mm512_load_si512(p + i + 64));
    a2 = _mm512_add_epi64(a2, _mm512_load_si512(p + i + 128));
    a3 = _mm512_add_epi64(a3, _mm512_load_si512(p + i + 192));
  }
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, _mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3)));
  return lanes[0] + lanes[7];
}

// The sums only keep the loads alive; unsigned, so that they wrap instead of overflowing.
uint64_t read_bytes(const char* p, int64_t bytes) {
  static const bool wide = __builtin_cpu_supports("avx512f");
  return wide ? read_512(p, bytes) : read_256(p, bytes);
}

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<char, FreeDeleter>;

// Plain page-aligned memory, as oneDNN and frameworks allocate it: the pages (4 KiB, or huge
// where the system's transparent-huge-page policy is "always") and their TLB misses are the ones
// real kernels see.
Buffer allocate(int64_t bytes) {
  const int64_t rounded = (bytes + 4095) / 4096 * 4096;
  char* p = static_cast<char*>(std::aligned_alloc(4096, static_cast<std::size_t>(rounded)));
  if (!p) throw std::runtime_error("host probe: cannot allocate " + std::to_string(rounded) + " bytes");
  return Buffer(p);
}

std::atomic<uint64_t> g_sink{0};

// --- AMX tiles: eight tiles of 16 rows x 64 bytes; tmm0-3 accumulate, tmm4-5 hold A, tmm6-7 B ---

struct alignas(64) TileConfig {
  uint8_t palette = 1, start_row = 0, reserved[14] = {};
  uint16_t bytes_per_row[16] = {};
  uint8_t rows[16] = {};
};

// Linux hands out the tile state only on request (arch_prctl ARCH_REQ_XCOMP_PERM for
// XFEATURE_XTILEDATA); false where the kernel refuses or predates it.
bool enable_tiles() {
  constexpr long kReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  if (::syscall(SYS_arch_prctl, kReqXcompPerm, kXfeatureXtiledata) != 0) return false;
  static TileConfig config;
  for (int t = 0; t < 8; ++t) {
    config.bytes_per_row[t] = 64;
    config.rows[t] = 16;
  }
  asm volatile("ldtilecfg %0\n\t"
               "tilezero %%tmm0\n\ttilezero %%tmm1\n\ttilezero %%tmm2\n\ttilezero %%tmm3\n\t"
               "tilezero %%tmm4\n\ttilezero %%tmm5\n\ttilezero %%tmm6\n\ttilezero %%tmm7"
               : : "m"(config));
  return true;
}

// One 2x2 block of oneDNN's AMX brgemm: A0, A1, B0, B1 loaded (16 rows of 64 bytes each, from
// `p`), then the four products into the four accumulators.
#define XP_TDP4 "tdpbusd %%tmm6, %%tmm4, %%tmm0\n\ttdpbusd %%tmm7, %%tmm4, %%tmm1\n\t" \
                "tdpbusd %%tmm6, %%tmm5, %%tmm2\n\ttdpbusd %%tmm7, %%tmm5, %%tmm3\n\t"
void tile_block_loaded(const char* p) {
  asm volatile("tileloadd (%0,%1,1), %%tmm4\n\ttileloadd 1024(%0,%1,1), %%tmm5\n\t"
               "tileloadd 2048(%0,%1,1), %%tmm6\n\ttileloadd 3072(%0,%1,1), %%tmm7\n\t" XP_TDP4
               : : "r"(p), "r"(64L) : "memory");
}
void tile_block_resident() { asm volatile(XP_TDP4 : : : "memory"); }
// The four products, then the four results stored to `out` (4 KiB), as after a reduction.
void tile_block_stored(char* out) {
  asm volatile(XP_TDP4 "tilestored %%tmm0, (%0,%1,1)\n\ttilestored %%tmm1, 1024(%0,%1,1)\n\t"
               "tilestored %%tmm2, 2048(%0,%1,1)\n\ttilestored %%tmm3, 3072(%0,%1,1)"
               : : "r"(out), "r"(64L) : "memory");
}
#undef XP_TDP4

}  // namespace

std::optional<AmxTileCosts> measure_amx_tiles(double clock_hz, int64_t l2_bytes) {
  if (!enable_tiles()) return std::nullopt;
  // Operand tiles stream from L2, as a convolution's activations do: half of L2, at least 64 KiB
  // (past L1).
  const int64_t span = std::max<int64_t>(64 << 10, l2_bytes / 2 / 4096 * 4096);
  Buffer operands = allocate(span), results = allocate(4096);
  std::memset(operands.get(), 1, static_cast<std::size_t>(span));
  const char* base = operands.get();
  auto loaded = [&](long n) {
    int64_t offset = 0;
    for (long i = 0; i < n; ++i) {
      tile_block_loaded(base + offset);
      offset = offset + 4096 == span ? 0 : offset + 4096;
    }
  };
  auto resident = [](long n) {
    for (long i = 0; i < n; ++i) tile_block_resident();
  };
  auto stored = [&](long n) {
    for (long i = 0; i < n; ++i) tile_block_stored(results.get());
  };
  AmxTileCosts c;
  c.multiply_cycles = clock_hz / best_rate(loaded, 4);
  const double bare = clock_hz / best_rate(resident, 4);
  c.store_cycles = std::max(0.0, clock_hz / best_rate(stored, 4) - bare);
  asm volatile("tilerelease");
  return c;
}

double measure_scalar_clock_ghz() {
  auto body = [](long n) {
    long x = 0;
    const long one = 1;
    for (long i = 0; i < n; ++i) asm volatile("add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0" : "+r"(x) : "r"(one));
  };
  return rates(body, 4.0, 7, 0.004).median / 1e9;
}

double measure_vector_clock_ghz(const IsaFlags& isa, int trials) {
  if (!isa.avx2 || !isa.fma) throw std::runtime_error("host probe: the CPU has no AVX2/FMA");
  return rates(isa.avx512 ? clock_loop_512 : clock_loop_256, 8.0, trials, 0.001).median / 1e9;
}

VectorRates measure_vector_rates(const IsaFlags& isa) {
  if (!isa.avx2 || !isa.fma) throw std::runtime_error("host probe: the CPU has no AVX2/FMA");
  VectorRates r;
  const bool wide = isa.avx512;
  r.width_bits = wide ? 512 : 256;
  const Rates clock = rates(wide ? clock_loop_512 : clock_loop_256, 8.0, 7, 0.004);
  r.clock_ghz = clock.median / 1e9;
  const double hz = clock.best;  // per-cycle rates: best rate over best clock
  auto measured_per_cycle = [&](void (*body)(long), double instructions_per_iteration) {
    return best_rate(body, instructions_per_iteration) / hz;
  };
  auto per_cycle = [&](void (*body)(long), double instructions_per_iteration) {
    return issue_rate(measured_per_cycle(body, instructions_per_iteration));
  };
  r.fma_per_cycle = per_cycle(wide ? fma_512 : fma_256, 12);
  // A mix of adds and multiplies spreads over however many vector ports the core has (2 to 4):
  // kept as measured.
  r.vector_ops_per_cycle = wide ? measured_per_cycle(mix_512, 24) : measured_per_cycle(mix_256, 14);
  const double lanes32 = r.width_bits / 32.0;
  if (isa.avx512_vnni) {
    r.int8_path = "avx512_vnni";
    r.int8_macs_per_cycle = per_cycle(vnni_512, 12) * 16 * 4;
  } else if (isa.avx_vnni) {
    r.int8_path = "avx_vnni";
    r.int8_macs_per_cycle = per_cycle(vnni_256, 12) * 8 * 4;
  } else if (wide) {
    r.int8_path = "avx512bw";
    r.int8_macs_per_cycle = per_cycle(maddubs_512, 6) * 16 * 4;
  } else {
    r.int8_path = "avx2";
    r.int8_macs_per_cycle = per_cycle(maddubs_256, 6) * 8 * 4;
  }
  r.bf16_macs_per_cycle = isa.avx512_bf16 ? per_cycle(bf16_512, 12) * lanes32 * 2 : 0;
  return r;
}

double issue_rate(double measured_per_cycle) {
  if (!(measured_per_cycle > 0)) return 0;
  return std::clamp(std::exp2(std::round(std::log2(measured_per_cycle))), 0.25, 4.0);
}

double measure_read_bandwidth(int64_t bytes_per_thread, int threads) {
  threads = std::max(1, threads);
  const int64_t slice = std::max<int64_t>(4096, (bytes_per_thread + 4095) / 4096 * 4096);
  Buffer buffer = allocate(slice * threads);
  // Each thread touches its own slice first, so that pages land on its NUMA node.
  std::vector<std::thread> workers;
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<double> rates(threads, 0);
  // Passes per trial: 512 MiB per thread, milliseconds from any level.
  const int passes = static_cast<int>(std::clamp<int64_t>((int64_t(512) << 20) / slice, 1, 65536));
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      char* p = buffer.get() + slice * t;
      std::memset(p, t + 1, static_cast<std::size_t>(slice));
      g_sink += read_bytes(p, slice);
      ++ready;
      while (!go.load()) std::this_thread::yield();
      double best = 0;
      for (int trial = 0; trial < 3; ++trial) {
        const auto start = Clock::now();
        uint64_t sum = 0;
        for (int pass = 0; pass < passes; ++pass) sum += read_bytes(p, slice);
        g_sink += sum;
        best = std::max(best, double(slice) * passes / seconds_since(start));
      }
      rates[t] = best;
    });
  while (ready.load() < threads) std::this_thread::yield();
  go = true;
  for (auto& w : workers) w.join();
  // The threads ran their trials together; the aggregate is the sum of their rates.
  double total = 0;
  for (double r : rates) total += r;
  return total;
}

std::vector<BandwidthPoint> sweep_read_bandwidth(
    int64_t from_bytes, int64_t to_bytes, const std::function<bool(const std::vector<BandwidthPoint>&)>& enough) {
  Buffer buffer = allocate(to_bytes);
  std::vector<BandwidthPoint> out;
  int64_t touched = 0;  // pages are touched as the sweep reaches them: no cost for sizes not swept
  for (int64_t size = from_bytes; size <= to_bytes; size *= 2) {
    const int64_t bytes = size / 4096 * 4096;
    std::memset(buffer.get() + touched, 1, static_cast<std::size_t>(bytes - touched));
    touched = bytes;
    const double rate = best_rate([&](long n) {
      for (long i = 0; i < n; ++i) g_sink += read_bytes(buffer.get(), bytes);
    }, double(bytes), 3, 0.008);
    out.push_back({bytes, rate});
    if (enough(out)) break;
  }
  return out;
}

CacheKnee find_l3_knee(const std::vector<BandwidthPoint>& points) {
  CacheKnee k;
  if (points.empty()) return k;
  for (const auto& p : points) k.l3_bytes_per_s = std::max(k.l3_bytes_per_s, p.bytes_per_s);
  k.dram_bytes_per_s = points.back().bytes_per_s;
  if (k.l3_bytes_per_s < 1.3 * k.dram_bytes_per_s) return k;
  const double threshold = std::sqrt(k.l3_bytes_per_s * k.dram_bytes_per_s);
  std::size_t best = 0;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (points[i].bytes_per_s == k.l3_bytes_per_s) best = i;
  for (std::size_t i = best + 1; i < points.size(); ++i) {
    if (points[i].bytes_per_s >= threshold) continue;
    const auto& a = points[i - 1];
    const auto& b = points[i];
    const double t = std::log(a.bytes_per_s / threshold) / std::log(a.bytes_per_s / b.bytes_per_s);
    k.l3_bytes = static_cast<int64_t>(std::exp(std::log(double(a.bytes)) + t * std::log(double(b.bytes) / a.bytes)));
    return k;
  }
  k.l3_bytes = points.back().bytes;  // never fell: the plateau lasts past the sweep
  return k;
}

bool reached_dram(const std::vector<BandwidthPoint>& points) {
  if (points.size() < 3 || points.back().bytes < (int64_t(64) << 20)) return false;
  double plateau = 0;
  for (const auto& p : points) plateau = std::max(plateau, p.bytes_per_s);
  const double a = points[points.size() - 2].bytes_per_s, b = points.back().bytes_per_s;
  return a < 0.6 * plateau && b < 0.6 * plateau && std::abs(a - b) <= 0.1 * std::max(a, b);
}

double measure_fork_join_us(int threads) {
  threads = std::max(1, threads);
  std::vector<double> samples;
  std::atomic<int> counter{0};
  for (int i = 0; i < 2000; ++i) {
    const auto start = Clock::now();
#pragma omp parallel num_threads(threads)
    { counter.fetch_add(1, std::memory_order_relaxed); }
    samples.push_back(seconds_since(start));
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2] * 1e6;
}

}  // namespace xpusim

#include "models/cpu/cpu_cost.hpp"
#include "sim/engine/overloaded.hpp"

#include <algorithm>
#include <cmath>

namespace xpusim {

namespace {

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// Vector ops per output register in the epilogue: int8 convolutions convert s32 to f32, scale,
// add bias, apply ReLU, convert back and pack to u8 (6); float paths add bias and ReLU (2).
bool is_int8(DType t) { return t == DType::s8 || t == DType::u8; }
double epilogue_ops(DType t) { return is_int8(t) ? 6 : 2; }

// Cycles per output register of a convolution or GEMM on the vector units beyond its MACs: for
// int8 what the host probe measured where it could, else the epilogue's vector instructions.
double vector_output_cycles(const CpuSpec& spec, const Kernel& k) {
  if (is_int8(k.dtype) && spec.int8_output_cycles > 0)
    return spec.output_lanes() * (spec.int8_output_cycles + (k.fused_relu ? spec.int8_relu_cycles : 0));
  return epilogue_ops(k.dtype) / spec.vector_ops_per_cycle;
}

bool on_amx(const CpuSpec& spec, DType t) {
  return spec.amx && (is_int8(t) || t == DType::bf16);
}

// AMX, as oneDNN's brgemm runs it: the output in tiles of 16 rows x 16 channels, each a chain of
// tile multiplies over the reduction in steps of 64 bytes (64 int8 or 32 bf16 values), then stored
// and converted by the vector units (the epilogue, per 16-lane vector). Rows and channels are
// padded to whole tiles, each reduction step to a whole step.
struct TileWork {
  double tiles = 0, steps = 0;  // result tiles, reduction steps per tile
};
double tile_macs(const TileWork& w, DType t) { return w.tiles * 256 * w.steps * (t == DType::bf16 ? 32 : 64); }
double tile_cycles(const TileWork& w, const CpuSpec& spec, double epilogue_per_vector) {
  return w.tiles * (w.steps * spec.amx_tile_multiply_cycles + spec.amx_tile_store_cycles + 16 * epilogue_per_vector);
}
TileWork conv_tiles(const Conv2d& c, DType t) {
  const double step = t == DType::bf16 ? 32 : 64;
  const int64_t cpg = c.c / c.groups, kpg = c.k / c.groups;
  TileWork w;
  // A 1x1 convolution is a GEMM over every output pixel; a spatial one too, its filter taps
  // reducing in turn. With channels so few that a filter row's taps fit one step (the first
  // layer's 3), oneDNN reduces the row's taps together.
  w.tiles = double(c.groups) * std::ceil(double(c.n * c.out_h() * c.out_w()) / 16) * std::ceil(double(kpg) / 16);
  w.steps = double(cpg * c.s) <= step ? double(c.r) : double(c.r * c.s) * std::ceil(double(cpg) / step);
  return w;
}
TileWork gemm_tiles(const Gemm& g, DType t) {
  const double step = t == DType::bf16 ? 32 : 64;
  return {double(g.batch) * std::ceil(double(g.m) / 16) * std::ceil(double(g.n) / 16), std::ceil(double(g.k) / step)};
}

struct Lowered {
  double macs = 0;          // executed, with padding
  double cycles = 0;        // whole kernel on one core
  double units = 1;         // independent work units to deal to threads
};

Lowered lower(const Kernel& k, const CpuSpec& spec) {
  const int lanes = spec.output_lanes();
  const int gran = spec.reduction_granularity(k.dtype);
  const double mpc = spec.macs_per_cycle(k.dtype);
  const double epi = epilogue_ops(k.dtype) / spec.vector_ops_per_cycle;
  auto element = [&] {
    Lowered l;
    const double work = element_work(k);
    l.cycles = element_cycles_of(k, spec.element_cycles);
    l.units = std::max(1.0, std::ceil(work / 4096));  // oneDNN splits into cache-sized chunks
    return l;
  };
  return std::visit(overloaded{
      [&](const Conv2d& c) {
        if (c.depthwise()) {  // a vector loop over channels (oneDNN's brdgmm_dw), on every ISA
          Lowered l = element();  // the class's cost includes the epilogue; a fused int8 ReLU adds
          l.macs = element_work(k);
          if (k.fused_relu && is_int8(k.dtype) && spec.int8_output_cycles > 0)
            l.cycles += double(c.n) * c.out_h() * c.out_w() * c.k * spec.int8_relu_cycles;
          return l;
        }
        if (on_amx(spec, k.dtype)) {
          const TileWork w = conv_tiles(c, k.dtype);
          return Lowered{tile_macs(w, k.dtype), tile_cycles(w, spec, epi),
                         double(c.n) * c.out_h() * std::ceil(double(c.k) / 64)};
        }
        const int64_t cpg = round_up(c.c / c.groups, gran), kpg = round_up(c.k / c.groups, lanes);
        const int64_t oh = c.out_h(), ow = c.out_w();
        const double taps = valid_taps(c);
        Lowered l;
        l.macs = double(c.n) * c.groups * kpg * cpg * taps;
        const double out_vectors = double(c.n) * oh * ow * c.groups * kpg / lanes;
        l.cycles = l.macs / mpc + out_vectors * vector_output_cycles(spec, k);
        l.units = double(c.n) * oh * std::ceil(double(c.groups * kpg) / 64);
        return l;
      },
      [&](const Gemm& g) {
        if (on_amx(spec, k.dtype)) {
          const TileWork w = gemm_tiles(g, k.dtype);
          return Lowered{tile_macs(w, k.dtype), tile_cycles(w, spec, epi),
                         double(g.batch) * std::ceil(g.m / 32.0) * std::ceil(g.n / 64.0)};
        }
        const int64_t n_pad = round_up(g.n, lanes), k_pad = round_up(g.k, gran);
        Lowered l;
        l.macs = double(g.batch) * g.m * n_pad * k_pad;
        const double out_vectors = double(g.batch) * g.m * n_pad / lanes;
        l.cycles = l.macs / mpc + out_vectors * vector_output_cycles(spec, k);
        l.units = double(g.batch) * std::ceil(g.m / 32.0) * std::ceil(n_pad / 64.0);
        return l;
      },
      [&](const auto&) { return element(); }}, k.shape);
}

}  // namespace

std::string_view memory_level_name(MemoryLevel level) {
  switch (level) {
    case MemoryLevel::l2: return "L2";
    case MemoryLevel::l3: return "L3";
    case MemoryLevel::dram: return "DRAM";
  }
  return "?";
}

std::string_view KernelCost::bound() const {
  if (overhead_s >= compute_s && overhead_s >= memory_s) return "overhead";
  return compute_s >= memory_s ? "compute" : "memory";
}

CpuDevice CpuDevice::from_spec(const CpuSpec& spec, int cores) {
  CpuDevice d;
  d.spec = spec;
  d.cores = std::max(1, cores);
  d.sockets = (d.cores + spec.cores_per_socket - 1) / spec.cores_per_socket;
  const double share = std::min(1.0, double(d.cores) / (d.sockets * spec.cores_per_socket));
  d.l3_share_bytes = static_cast<int64_t>(spec.l3_bytes * d.sockets * share);
  d.dram_gbps = std::min(spec.dram_gbps_per_core * d.cores, spec.dram_gbps_socket * d.sockets);
  d.l3_gbps = spec.l3_gbps_all * d.sockets * share;
  return d;
}

CpuCostModel::CpuCostModel(CpuDevice device) : device_(std::move(device)) {}

WorkPlan CpuCostModel::plan(const Kernel& kernel, int threads) const {
  const CpuSpec& spec = device_.spec;
  WorkPlan p;
  p.threads = std::clamp(threads, 1, device_.cores);
  p.freq_ghz = kernel.is_matmul() ? spec.matmul_freq_ghz(kernel.dtype) : spec.freq_ghz_avx512;
  const Lowered l = lower(kernel, spec);
  p.effective_macs = l.macs;
  p.work_units = l.units;

  // Deal whole units round-robin: the first (units mod threads) threads get one unit more.
  const double per_unit = l.cycles / l.units;
  const double base = std::floor(l.units / p.threads);
  const double extra = l.units - base * p.threads;
  const double bytes = static_cast<double>(kernel.bytes());
  for (int t = 0; t < p.threads; ++t) {
    const double units = base + (t < extra ? 1 : 0);
    p.compute_cycles.push_back(units * per_unit);
    p.bytes.push_back(bytes * units / l.units);
  }

  const double hz = p.freq_ghz * 1e9;
  const auto* gemm = std::get_if<Gemm>(&kernel.shape);
  const bool cold = gemm && gemm->cold_weights;  // from DRAM whatever its size
  if (!cold && bytes <= double(spec.l2_bytes) * p.threads) {
    p.level = MemoryLevel::l2;
    p.per_core_bytes_per_s = spec.l2_bytes_per_cycle * hz;
    p.shared_bytes_per_s = p.per_core_bytes_per_s * p.threads;
  } else if (!cold && bytes <= double(device_.l3_share_bytes)) {
    p.level = MemoryLevel::l3;
    p.per_core_bytes_per_s = spec.l3_bytes_per_cycle * hz;
    p.shared_bytes_per_s = p.per_core_bytes_per_s * p.threads;
    if (device_.l3_gbps > 0) p.shared_bytes_per_s = std::min(p.shared_bytes_per_s, device_.l3_gbps * 1e9);
  } else {
    p.level = MemoryLevel::dram;
    p.per_core_bytes_per_s = spec.dram_gbps_per_core * 1e9;
    p.shared_bytes_per_s = std::min(device_.dram_gbps * 1e9, p.per_core_bytes_per_s * p.threads);
  }
  const auto* conv = std::get_if<Conv2d>(&kernel.shape);
  if (kernel.is_matmul() && !(conv && conv->depthwise()) && p.level != MemoryLevel::l2) {
    // The MAC rate falls with the share of the working set the cores' L2 cannot hold (cold
    // weights: all of it), to `matmul_beyond_l2_efficiency` when none of it fits. Measured on
    // Zen 5 (1x1 convolution, C = K = 256, 28x28): per image at 2, 4, 8, 16 and 32 images it
    // kept 1.00, 0.98, 0.93, 0.93, 0.91 of the rate at one: a layer just past L2 loses little.
    const double share = cold ? 1.0 : 1.0 - double(spec.l2_bytes) * p.threads / bytes;
    const double slowdown = 1 + (1 / spec.matmul_beyond_l2_efficiency - 1) * share;
    for (double& cycles : p.compute_cycles) cycles *= slowdown;
  }
  p.overhead_s = (spec.kernel_overhead_us + (p.threads > 1 ? spec.fork_join_us : 0)) * 1e-6;
  return p;
}

KernelCost cost_of_plan(const WorkPlan& p, const Kernel& kernel, const CpuSpec& spec) {
  KernelCost c;
  c.threads = p.threads;
  c.level = p.level;
  c.effective_macs = p.effective_macs;
  c.overhead_s = p.overhead_s;
  const double hz = p.freq_ghz * 1e9;
  double total_bytes = 0;
  for (int t = 0; t < p.threads; ++t) {
    c.compute_s = std::max(c.compute_s, p.compute_cycles[t] / hz);
    c.memory_s = std::max(c.memory_s, p.bytes[t] / p.per_core_bytes_per_s);
    total_bytes += p.bytes[t];
  }
  c.memory_s = std::max(c.memory_s, total_bytes / p.shared_bytes_per_s);
  c.total_s = c.overhead_s + std::max(c.compute_s, c.memory_s);
  const double peak = spec.macs_per_cycle(kernel.dtype) * hz * p.threads;
  // Executed MACs (padding in, skipped border taps out): at most the peak rate, so <= 1.
  c.utilization = kernel.is_matmul() ? p.effective_macs / (peak * c.total_s) : 0;
  return c;
}

KernelCost CpuCostModel::evaluate(const Kernel& kernel, int threads) const {
  return cost_of_plan(plan(kernel, threads), kernel, device_.spec);
}

std::size_t CpuCostModel::MemoHash::operator()(const MemoKey& k) const {
  uint64_t h = 0xcbf29ce484222325ULL ^ static_cast<uint64_t>(k.threads);
  for (int64_t v : k.key) h = (h ^ static_cast<uint64_t>(v)) * 0x100000001b3ULL;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

const KernelCost& CpuCostModel::cost(const Kernel& kernel, int threads) {
  MemoKey key{kernel.key(), std::clamp(threads, 1, device_.cores)};
  auto it = memo_.find(key);
  if (it != memo_.end()) return it->second;
  return memo_.emplace(key, evaluate(kernel, threads)).first->second;
}

}  // namespace xpusim

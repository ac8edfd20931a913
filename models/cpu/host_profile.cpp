#include "models/cpu/host_profile.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>

#include <fmt/format.h>

#include "models/cpu/microbench.hpp"
#include "models/cpu/onednn_runner.hpp"
#include "sim/engine/atomic_file.hpp"
#include "sim/engine/input_error.hpp"

namespace xpusim {

namespace {

double round3(double v) {
  if (!(v > 0) || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, 2 - std::floor(std::log10(v)));
  return std::round(v * scale) / scale;
}

int64_t sysconf_bytes(int name) {
  const long v = ::sysconf(name);
  return v > 0 ? v : 0;
}

// --- JSON layout ---

nlohmann::json isa_json(const IsaFlags& f) {
  return {{"avx2", f.avx2}, {"fma", f.fma}, {"avx512", f.avx512}, {"avx512_vnni", f.avx512_vnni},
          {"avx_vnni", f.avx_vnni}, {"avx512_bf16", f.avx512_bf16}, {"amx", f.amx}};
}

IsaFlags isa_from(const JsonView& v) {
  v.allow_only({"avx2", "fma", "avx512", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx"});
  IsaFlags f;
  f.avx2 = v.at("avx2").as_bool();
  f.fma = v.at("fma").as_bool();
  f.avx512 = v.at("avx512").as_bool();
  f.avx512_vnni = v.at("avx512_vnni").as_bool();
  f.avx_vnni = v.at("avx_vnni").as_bool();
  f.avx512_bf16 = v.at("avx512_bf16").as_bool();
  f.amx = v.at("amx").as_bool();
  return f;
}

// --- the process's profile ---

struct ProcessProfile {
  std::optional<std::string> explicit_path;
  std::optional<HostProfile> profile;
  std::string path;
};

ProcessProfile& process() {
  static ProcessProfile p;
  return p;
}

HostProfile load(const std::string& path) {
  const auto doc = load_json_file(path);
  return host_profile_from_json(JsonView(doc, path));
}

// A probe's profile as it will read back from its file: what a run measured and what a later run
// loads are then the same numbers, bit for bit.
HostProfile normalized(const HostProfile& p) {
  const auto doc = to_json(p);
  return host_profile_from_json(JsonView(doc, "host profile"));
}

void save(const HostProfile& p, const std::string& path) {
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  write_file_atomically(path, to_json(p).dump(2) + "\n");
}

HostProfile probe_and_note(const char* why) {
  const HostProfile p = normalized(probe_host_profile());
  std::fprintf(stderr, "xpusim: %s: measured this host (%s, %s, %d cores) in %.1f s\n", why,
               p.cpu.model_name.c_str(), p.cpu.microarchitecture.c_str(), p.cpu.physical_cores, p.probe_seconds);
  return p;
}

// What share of the MAC rate a GEMM or convolution keeps when none of its working set fits in L2:
// oneDNN's 1x1 convolution with C = K = 256 on 28x28 images (a 784 x 256 x 256 GEMM per image;
// int8 where the host has VNNI, else fp32), cycles per image with one image (0.5 MB) over cycles
// per image with 32 (13 MB), then taken to a working set wholly past L2 the way the model grades
// the loss. Each in cycles of the clock measured around it, the best of three rounds that
// alternate the two: a cloud host's clock drifts by up to 10% between two kernels, and another
// tenant's use of the shared L3 comes and goes, each as large as the loss sought (on one Zen 5
// VM, one timing of each in seconds gave 0.82-0.96 in four probes; this, 0.84-0.95 in five).
double measure_matmul_beyond_l2_efficiency(const HostProfile& p) {
  Conv2d c;
  c.c = c.k = 256;
  c.h = c.w = 28;
  const DType type = (p.cpu.isa.avx512_vnni || p.cpu.isa.avx_vnni) ? DType::s8 : DType::f32;
  MeasureOptions o;
  o.min_repeats = 5;
  o.min_seconds = 0.02;
  constexpr int64_t kImages[2] = {1, 32};
  double cycles[2] = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 2; ++i) {
      c.n = kImages[i];
      const double before = measure_vector_clock_ghz(p.cpu.isa);
      const auto m = measure_with_onednn(Kernel{"probe", c, type}, o);
      if (!m) return 1;  // oneDNN cannot run it here: taken as fully hidden
      const double clock_ghz = std::max(before, measure_vector_clock_ghz(p.cpu.isa));
      cycles[i] = std::min(cycles[i], m->min_s * clock_ghz * 1e9 / double(c.n));
    }
  auto share_past_l2 = [&](int64_t images) {
    c.n = images;
    return std::max(0.0, 1 - double(p.l2_bytes) / double(Kernel{"probe", c, type}.bytes()));
  };
  return matmul_efficiency_all_past_l2(cycles[0] / cycles[1], share_past_l2(kImages[0]), share_past_l2(kImages[1]));
}

// A cache-resident kernel's median time less the call overhead, in cycles of the clock measured
// around it (the higher reading of before and after, as `xpusim calibrate` does): cloud hosts
// drift by several percent within seconds, and the model multiplies these cycles by the clock of
// its own moment. nullopt where oneDNN cannot run the kernel here.
std::optional<double> kernel_cycles(const Kernel& kernel, const MeasureOptions& options, const HostProfile& p) {
  const double before = measure_vector_clock_ghz(p.cpu.isa);
  const auto m = measure_with_onednn(kernel, options);
  if (!m) return std::nullopt;
  const double clock_ghz = std::max(before, measure_vector_clock_ghz(p.cpu.isa));
  return std::max(m->median_s - p.kernel_call_us * 1e-6, 0.1 * m->median_s) * clock_ghz * 1e9;
}

// What an int8 convolution on the vector units costs per output element beyond its MACs: oneDNN's
// 1x1 convolution of 16 channels into 128 on 32x32 images (in L2; its MACs at the probed rate are
// under half its time), less those MACs and the call overhead, per output; then the same with a
// fused ReLU, whose post-op oneDNN applies per output register (on Zen 5 it adds 60%). Short
// reductions like this one are where both show: MobileNet's expansions spend a third to two
// thirds of their time on them.
struct Int8OutputCycles {
  double plain = 0, relu = 0;
};
Int8OutputCycles measure_int8_output_cycles(const HostProfile& p) {
  Conv2d c;
  c.c = 16;
  c.k = 128;
  c.h = c.w = 32;
  MeasureOptions o;
  o.min_repeats = 15;
  o.min_seconds = 0.004;
  const double outputs = double(c.k) * c.h * c.w, macs = outputs * c.c;
  auto per_output = [&](bool relu) -> std::optional<double> {
    Kernel k{"probe", c, DType::s8};
    k.fused_relu = relu;
    const auto cycles = kernel_cycles(k, o, p);
    if (!cycles) return std::nullopt;
    return std::max(*cycles - macs / p.int8_macs_per_cycle, 0.0) / outputs;
  };
  const auto plain = per_output(false), relu = per_output(true);
  if (!plain || !relu) return {};
  return {*plain, std::max(*relu - *plain, 0.0)};
}

// Pooling's costs, from its probe pools timed here.
std::optional<PoolCosts> measure_pool_costs(DType t, const MeasureOptions& options, const HostProfile& p) {
  std::array<double, 3> cycles{};
  const auto kernels = pool_probe_kernels(t);
  for (std::size_t i = 0; i < kernels.size(); ++i) {
    const auto measured = kernel_cycles(kernels[i], options, p);
    if (!measured) return std::nullopt;
    cycles[i] = *measured;
  }
  return pool_costs_from_probes(t, cycles);
}

// Where the host profile measures the int8 output cost: on the VNNI vector path only.
bool probes_int8_output_cycles(const HostProfile& p) {
  return (p.cpu.isa.avx512_vnni || p.cpu.isa.avx_vnni) && !(p.cpu.isa.amx && onednn_runs_amx());
}

}  // namespace

double matmul_efficiency_all_past_l2(double measured, double share_one, double share_many) {
  // measured = (1 + k share_one) / (1 + k share_many), k = 1 / efficiency - 1.
  const double denominator = measured * share_many - share_one;
  if (!(measured < 1) || !(denominator > 0)) return 1;  // no loss seen, or none the run could show
  return std::clamp(1 / (1 + (1 - measured) / denominator), 0.05, 1.0);
}

PoolCosts pool_costs_from_probes(DType t, const std::array<double, 3>& cycles) {
  const auto kernels = pool_probe_kernels(t);
  auto pool = [&](std::size_t i) -> const Pool& { return std::get<Pool>(kernels[i].shape); };
  // The two max pools give the max vector's cost and the output's; the average pool, of the wide
  // one's shape, then its vector's.
  const double v0 = pool_vector_taps(pool(0), t), o0 = pool_outputs(pool(0));
  const double v1 = pool_vector_taps(pool(1), t), o1 = pool_outputs(pool(1));
  PoolCosts c;
  c.per_max_vector = std::max(1e-3, (cycles[1] * o0 - cycles[0] * o1) / (v1 * o0 - v0 * o1));
  c.per_output = std::max(1e-3, (cycles[0] - v0 * c.per_max_vector) / o0);
  c.per_avg_vector = std::max(1e-3, (cycles[2] - o1 * c.per_output) / v1);
  return c;
}

HostProfile probe_host_profile() {
  const auto start = std::chrono::steady_clock::now();
  HostProfile p;
  p.cpu = read_cpu_identity();
  p.cpu.isa = isa_onednn_uses(p.cpu.isa);
  p.memory_bytes = int64_t(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
  p.l1d_bytes = sysconf_bytes(_SC_LEVEL1_DCACHE_SIZE);
  p.l2_bytes = sysconf_bytes(_SC_LEVEL2_CACHE_SIZE);
  p.l3_reported_bytes = sysconf_bytes(_SC_LEVEL3_CACHE_SIZE);
  if (p.l2_bytes == 0) p.l2_bytes = 1 << 20;  // cpuid hidden: the sweep below still finds L3 and DRAM

  p.clock_scalar_ghz = round3(measure_scalar_clock_ghz());
  const VectorRates v = measure_vector_rates(p.cpu.isa);
  p.clock_vector_ghz = round3(v.clock_ghz);
  p.vector_width_bits = v.width_bits;
  p.f32_macs_per_cycle = round3(v.fma_per_cycle * v.width_bits / 32);
  p.int8_macs_per_cycle = round3(v.int8_macs_per_cycle);
  p.int8_path = v.int8_path;
  p.bf16_macs_per_cycle = round3(v.bf16_macs_per_cycle);
  p.vector_ops_per_cycle = round3(v.vector_ops_per_cycle * v.width_bits / 512);

  // One core: L2 at half its size, then doubling sizes until the rate settles at DRAM's. The
  // sweep's end is capped by memory: at most an eighth of RAM, at most 1 GiB.
  const int64_t ram = p.memory_bytes;
  const int64_t sweep_cap = std::clamp<int64_t>(ram / 8, 64 << 20, int64_t(1) << 30);
  const auto sweep = sweep_read_bandwidth(2 * p.l2_bytes, sweep_cap, reached_dram);
  const CacheKnee knee = find_l3_knee(sweep);
  const int threads = p.cpu.physical_cores;
  p.l2_gbps_core = round3(measure_read_bandwidth(p.l2_bytes / 2, 1) / 1e9);
  p.l3_gbps_core = round3(knee.l3_bytes_per_s / 1e9);
  p.dram_gbps_core = round3(knee.dram_bytes_per_s / 1e9);
  p.l3_effective_bytes = knee.l3_bytes;

  // All cores at once, each on its own slice: half its L2; its share of half the L3 (at least
  // twice L2, so that it is not served from L2); and for DRAM twice the L3 one core sees or
  // 64 MiB, whichever is more, within a quarter of RAM in all.
  p.l2_gbps_all = round3(measure_read_bandwidth(p.l2_bytes / 2, threads) / 1e9);
  if (p.l3_effective_bytes > 0)
    p.l3_gbps_all = round3(measure_read_bandwidth(
        std::max<int64_t>(2 * p.l2_bytes, p.l3_effective_bytes / 2 / threads), threads) / 1e9);
  const int64_t dram_slice = std::min<int64_t>(std::max<int64_t>(2 * p.l3_effective_bytes, 64 << 20),
                                               ram / 4 / threads);
  p.dram_gbps_all = round3(measure_read_bandwidth(dram_slice, threads) / 1e9);

  p.kernel_call_us = round3(measure_primitive_call_us());
  // Each class's cost: a cache-resident oneDNN kernel of it, per unit of its work.
  MeasureOptions one_thread;
  one_thread.min_repeats = 15;
  one_thread.min_seconds = 0.004;
  for (std::size_t i = 0; i < kElementOpCount; ++i) {
    const auto op = static_cast<ElementOp>(i);
    const auto kernel = probe_kernel(op);
    if (!kernel) continue;
    const auto cycles = kernel_cycles(*kernel, one_thread, p);
    if (!cycles) continue;  // not runnable here (a data type this oneDNN lacks): the derived cost stays
    p.element_cycles[std::string(element_op_name(op))] = round3(*cycles / element_work(*kernel));
  }
  for (const DType t : {DType::f32, DType::u8}) {
    const auto costs = measure_pool_costs(t, one_thread, p);
    if (!costs) continue;
    const bool int8 = t == DType::u8;
    auto set = [&](ElementOp f32_op, ElementOp int8_op, double cycles) {
      p.element_cycles[std::string(element_op_name(int8 ? int8_op : f32_op))] = round3(cycles);
    };
    set(ElementOp::pool_max_vector, ElementOp::pool_max_vector_int8, costs->per_max_vector);
    set(ElementOp::pool_avg_vector, ElementOp::pool_avg_vector_int8, costs->per_avg_vector);
    set(ElementOp::pool_output, ElementOp::pool_output_int8, costs->per_output);
  }
  p.matmul_beyond_l2_efficiency = round3(measure_matmul_beyond_l2_efficiency(p));
  if (probes_int8_output_cycles(p)) {
    const Int8OutputCycles output = measure_int8_output_cycles(p);
    p.int8_output_cycles = round3(output.plain);
    p.int8_relu_cycles = round3(output.relu);
  }
  p.amx_probed = p.cpu.isa.amx;
  if (p.cpu.isa.amx)
    if (const auto tiles = measure_amx_tiles(p.clock_vector_ghz * 1e9, p.l2_bytes)) {
      p.amx_tile_multiply_cycles = round3(tiles->multiply_cycles);
      p.amx_tile_store_cycles = round3(tiles->store_cycles);
    }
  p.fork_join_us = threads > 1 ? round3(measure_fork_join_us(threads)) : 0;
  p.probe_seconds = round3(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return p;
}

nlohmann::json to_json(const HostProfile& p) {
  const CpuIdentity& c = p.cpu;
  nlohmann::json out = {
      {"schema", p.schema_version == 1 ? kHostProfileSchemaV1 : kHostProfileSchema},
      {"cpu", {{"vendor", c.vendor}, {"family", c.family}, {"model", c.model}, {"stepping", c.stepping},
               {"model_name", c.model_name}, {"microarchitecture", c.microarchitecture},
               {"logical_cpus", c.logical_cpus}, {"physical_cores", c.physical_cores}, {"isa", isa_json(c.isa)}}},
      {"memory_bytes", p.memory_bytes},
      {"cache_bytes", {{"l1d", p.l1d_bytes}, {"l2", p.l2_bytes}, {"l3_reported", p.l3_reported_bytes},
                       {"l3_effective", p.l3_effective_bytes}}},
      {"clock_ghz", {{"scalar", p.clock_scalar_ghz}, {"vector", p.clock_vector_ghz}}},
      {"vector", {{"width_bits", p.vector_width_bits}, {"int8_path", p.int8_path},
                  {"f32_macs_per_cycle", p.f32_macs_per_cycle}, {"int8_macs_per_cycle", p.int8_macs_per_cycle},
                  {"bf16_macs_per_cycle", p.bf16_macs_per_cycle}, {"ops_per_cycle", p.vector_ops_per_cycle}}},
      {"read_gbps", {{"l2_core", p.l2_gbps_core}, {"l3_core", p.l3_gbps_core}, {"dram_core", p.dram_gbps_core},
                     {"l2_all", p.l2_gbps_all}, {"l3_all", p.l3_gbps_all}, {"dram_all", p.dram_gbps_all}}},
      {"overhead_us", {{"kernel_call", p.kernel_call_us}, {"fork_join", p.fork_join_us}}},
      {"element_cycles", p.element_cycles},
      {"probe_seconds", p.probe_seconds}};
  if (p.schema_version >= 2) out["matmul"] = {{"beyond_l2_efficiency", p.matmul_beyond_l2_efficiency}};
  if (p.int8_output_cycles > 0) {
    out["matmul"]["int8_output_cycles"] = p.int8_output_cycles;
    out["matmul"]["int8_relu_cycles"] = p.int8_relu_cycles;
  }
  if (p.amx_probed)
    out["amx"] = {{"tile_multiply_cycles", p.amx_tile_multiply_cycles}, {"tile_store_cycles", p.amx_tile_store_cycles}};
  return out;
}

HostProfile host_profile_from_json(const JsonView& root) {
  // Ranges wide enough for any CPU made or planned, narrow enough that every figure gives finite,
  // positive kernel times.
  constexpr int64_t kMaxBytes = int64_t{1} << 50;
  auto rate = [](const JsonView& v) { return v.as_number_in(1e-3, 1e5); };  // per cycle
  auto gbps = [](const JsonView& v) { return v.as_number_in(1e-3, 1e6); };
  const auto schema = root.at("schema");
  HostProfile p;
  if (schema.as_string() == kHostProfileSchemaV1) p.schema_version = 1;
  else if (schema.as_string() != kHostProfileSchema)
    schema.fail(fmt::format("unsupported schema \"{}\" (this xpusim reads {} and {})", schema.as_string(),
                            kHostProfileSchema, kHostProfileSchemaV1));
  if (p.schema_version == 1)
    root.allow_only({"schema", "cpu", "memory_bytes", "cache_bytes", "clock_ghz", "vector", "read_gbps",
                     "overhead_us", "element_cycles", "probe_seconds"});
  else
    root.allow_only({"schema", "cpu", "memory_bytes", "cache_bytes", "clock_ghz", "vector", "read_gbps",
                     "overhead_us", "element_cycles", "matmul", "amx", "probe_seconds"});
  const auto cpu = root.at("cpu");
  cpu.allow_only({"vendor", "family", "model", "stepping", "model_name", "microarchitecture", "logical_cpus",
                  "physical_cores", "isa"});
  p.cpu.vendor = cpu.at("vendor").as_string();
  p.cpu.family = static_cast<int>(cpu.at("family").as_integer_in(0, 0xFFFF));
  p.cpu.model = static_cast<int>(cpu.at("model").as_integer_in(0, 0xFFFF));
  p.cpu.stepping = static_cast<int>(cpu.at("stepping").as_integer_in(0, 0xFFFF));
  p.cpu.model_name = cpu.at("model_name").as_string();
  p.cpu.microarchitecture = cpu.at("microarchitecture").as_string();
  p.cpu.logical_cpus = static_cast<int>(cpu.at("logical_cpus").as_integer_in(1, 1'000'000));
  p.cpu.physical_cores = static_cast<int>(cpu.at("physical_cores").as_integer_in(1, 1'000'000));
  p.cpu.isa = isa_from(cpu.at("isa"));
  p.memory_bytes = root.at("memory_bytes").as_integer_in(1, int64_t{1} << 60);

  const auto caches = root.at("cache_bytes");
  caches.allow_only({"l1d", "l2", "l3_reported", "l3_effective"});
  p.l1d_bytes = caches.at("l1d").as_integer_in(1, kMaxBytes);
  p.l2_bytes = caches.at("l2").as_integer_in(1, kMaxBytes);
  p.l3_reported_bytes = caches.at("l3_reported").as_integer_in(0, kMaxBytes);
  p.l3_effective_bytes = caches.at("l3_effective").as_integer_in(0, kMaxBytes);

  const auto clock = root.at("clock_ghz");
  clock.allow_only({"scalar", "vector"});
  p.clock_scalar_ghz = clock.at("scalar").as_number_in(0.1, 20);
  p.clock_vector_ghz = clock.at("vector").as_number_in(0.1, 20);

  const auto vec = root.at("vector");
  vec.allow_only({"width_bits", "int8_path", "f32_macs_per_cycle", "int8_macs_per_cycle", "bf16_macs_per_cycle",
                  "ops_per_cycle"});
  const auto width = vec.at("width_bits");
  p.vector_width_bits = static_cast<int>(width.as_integer());
  if (p.vector_width_bits != 256 && p.vector_width_bits != 512) width.fail("must be 256 or 512");
  p.int8_path = vec.at("int8_path").as_string();
  p.f32_macs_per_cycle = rate(vec.at("f32_macs_per_cycle"));
  p.int8_macs_per_cycle = rate(vec.at("int8_macs_per_cycle"));
  const auto bf16 = vec.at("bf16_macs_per_cycle");
  p.bf16_macs_per_cycle = bf16.as_number() == 0 ? 0 : rate(bf16);  // 0: no bf16 instructions
  p.vector_ops_per_cycle = rate(vec.at("ops_per_cycle"));

  const auto bw = root.at("read_gbps");
  bw.allow_only({"l2_core", "l3_core", "dram_core", "l2_all", "l3_all", "dram_all"});
  p.l2_gbps_core = gbps(bw.at("l2_core"));
  p.l3_gbps_core = gbps(bw.at("l3_core"));
  p.dram_gbps_core = gbps(bw.at("dram_core"));
  p.l2_gbps_all = gbps(bw.at("l2_all"));
  const auto l3_all = bw.at("l3_all");
  p.l3_gbps_all = l3_all.as_number() == 0 ? 0 : gbps(l3_all);  // 0: not measured (no L3)
  p.dram_gbps_all = gbps(bw.at("dram_all"));

  const auto overhead = root.at("overhead_us");
  overhead.allow_only({"kernel_call", "fork_join"});
  p.kernel_call_us = overhead.at("kernel_call").as_number_in(0, 1e6);
  p.fork_join_us = overhead.at("fork_join").as_number_in(0, 1e6);
  const auto element = root.at("element_cycles");
  element.expect_object();
  for (const auto& [name, unused] : element.raw().items()) {
    // Profiles probed before pooling's cost was split by output and vector had one per channel and tap:
    // not comparable, so left out (a cached one is probed again: has_everything_probed).
    if (name == "pool" || name == "pool_int8") continue;
    bool known = false;
    for (std::size_t i = 0; i < kElementOpCount; ++i) known = known || element_op_name(static_cast<ElementOp>(i)) == name;
    const auto value = element.at(name);
    if (!known) value.fail(fmt::format("unknown kernel class \"{}\"", name));
    p.element_cycles[name] = value.as_number_in(1e-6, 1e6);
  }
  if (p.schema_version >= 2) {
    const auto matmul = root.at("matmul");
    matmul.allow_only({"beyond_l2_efficiency", "int8_output_cycles", "int8_relu_cycles"});
    p.matmul_beyond_l2_efficiency = matmul.at("beyond_l2_efficiency").as_number_in(0.05, 1);
    if (matmul.find("int8_output_cycles")) {  // both or neither
      p.int8_output_cycles = matmul.at("int8_output_cycles").as_number_in(1e-6, 100);
      p.int8_relu_cycles = matmul.at("int8_relu_cycles").as_number_in(0, 100);
    }
  }
  if (const auto amx = root.find("amx")) {
    amx->allow_only({"tile_multiply_cycles", "tile_store_cycles"});
    p.amx_probed = true;
    p.amx_tile_multiply_cycles = amx->at("tile_multiply_cycles").as_number_in(0, 1e4);
    p.amx_tile_store_cycles = amx->at("tile_store_cycles").as_number_in(0, 1e4);
  }
  p.probe_seconds = root.at("probe_seconds").as_number_in(0, 1e6);
  return p;
}

bool measured_on(const HostProfile& p, const CpuIdentity& id) {
  return p.cpu.vendor == id.vendor && p.cpu.family == id.family && p.cpu.model == id.model &&
         p.cpu.stepping == id.stepping && p.cpu.model_name == id.model_name &&
         p.cpu.logical_cpus == id.logical_cpus && p.cpu.physical_cores == id.physical_cores &&
         p.cpu.isa == isa_onednn_uses(id.isa);
}

namespace {
// A profile saved before a kernel class (or the int8 output cost) was probed lacks its cost; the
// model would derive it from the vector rate instead (depthwise convolutions: 2x fast).
bool has_everything_probed(const HostProfile& p) {
  for (std::size_t i = 0; i < kElementOpCount; ++i) {
    const auto op = static_cast<ElementOp>(i);
    if (host_probes(op) && !p.element_cycles.count(std::string(element_op_name(op)))) return false;
  }
  return p.int8_output_cycles > 0 || !probes_int8_output_cycles(p);
}
}  // namespace

CpuSpec cpu_spec_from_profile(const HostProfile& p) {
  CpuSpec s;
  s.name = "host";
  s.description = fmt::format("{} ({})", p.cpu.model_name, p.cpu.microarchitecture);
  s.cores_per_socket = p.cpu.physical_cores;
  s.freq_ghz_scalar = p.clock_scalar_ghz;
  // Both vector licence clocks are the one measured at the widest width the host runs.
  s.freq_ghz_avx2 = s.freq_ghz_avx512 = p.clock_vector_ghz;
  s.simd_datapath_bits = p.vector_width_bits;
  s.avx512 = p.cpu.isa.avx512;
  s.vnni = p.cpu.isa.avx512_vnni || p.cpu.isa.avx_vnni;
  s.avx512_bf16 = p.cpu.isa.avx512_bf16;
  // The datapath oneDNN runs here: AMX tiles when it may use them (and the probe measured them),
  // else AVX-512 VNNI.
  s.amx = p.cpu.isa.amx && p.amx_tile_multiply_cycles > 0 && onednn_runs_amx();
  s.f32_macs_per_cycle = p.f32_macs_per_cycle;
  s.fma_units = static_cast<int>(std::lround(p.f32_macs_per_cycle / (p.vector_width_bits / 32.0)));
  s.int8_macs_per_cycle = p.int8_macs_per_cycle;
  s.bf16_macs_per_cycle = p.bf16_macs_per_cycle > 0 ? p.bf16_macs_per_cycle : p.f32_macs_per_cycle;
  if (s.amx) {  // peak rates (reported as utilization's denominator) and the probed tile costs
    s.int8_macs_per_cycle = s.amx_int8_macs_per_cycle = 1024;
    s.bf16_macs_per_cycle = s.amx_bf16_macs_per_cycle = 512;
    s.amx_tile_multiply_cycles = p.amx_tile_multiply_cycles;
    s.amx_tile_store_cycles = p.amx_tile_store_cycles;
  }
  s.vector_ops_per_cycle = p.vector_ops_per_cycle;
  s.derive_element_costs();
  for (std::size_t i = 0; i < kElementOpCount; ++i)
    if (auto it = p.element_cycles.find(std::string(element_op_name(static_cast<ElementOp>(i))));
        it != p.element_cycles.end())
      s.element_cycles[i] = it->second;
  s.vector_alu_ports = static_cast<int>(std::lround(p.vector_ops_per_cycle * 512 / p.vector_width_bits));
  s.l1d_bytes = p.l1d_bytes;
  s.l2_bytes = p.l2_bytes;
  s.l3_bytes = p.l3_effective_bytes;
  s.l2_bytes_per_cycle = p.l2_gbps_core / p.clock_vector_ghz;
  s.l3_bytes_per_cycle = p.l3_effective_bytes > 0 ? p.l3_gbps_core / p.clock_vector_ghz : 0;
  s.l3_gbps_all = p.l3_gbps_all;
  s.dram_gbps_per_core = p.dram_gbps_core;
  s.dram_gbps_socket = p.dram_gbps_all;
  s.matmul_beyond_l2_efficiency = p.matmul_beyond_l2_efficiency;
  s.int8_output_cycles = p.int8_output_cycles;
  s.int8_relu_cycles = p.int8_relu_cycles;
  s.kernel_overhead_us = p.kernel_call_us;
  s.fork_join_us = p.fork_join_us;
  const std::string probe = "measured by the host probe: ";
  s.sources = {
      {"microarchitecture", fmt::format("cpuid vendor {} family {:#x} model {:#x} stepping {}", p.cpu.vendor,
                                        p.cpu.family, p.cpu.model, p.cpu.stepping)},
      {"isa", "/proc/cpuinfo flags"},
      {"caches", fmt::format("L1d and L2 from cpuid; L3 {} effective ({} reported): the size at which "
                             "one core's read bandwidth falls to DRAM's", p.l3_effective_bytes, p.l3_reported_bytes)},
      {"freq_ghz.scalar", probe + "a chain of dependent adds"},
      {"freq_ghz.avx512", probe + "a chain of dependent adds beside independent vector FMAs"},
      {"macs_per_cycle", probe + "12 independent FMA, VPDPBUSD (" + p.int8_path + ") and VDPBF16PS chains"},
      {"vector_ops_per_cycle", probe + "24 independent vector add and multiply chains"},
      {"bandwidth", probe + "streaming reads of L2-, L3- and DRAM-sized buffers, one core and all cores"},
      {"kernel_overhead_us", probe + "median oneDNN primitive call (ReLU of 64 floats)"},
      {"element_cycles", probe + "a cache-resident oneDNN kernel of each class; the others from the vector rate"},
      {"fork_join_us", probe + "median empty OpenMP parallel region over all cores"},
      {"matmul_beyond_l2_efficiency",
       p.schema_version >= 2 ? probe + "oneDNN 1x1 convolution (C = K = 256, 28x28), cycles per image at 1 image "
                                       "over cycles per image at 32, taken to a working set wholly past L2"
                             : "not in this profile (schema 1): 1, streaming taken as fully hidden"}};
  if (p.int8_output_cycles > 0)
    s.sources["int8_output_cycles"] = probe + "oneDNN int8 1x1 convolution (C = 16, K = 128, 32x32) less its MACs, "
                                              "per output, without and with a fused ReLU";
  if (s.amx)
    s.sources["amx_tile_cycles"] = probe + "TDPBUSD in 2x2 blocks with their A and B tiles loaded from L2, and "
                                           "TILESTORED of each result";
  return s;
}

void use_host_profile_file(const std::string& path) {
  ProcessProfile& state = process();
  state.explicit_path = path;
  state.profile.reset();
}

std::string default_host_profile_path() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (std::string p = env("XPUSIM_HOST_PROFILE"); !p.empty()) return p;
  const std::string xdg = env("XDG_CACHE_HOME");
  if (!xdg.empty() && xdg.front() == '/') return xdg + "/xpusim/host-profile.json";
  if (std::string home = env("HOME"); !home.empty()) return home + "/.cache/xpusim/host-profile.json";
  return "";
}

const HostProfile& host_profile() {
  ProcessProfile& state = process();
  if (state.profile) return *state.profile;
  if (state.explicit_path) {
    state.path = *state.explicit_path;
    if (std::filesystem::exists(state.path)) return state.profile.emplace(load(state.path));
    state.profile = probe_and_note("no host profile yet");
    try {
      save(*state.profile, state.path);
    } catch (const std::exception& e) {
      throw InputError("--host-profile", "", fmt::format("cannot write {}: {}", state.path, e.what()));
    }
    return *state.profile;
  }
  state.path = default_host_profile_path();
  std::string why = "no host profile yet";
  if (!state.path.empty() && std::filesystem::exists(state.path)) {
    try {
      HostProfile cached = load(state.path);
      if (cached.schema_version != 2 || !has_everything_probed(cached))
        why = "the cached host profile is from an older xpusim";
      else if (cached.cpu.isa.amx && !cached.amx_probed) why = "the cached host profile has no AMX tile costs";
      else if (measured_on(cached, read_cpu_identity())) return state.profile.emplace(std::move(cached));
      else why = "the cached host profile was measured on another CPU";
    } catch (const InputError& e) {
      why = fmt::format("the cached host profile is unusable ({})", e.what());
    }
  }
  state.profile = probe_and_note(why.c_str());
  if (state.path.empty()) {
    std::fprintf(stderr, "xpusim: no cache directory (HOME unset): the profile is kept for this run only\n");
    return *state.profile;
  }
  try {
    save(*state.profile, state.path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xpusim: cannot save the host profile to %s (%s): it is kept for this run only\n",
                 state.path.c_str(), e.what());
    state.path.clear();
  }
  return *state.profile;
}

const HostProfile& reprobe_host_profile() {
  ProcessProfile& state = process();
  state.path = state.explicit_path.value_or(default_host_profile_path());
  state.profile = normalized(probe_host_profile());
  if (!state.path.empty()) {
    try {
      save(*state.profile, state.path);
    } catch (const std::exception& e) {
      throw InputError(state.explicit_path ? "--host-profile" : state.path, "",
                       fmt::format("cannot write {}: {}", state.path, e.what()));
    }
  }
  return *state.profile;
}

const std::string& host_profile_path() {
  host_profile();
  return process().path;
}

}  // namespace xpusim

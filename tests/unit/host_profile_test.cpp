// The host profile: knee detection on a bandwidth sweep, the microarchitecture table, the strict
// JSON round trip, the spec the cost model gets from a profile, and the probe's figures on this
// machine checked against what its ISA allows.
#include <cmath>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "models/cpu/host_profile.hpp"
#include "models/cpu/onednn_runner.hpp"
#include "models/cpu/microbench.hpp"
#include "sim/engine/input_error.hpp"

using namespace xpusim;

namespace {
constexpr int64_t MiB = 1 << 20;

HostProfile golden_profile() {
  const auto doc = load_json_file(std::string(XPUSIM_SOURCE_DIR) + "/tests/golden/host_profile_zen5.json");
  return host_profile_from_json(JsonView(doc, "host_profile_zen5.json"));
}

std::string error_of(const nlohmann::json& doc) {
  try {
    host_profile_from_json(JsonView(doc, "p.json"));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(CacheKnee, CrossesTheGeometricMeanOfPlateauAndDram) {
  // Plateau 100 GB/s, DRAM 25: the threshold is 50, crossed between 16 MiB (80) and 32 MiB (40)
  // at 16 MiB x 2^(ln(80/50)/ln 2).
  const std::vector<BandwidthPoint> sweep = {{2 * MiB, 95e9},  {4 * MiB, 100e9}, {8 * MiB, 98e9},
                                             {16 * MiB, 80e9}, {32 * MiB, 40e9}, {64 * MiB, 26e9},
                                             {128 * MiB, 25e9}};
  const CacheKnee k = find_l3_knee(sweep);
  EXPECT_DOUBLE_EQ(k.l3_bytes_per_s, 100e9);
  EXPECT_DOUBLE_EQ(k.dram_bytes_per_s, 25e9);
  EXPECT_NEAR(double(k.l3_bytes), 16.0 * MiB * std::pow(2.0, std::log(80.0 / 50) / std::log(2.0)), 1.0);
  EXPECT_TRUE(reached_dram(sweep));
  EXPECT_FALSE(reached_dram({sweep.begin(), sweep.begin() + 5}));  // still falling
}

TEST(CacheKnee, NoPlateauMeansNoUsableL3) {
  const CacheKnee k = find_l3_knee({{2 * MiB, 30e9}, {4 * MiB, 29e9}, {64 * MiB, 28e9}});
  EXPECT_EQ(k.l3_bytes, 0);
  EXPECT_DOUBLE_EQ(k.dram_bytes_per_s, 28e9);
}

TEST(VectorRates, IssueRatesArePowersOfTwoNearestTheMeasurement) {
  EXPECT_EQ(issue_rate(2.01), 2.0);
  EXPECT_EQ(issue_rate(1.64), 2.0);  // a probe slowed by a busy sibling thread still reads 2
  EXPECT_EQ(issue_rate(1.3), 1.0);
  EXPECT_EQ(issue_rate(0.97), 1.0);
  EXPECT_EQ(issue_rate(0.55), 0.5);  // 512-bit work split in two halves on one unit
  EXPECT_EQ(issue_rate(0.0), 0.0);
}

TEST(CpuIdentity, MicroarchitectureFromCpuid) {
  EXPECT_EQ(microarchitecture_name("GenuineIntel", 6, 0x55, 7), "Cascade Lake");
  EXPECT_EQ(microarchitecture_name("GenuineIntel", 6, 0x55, 4), "Skylake-SP");
  EXPECT_EQ(microarchitecture_name("GenuineIntel", 6, 0x6A, 6), "Ice Lake-SP");
  EXPECT_EQ(microarchitecture_name("GenuineIntel", 6, 0x8F, 8), "Sapphire Rapids");
  EXPECT_EQ(microarchitecture_name("AuthenticAMD", 0x17, 0x31, 0), "Zen 2");
  EXPECT_EQ(microarchitecture_name("AuthenticAMD", 0x19, 0x01, 1), "Zen 3");
  EXPECT_EQ(microarchitecture_name("AuthenticAMD", 0x19, 0x11, 1), "Zen 4");
  EXPECT_EQ(microarchitecture_name("AuthenticAMD", 0x1A, 0x02, 1), "Zen 5");
  EXPECT_EQ(microarchitecture_name("CentaurHauls", 6, 0x0F, 0), "unknown (CentaurHauls family 0x6 model 0xf)");
}

TEST(HostProfile, JsonRoundTripIsExact) {
  const HostProfile p = golden_profile();
  const auto doc = to_json(p);
  EXPECT_EQ(to_json(host_profile_from_json(JsonView(doc, "x"))), doc);
  EXPECT_TRUE(measured_on(p, p.cpu));
  CpuIdentity other = p.cpu;
  other.model += 1;
  EXPECT_FALSE(measured_on(p, other));
}

TEST(HostProfile, BadFilesNameTheKey) {
  auto doc = to_json(golden_profile());
  auto bad = doc;
  bad["read_gbps"]["colour"] = 1;
  EXPECT_NE(error_of(bad).find("p.json/read_gbps/colour: unknown key"), std::string::npos) << error_of(bad);
  bad = doc;
  bad["read_gbps"]["dram_core"] = -3;
  EXPECT_NE(error_of(bad).find("p.json/read_gbps/dram_core: must be in"), std::string::npos) << error_of(bad);
  bad = doc;
  bad["schema"] = "xpusim.host-profile/0";
  EXPECT_NE(error_of(bad).find("/schema: unsupported schema"), std::string::npos);
  bad = doc;
  bad["element_cycles"]["matmul"] = 1.0;
  EXPECT_NE(error_of(bad).find("/element_cycles/matmul: unknown kernel class"), std::string::npos);
  bad = doc;
  bad["vector"]["width_bits"] = 384;
  EXPECT_NE(error_of(bad).find("/vector/width_bits: must be 256 or 512"), std::string::npos);
  bad = doc;
  bad.erase("clock_ghz");
  EXPECT_NE(error_of(bad).find("missing required key \"clock_ghz\""), std::string::npos);
}

// Schema 2 adds the matmul efficiency past L2; a schema-1 file (the committed Zen 5 profile) still
// reads, as fully hidden streaming, and writes back as schema 1.
TEST(HostProfile, SchemaTwoCarriesTheMatmulEfficiency) {
  const HostProfile v1 = golden_profile();
  EXPECT_EQ(v1.schema_version, 1);
  EXPECT_EQ(v1.matmul_beyond_l2_efficiency, 1.0);
  EXPECT_FALSE(to_json(v1).contains("matmul"));
  HostProfile v2 = v1;
  v2.schema_version = 2;
  v2.matmul_beyond_l2_efficiency = 0.9;
  const auto doc = to_json(v2);
  EXPECT_EQ(doc["schema"], kHostProfileSchema);
  const HostProfile back = host_profile_from_json(JsonView(doc, "x"));
  EXPECT_EQ(back.matmul_beyond_l2_efficiency, 0.9);
  EXPECT_EQ(to_json(back), doc);
  EXPECT_EQ(cpu_spec_from_profile(back).matmul_beyond_l2_efficiency, 0.9);
  auto bad = doc;
  bad["matmul"]["beyond_l2_efficiency"] = 1.5;
  EXPECT_NE(error_of(bad).find("p.json/matmul/beyond_l2_efficiency: must be in"), std::string::npos) << error_of(bad);
  bad = doc;
  bad.erase("matmul");
  EXPECT_NE(error_of(bad).find("missing required key \"matmul\""), std::string::npos) << error_of(bad);
  bad = to_json(v1);
  bad["matmul"] = doc["matmul"];
  EXPECT_NE(error_of(bad).find("p.json/matmul: unknown key"), std::string::npos) << error_of(bad);
}

// The int8 output costs are optional (absent where not measured: no VNNI, or AMX tiles), both or
// neither, and reach the spec the model gets.
TEST(HostProfile, Int8OutputCostsRoundTripBothOrNeither) {
  HostProfile p = golden_profile();
  p.schema_version = 2;
  EXPECT_FALSE(to_json(p)["matmul"].contains("int8_output_cycles"));
  p.int8_output_cycles = 0.085;
  p.int8_relu_cycles = 0.053;
  const auto doc = to_json(p);
  const HostProfile back = host_profile_from_json(JsonView(doc, "x"));
  EXPECT_EQ(back.int8_output_cycles, 0.085);
  EXPECT_EQ(back.int8_relu_cycles, 0.053);
  EXPECT_EQ(to_json(back), doc);
  const CpuSpec spec = cpu_spec_from_profile(back);
  EXPECT_EQ(spec.int8_output_cycles, 0.085);
  EXPECT_EQ(spec.int8_relu_cycles, 0.053);
  EXPECT_TRUE(spec.sources.count("int8_output_cycles"));
  auto bad = doc;
  bad["matmul"].erase("int8_relu_cycles");
  EXPECT_NE(error_of(bad).find("p.json/matmul: missing required key \"int8_relu_cycles\""), std::string::npos)
      << error_of(bad);
  bad = doc;
  bad["matmul"]["int8_output_cycles"] = -1;
  EXPECT_NE(error_of(bad).find("p.json/matmul/int8_output_cycles: must be in"), std::string::npos) << error_of(bad);
}

// A CPU with AMX tiles carries their probed costs; the host model runs on them only where oneDNN
// runs them too (not under ONEDNN_MAX_CPU_ISA below AMX, as the test suite holds it) and the OS
// granted them (costs 0: refused).
TEST(HostProfile, AmxTileCostsReachTheSpecWhereOneDnnRunsTiles) {
  HostProfile p = golden_profile();
  p.schema_version = 2;
  p.cpu.isa.amx = p.amx_probed = true;
  p.amx_tile_multiply_cycles = 25.2;
  p.amx_tile_store_cycles = 13.1;
  const auto doc = to_json(p);
  EXPECT_EQ(doc["amx"]["tile_multiply_cycles"], 25.2);
  const HostProfile back = host_profile_from_json(JsonView(doc, "x"));
  EXPECT_TRUE(back.amx_probed);
  EXPECT_EQ(to_json(back), doc);
  const CpuSpec spec = cpu_spec_from_profile(back);
  EXPECT_EQ(spec.amx, onednn_runs_amx());
  EXPECT_EQ(spec.amx_tile_multiply_cycles, spec.amx ? 25.2 : 0.0);
  EXPECT_EQ(spec.amx_tile_store_cycles, spec.amx ? 13.1 : 0.0);
  HostProfile refused = back;
  refused.amx_tile_multiply_cycles = refused.amx_tile_store_cycles = 0;
  EXPECT_FALSE(cpu_spec_from_profile(refused).amx);
  EXPECT_TRUE(to_json(refused).contains("amx"));  // probed, refused: not probed again
  EXPECT_FALSE(to_json(golden_profile()).contains("amx"));  // no tiles, nothing to write
  auto bad = doc;
  bad["amx"]["tile_store_cycles"] = -1;
  EXPECT_NE(error_of(bad).find("p.json/amx/tile_store_cycles: must be in"), std::string::npos) << error_of(bad);
  bad = doc;
  bad["amx"]["tile_load_cycles"] = 8;
  EXPECT_NE(error_of(bad).find("p.json/amx/tile_load_cycles: unknown key"), std::string::npos) << error_of(bad);
}

// What the cost model gets: measured rates as they are, bandwidths per cycle of the vector clock,
// the effective (not the reported) L3, and measured element costs over the derived ones.
TEST(HostProfile, SpecCarriesTheMeasuredFigures) {
  const HostProfile p = golden_profile();
  const CpuSpec s = cpu_spec_from_profile(p);
  EXPECT_EQ(s.cores_per_socket, p.cpu.physical_cores);
  EXPECT_DOUBLE_EQ(s.freq_ghz_avx512, p.clock_vector_ghz);
  EXPECT_DOUBLE_EQ(s.macs_per_cycle(DType::s8), p.int8_macs_per_cycle);
  EXPECT_DOUBLE_EQ(s.macs_per_cycle(DType::f32), p.f32_macs_per_cycle);
  EXPECT_DOUBLE_EQ(s.macs_per_cycle(DType::bf16), p.bf16_macs_per_cycle);
  EXPECT_DOUBLE_EQ(s.l2_bytes_per_cycle * s.freq_ghz_avx512, p.l2_gbps_core);
  EXPECT_DOUBLE_EQ(s.l3_bytes_per_cycle * s.freq_ghz_avx512, p.l3_gbps_core);
  EXPECT_EQ(s.l3_bytes, p.l3_effective_bytes);
  EXPECT_DOUBLE_EQ(s.dram_gbps_socket, p.dram_gbps_all);
  EXPECT_DOUBLE_EQ(s.kernel_overhead_us, p.kernel_call_us);
  for (std::size_t i = 0; i < kElementOpCount; ++i) {
    const auto op = static_cast<ElementOp>(i);
    const auto it = p.element_cycles.find(std::string(element_op_name(op)));
    const double want = it != p.element_cycles.end() ? it->second : vector_ops_per_unit(op) / p.vector_ops_per_cycle;
    EXPECT_DOUBLE_EQ(s.element_cycles[i], want) << element_op_name(op);
  }
}

// The profile this suite's fixture measured (tests/CMakeLists.txt) against the ISA: an FMA
// instruction does width/32 MACs and a core has one or two FMA pipes; VPDPBUSD does four times
// as many MACs per lane; bandwidth falls from L2 to DRAM; the knee lies below what cpuid reports
// when cpuid reports one.
// Pooling's costs are the ones under which the three probe pools take what they were measured
// to take; noise that would make one negative leaves it at a thousandth of a cycle.
TEST(HostProfile, PoolCostsReproduceTheProbes) {
  for (DType t : {DType::f32, DType::u8}) {
    const auto probes = pool_probe_kernels(t);
    auto cycles = [&](const PoolCosts& c) {
      std::array<double, 3> out{};
      for (std::size_t i = 0; i < 3; ++i) {
        const Pool& p = std::get<Pool>(probes[i].shape);
        const double per_vector = p.op == PoolOp::max ? c.per_max_vector : c.per_avg_vector;
        out[i] = pool_vector_taps(p, t) * per_vector + pool_outputs(p) * c.per_output;
      }
      return out;
    };
    const PoolCosts c = pool_costs_from_probes(t, cycles({1.6, 2.6, 45}));
    EXPECT_NEAR(c.per_max_vector, 1.6, 1e-9);
    EXPECT_NEAR(c.per_avg_vector, 2.6, 1e-9);
    EXPECT_NEAR(c.per_output, 45, 1e-9);
    // The narrow probe measured faster than its vectors alone at the wide one's rate.
    std::array<double, 3> noisy = cycles({1.6, 2.6, 0});
    noisy[0] *= 0.9;
    const PoolCosts n = pool_costs_from_probes(t, noisy);
    EXPECT_EQ(n.per_output, 1e-3);
    EXPECT_GT(n.per_max_vector, 1.5);
  }
}

TEST(HostProfile, ProbeOfThisMachineIsPhysical) {
  const char* path = std::getenv("XPUSIM_HOST_PROFILE");
  if (!path) GTEST_SKIP() << "run through ctest, which measures the profile first";
  const auto doc = load_json_file(path);
  const HostProfile p = host_profile_from_json(JsonView(doc, path));
  EXPECT_TRUE(measured_on(p, read_cpu_identity()));
  EXPECT_GT(p.clock_vector_ghz, 0.5);
  EXPECT_LT(p.clock_vector_ghz, 7.0);
  const double lanes = p.vector_width_bits / 32.0;
  EXPECT_GE(p.f32_macs_per_cycle, 0.8 * lanes) << "less than one FMA pipe";
  EXPECT_LE(p.f32_macs_per_cycle, 2.2 * lanes) << "more than two FMA pipes";
  if (p.int8_path == "avx512_vnni" || p.int8_path == "avx_vnni") {
    EXPECT_GE(p.int8_macs_per_cycle, 3.2 * p.f32_macs_per_cycle);
    EXPECT_LE(p.int8_macs_per_cycle, 4.8 * p.f32_macs_per_cycle);
  }
  EXPECT_GT(p.l2_gbps_core, p.dram_gbps_core);
  EXPECT_GE(p.dram_gbps_all, 0.8 * p.dram_gbps_core);
  if (p.l3_effective_bytes > 0 && p.l3_reported_bytes > 0) {
    // Where one core's rate falls past the midpoint to DRAM's. It can fall gradually: on a Zen 5
    // VM reporting 32 MB, from 90 GB/s at 8 MB through 50-62 at 32 MB and 32-52 at 64 MB to 26-35
    // at 128 MB, so the point lay anywhere from 30 to 78 MB from one probe to the next.
    EXPECT_LE(p.l3_effective_bytes, 4 * p.l3_reported_bytes);
  }
  EXPECT_GT(p.kernel_call_us, 0);
  EXPECT_LT(p.kernel_call_us, 100);
  for (const char* cls : {"streaming", "softmax", "norm", "pool_avg_vector", "pool_max_vector_int8", "pool_output_int8"}) EXPECT_TRUE(p.element_cycles.count(cls)) << cls;
  EXPECT_EQ(p.schema_version, 2);
  EXPECT_GT(p.matmul_beyond_l2_efficiency, 0.5);  // streaming past L2 at most halves the MAC rate
  EXPECT_LE(p.matmul_beyond_l2_efficiency, 1.0);
  // The profile describes the instruction sets oneDNN may use here (ctest caps it below AMX).
  EXPECT_EQ(p.cpu.isa, isa_onednn_uses(read_cpu_identity().isa));
  if ((p.int8_path == "avx512_vnni" || p.int8_path == "avx_vnni") && !onednn_runs_amx()) {
    // Requantizing and storing an output costs at least one vector op per register, and less
    // than a 3x3 filter's MACs over 64 channels; so does a fused ReLU.
    EXPECT_GT(p.int8_output_cycles, 1.0 / 16 / p.vector_ops_per_cycle);
    EXPECT_LT(p.int8_output_cycles, 9 * 64 / p.int8_macs_per_cycle);
    EXPECT_LT(p.int8_relu_cycles, 9 * 64 / p.int8_macs_per_cycle);
    EXPECT_TRUE(p.element_cycles.count("depthwise_int8"));
  }
}

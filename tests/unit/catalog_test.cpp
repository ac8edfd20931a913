#include <gtest/gtest.h>

#include "models/catalog/catalog.hpp"
#include "models/cpu/host_profile.hpp"
#include "models/cpu/onednn_runner.hpp"
#include "sim/engine/input_error.hpp"
#include "sim/engine/json_input.hpp"

using namespace xpusim;

TEST(Catalog, BuiltinHasTheStudyInstancesWithSourcedPrices) {
  const Catalog& c = Catalog::builtin();
  for (const char* name : {"c5.large", "c5.9xlarge", "c5.18xlarge", "c6i.large", "c6i.32xlarge", "c7i.large"}) {
    ASSERT_TRUE(c.has_instance(name)) << name;
    auto price = c.instance(name).latest_price();
    ASSERT_TRUE(price) << name;
    EXPECT_FALSE(price->source.empty());
    EXPECT_EQ(price->date.size(), 10u);
  }
  EXPECT_DOUBLE_EQ(c.instance("c5.large").latest_price()->usd_per_hour, 0.085);
  EXPECT_EQ(c.instance("c5.18xlarge").cores, 36);
  EXPECT_EQ(c.instance("c6i.32xlarge").cores, 64);
  for (const auto& [name, spec] : c.cpus()) EXPECT_GE(spec.sources.size(), 8u) << name;
}

TEST(Catalog, DeviceSharesOfTheSocket) {
  const Catalog& c = Catalog::builtin();
  auto small = c.device("c6i.large");
  auto whole = c.device("c6i.32xlarge");
  EXPECT_EQ(small.cores, 1);
  EXPECT_EQ(whole.sockets, 2);
  EXPECT_EQ(small.l3_share_bytes * 32, small.spec.l3_bytes);
  EXPECT_EQ(whole.l3_share_bytes, 2 * whole.spec.l3_bytes);
}

// `host` is this machine as its profile describes it (here the one ctest measured first).
TEST(Catalog, HostComesFromTheMeasuredProfile) {
  const Catalog& c = Catalog::builtin();
  const auto& host = c.instance("host");
  const HostProfile& profile = host_profile();
  EXPECT_EQ(host.cores, profile.cpu.physical_cores);
  EXPECT_EQ(host.vcpus, profile.cpu.logical_cpus);
  const CpuSpec& spec = c.cpu_of(host);
  EXPECT_DOUBLE_EQ(spec.freq_ghz_avx512, profile.clock_vector_ghz);
  // int8 runs on AMX tiles where oneDNN uses them here (the peak rate is the published one, the
  // tile costs probed), else at the probed VNNI rate.
  EXPECT_EQ(spec.amx, profile.cpu.isa.amx && profile.amx_tile_multiply_cycles > 0 && onednn_runs_amx());
  EXPECT_DOUBLE_EQ(spec.macs_per_cycle(DType::s8), spec.amx ? 1024 : profile.int8_macs_per_cycle);
  EXPECT_NE(spec.description.find(profile.cpu.microarchitecture), std::string::npos);
}

TEST(Catalog, MalformedEntriesNameFileAndPointer) {
  try {
    Catalog::parse(R"({"cpus": {}})", "cpus.json",
                   R"({"instances": {"x": {"cpu": "nope", "vcpus": 2, "memory_gib": 4, "prices": []}}})", "inst.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "inst.json/instances/x/cpu: unknown cpu \"nope\"");
  }
  EXPECT_THROW(Catalog::parse(R"({"cpus": {}, "host_defaults": {}})", "cpus.json", R"({"instances": {}})", "inst.json"),
               InputError);
  // A fabric NCCL runs on names its GPUs' generation and takes its step latencies from NCCL's
  // protocols; one with a library of its own gives its step latency.
  const auto fabric_error = [](const std::string& fabric) {
    try {
      Catalog::parse(R"({"cpus": {}})", "cpus.json",
                     R"({"fabrics": {"f": {"description": "d", "device_gbytes_per_s": 10, "efficiency": 0.8, )" + fabric +
                         R"(}}, "instances": {}})",
                     "inst.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(fabric_error(R"("nccl_gpus": "kepler")"),
            "inst.json/fabrics/f/nccl_gpus: nccl_gpus must be \"pascal\", \"volta\", \"ampere\" or \"hopper\"");
  EXPECT_EQ(fabric_error(R"("nccl_gpus": "volta", "step_latency_us": 5)"),
            "inst.json/fabrics/f: a fabric NCCL runs on takes its step latencies from NCCL's protocols, not step_latency_us");
  EXPECT_NE(fabric_error(R"("links": "all-to-all")").find("step_latency_us"), std::string::npos);
  EXPECT_EQ(fabric_error(R"("links": "all-to-all", "step_latency_us": 10)"), "no error");
  EXPECT_EQ(fabric_error(R"("nccl_gpus": "hopper", "nvls_efficiency": 0.7)"), "no error");
  EXPECT_EQ(fabric_error(R"("nccl_gpus": "ampere", "nvls_efficiency": 0.7)"),
            "inst.json/fabrics/f/nvls_efficiency: NVLink SHARP runs on NVSwitch among Hopper GPUs (\"nccl_gpus\": \"hopper\")");
  EXPECT_THROW(Catalog::builtin().instance("c9.large"), std::invalid_argument);
  // An accelerator system names its host CPU's vendor (NCCL tunes to it); a CPU instance has its cpu.
  const auto vendor_error = [](const std::string& instance) {
    try {
      Catalog::parse(R"({"cpus": {}})", "cpus.json", R"({"instances": {"x": {"vcpus": 8, "memory_gib": 61, "prices": [], )" +
                                                         instance + "}}}",
                     "inst.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string v100 = R"("accelerators": {"device": "v100-sxm2-16gb", "count": 1})";
  EXPECT_EQ(vendor_error(v100 + R"(, "host_cpu_vendor": "amd")"), "no error");
  EXPECT_EQ(vendor_error(v100), "inst.json/instances/x: missing required key \"host_cpu_vendor\"");
  EXPECT_EQ(vendor_error(v100 + R"(, "host_cpu_vendor": "arm")"),
            "inst.json/instances/x/host_cpu_vendor: expected \"intel\", \"amd\" or \"unknown\", found \"arm\"");
  EXPECT_NE(vendor_error(R"("host_cpu_vendor": "intel")").find("instances/x/host_cpu_vendor: only an accelerator system"),
            std::string::npos);
  for (const std::string& name : Catalog::builtin().instance_names()) {
    const InstanceType& t = Catalog::builtin().instance(name);
    EXPECT_EQ(t.host_cpu_vendor.empty(), !t.accelerators) << name;
  }
  EXPECT_EQ(Catalog::builtin().instance("p5.48xlarge").host_cpu_vendor, "amd");
  EXPECT_EQ(Catalog::builtin().instance("p4d.24xlarge").host_cpu_vendor, "intel");
}

TEST(Catalog, MeshFabricsGiveTheirLinksBetweenEveryPair) {
  // `fabric` is a mesh's keys after its description; `count` the devices of the instance on it.
  const auto mesh_error = [](const std::string& fabric, int count = 2) {
    try {
      Catalog::parse(R"({"cpus": {}})", "cpus.json",
                     R"({"fabrics": {"f": {"description": "d", "efficiency": 0.8, "nccl_gpus": "volta", )" + fabric +
                         R"(}}, "instances": {"x": {"vcpus": 8, "memory_gib": 61, "prices": [], "host_cpu_vendor": "intel",
                         "accelerators": {"device": "v100-sxm2-16gb", "count": )" +
                         std::to_string(count) + R"(, "fabric": "f"}}}})",
                     "inst.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string rates = R"("link_gbytes_per_s": 25, "host_gbytes_per_s": 15.75)";
  EXPECT_EQ(mesh_error(R"("links": "mesh", "nvlinks": [[0, 2], [2, 0]], )" + rates), "no error");
  EXPECT_EQ(mesh_error(R"("links": "mesh", "nvlinks": [[0, 2], [2, 0]], )" + rates, 4),
            "inst.json/instances/x/accelerators/count: fabric \"f\" links 2 devices, not 4");
  EXPECT_EQ(mesh_error(R"("links": "mesh", "nvlinks": [[0, 2], [1, 0]], )" + rates),
            "inst.json/fabrics/f/nvlinks/0/1: links join two devices both ways: 2 here, 1 at /1/0");
  EXPECT_EQ(mesh_error(R"("links": "mesh", "nvlinks": [[1, 2], [2, 0]], )" + rates),
            "inst.json/fabrics/f/nvlinks/0/0: a device has no link to itself");
  EXPECT_EQ(mesh_error(R"("links": "mesh", "nvlinks": [[0, 2], [2]], )" + rates),
            "inst.json/fabrics/f/nvlinks/1: expected 2 link counts, one per device, found 1");
  EXPECT_EQ(mesh_error(R"("links": "mesh", "nvlinks": [[0]], )" + rates),
            "inst.json/fabrics/f/nvlinks: a mesh joins 2 to 8 devices, found 1");
  EXPECT_EQ(mesh_error(R"("links": "mesh", "nvlinks": [[0, 2], [2, 0]], "device_gbytes_per_s": 50, )" + rates),
            "inst.json/fabrics/f/device_gbytes_per_s: a mesh's device bandwidth is that of its links (nvlinks x "
            "link_gbytes_per_s)");
  EXPECT_EQ(mesh_error(R"("device_gbytes_per_s": 50, "nvlinks": [[0, 2], [2, 0]])"),
            "inst.json/fabrics/f/nvlinks: nvlinks describes a mesh (\"links\": \"mesh\")");
  // A DGX-1 V100's GPUs each have six NVLinks of 25 GB/s each way.
  EXPECT_DOUBLE_EQ(Catalog::builtin().fabric("nvlink-v100-hcm").device_bytes_per_s, 150e9);
  EXPECT_DOUBLE_EQ(Catalog::builtin().fabric("nvlink-p100-hcm").device_bytes_per_s, 80e9);
}

// Zen 4 issues 512-bit work as two 256-bit halves, Zen 5 at full width; AWS runs 7th-generation
// AMD instances one vCPU per core.
TEST(Catalog, AmdPartsFollowTheirDatapath) {
  const Catalog& c = Catalog::builtin();
  EXPECT_EQ(c.instance("c7a.large").cores, 2);
  EXPECT_EQ(c.instance("c7a.48xlarge").cores, 192);
  EXPECT_EQ(c.instance("c6i.large").cores, 1);
  const CpuSpec& zen4 = c.cpus().at("epyc-9r14");
  EXPECT_EQ(zen4.macs_per_cycle(DType::s8), 64);
  EXPECT_EQ(zen4.macs_per_cycle(DType::f32), 16);
  EXPECT_EQ(zen4.vector_ops_per_cycle, 2);
  const CpuSpec& zen5 = c.cpus().at("epyc-9r45");
  EXPECT_EQ(zen5.macs_per_cycle(DType::s8), 128);
  EXPECT_EQ(zen5.macs_per_cycle(DType::bf16), 64);
  EXPECT_EQ(zen5.vector_ops_per_cycle, 4);
  for (const char* name : {"c7a.large", "m7a.large", "c8a.large", "m8a.large"})
    EXPECT_EQ(c.instance(name).latest_price()->date, "2026-07-20") << name;
}

// The Zen 5 part's figures come from public sources; a Zen 5 host measured by the probe (the
// committed profile of a quiet Zen 5 machine) must agree with them per cycle.
TEST(Catalog, Zen5PartAgreesWithAZen5Probe) {
  const CpuSpec& part = Catalog::builtin().cpus().at("epyc-9r45");
  const auto doc = load_json_file(std::string(XPUSIM_SOURCE_DIR) + "/tests/golden/host_profile_zen5.json");
  const CpuSpec host = cpu_spec_from_profile(host_profile_from_json(JsonView(doc, "host_profile_zen5.json")));
  for (DType t : {DType::s8, DType::bf16, DType::f32})
    EXPECT_NEAR(host.macs_per_cycle(t) / part.macs_per_cycle(t), 1.0, 0.10) << dtype_name(t);
  EXPECT_NEAR(host.vector_ops_per_cycle / part.vector_ops_per_cycle, 1.0, 0.10);
  EXPECT_NEAR(host.l2_bytes_per_cycle / part.l2_bytes_per_cycle, 1.0, 0.35);
  EXPECT_NEAR(host.l3_bytes_per_cycle / part.l3_bytes_per_cycle, 1.0, 0.35);
}

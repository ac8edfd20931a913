#include <gtest/gtest.h>

#include "models/catalog/catalog.hpp"
#include "models/cpu/host_profile.hpp"
#include "sim/engine/input_error.hpp"

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
  EXPECT_DOUBLE_EQ(spec.macs_per_cycle(DType::s8), profile.int8_macs_per_cycle);
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
  EXPECT_THROW(Catalog::builtin().instance("c9.large"), std::invalid_argument);
}

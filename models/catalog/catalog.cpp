#include "models/catalog/catalog.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/catalog/embedded_catalog.hpp"
#include "models/cpu/host_profile.hpp"
#include "sim/engine/json_input.hpp"

namespace xpusim {

namespace {

void read_sources(const JsonView& v, CpuSpec& spec) {
  if (auto s = v.find("sources")) {
    s->expect_object();
    for (const auto& [key, unused] : s->raw().items()) spec.sources[key] = s->at(key).as_string();
  }
}

CpuSpec read_cpu(const std::string& name, const JsonView& v) {
  v.allow_only({"description", "cores_per_socket", "freq_ghz", "simd_datapath_bits", "fma_units",
                "vector_alu_ports", "isa", "amx_int8_macs_per_cycle", "amx_bf16_macs_per_cycle",
                "l1d_kib", "l2_kib", "l3_mib", "l2_bytes_per_cycle", "l3_bytes_per_cycle",
                "dram_gbps_socket", "dram_gbps_per_core", "kernel_overhead_us", "fork_join_us",
                "element_cycles", "sources"});
  CpuSpec s;
  s.name = name;
  s.description = v.at("description").as_string();
  s.cores_per_socket = static_cast<int>(v.at("cores_per_socket").as_positive_integer());
  auto f = v.at("freq_ghz");
  f.allow_only({"scalar", "avx2", "avx512"});
  s.freq_ghz_scalar = f.at("scalar").as_positive_number();
  s.freq_ghz_avx2 = f.at("avx2").as_positive_number();
  s.freq_ghz_avx512 = f.at("avx512").as_positive_number();
  auto bits = v.at("simd_datapath_bits");
  s.simd_datapath_bits = static_cast<int>(bits.as_positive_integer());
  if (s.simd_datapath_bits != 256 && s.simd_datapath_bits != 512) bits.fail("must be 256 or 512");
  s.fma_units = static_cast<int>(v.at("fma_units").as_positive_integer());
  s.vector_alu_ports = static_cast<int>(v.at("vector_alu_ports").as_positive_integer());
  auto isa = v.at("isa");
  isa.allow_only({"avx512", "vnni", "avx512_bf16", "amx"});
  s.avx512 = isa.at("avx512").as_bool();
  s.vnni = isa.at("vnni").as_bool();
  s.avx512_bf16 = isa.at("avx512_bf16").as_bool();
  s.amx = isa.at("amx").as_bool();
  if (s.amx) {
    s.amx_int8_macs_per_cycle = v.at("amx_int8_macs_per_cycle").as_positive_number();
    s.amx_bf16_macs_per_cycle = v.at("amx_bf16_macs_per_cycle").as_positive_number();
  }
  s.l1d_bytes = v.at("l1d_kib").as_positive_integer() * 1024;
  s.l2_bytes = v.at("l2_kib").as_positive_integer() * 1024;
  s.l3_bytes = static_cast<int64_t>(v.at("l3_mib").as_positive_number() * 1024 * 1024);
  s.dram_gbps_socket = v.at("dram_gbps_socket").as_positive_number();
  s.l2_bytes_per_cycle = v.at("l2_bytes_per_cycle").as_positive_number();
  s.l3_bytes_per_cycle = v.at("l3_bytes_per_cycle").as_positive_number();
  s.dram_gbps_per_core = v.at("dram_gbps_per_core").as_positive_number();
  s.kernel_overhead_us = v.at("kernel_overhead_us").as_non_negative_number();
  s.fork_join_us = v.at("fork_join_us").as_non_negative_number();
  read_sources(v, s);
  s.derive_rates();
  // Measured costs of non-matmul kernel classes, where a host of this microarchitecture was probed.
  if (auto measured = v.find("element_cycles")) {
    measured->expect_object();
    for (const auto& [key, unused] : measured->raw().items()) {
      const auto value = measured->at(key);
      std::size_t i = 0;
      while (i < kElementOpCount && element_op_name(static_cast<ElementOp>(i)) != key) ++i;
      if (i == kElementOpCount) value.fail("unknown kernel class \"" + key + "\"");
      s.element_cycles[i] = value.as_positive_number();
    }
  }
  return s;
}

}  // namespace

std::optional<Price> InstanceType::latest_price() const {
  if (prices.empty()) return std::nullopt;
  return prices.back();
}

Catalog Catalog::parse(const std::string& cpus_json, const std::string& cpus_name,
                       const std::string& instances_json, const std::string& instances_name) {
  Catalog c;
  const auto cpus_doc = parse_json_text(cpus_json, cpus_name);
  JsonView cpus(cpus_doc, cpus_name);
  cpus.allow_only({"schema", "cpus"});
  auto table = cpus.at("cpus");
  table.expect_object();
  for (const auto& [name, unused] : table.raw().items()) c.cpus_[name] = read_cpu(name, table.at(name));

  const auto inst_doc = parse_json_text(instances_json, instances_name);
  JsonView inst(inst_doc, instances_name);
  inst.allow_only({"schema", "instances"});
  auto itable = inst.at("instances");
  itable.expect_object();
  for (const auto& [name, unused] : itable.raw().items()) {
    auto v = itable.at(name);
    v.allow_only({"cpu", "vcpus", "threads_per_core", "memory_gib", "prices", "note"});
    InstanceType t;
    t.name = name;
    auto cpu = v.at("cpu");
    t.cpu = cpu.as_string();
    if (!c.cpus_.count(t.cpu)) cpu.fail("unknown cpu \"" + t.cpu + "\"");
    t.vcpus = static_cast<int>(v.at("vcpus").as_positive_integer());
    // Cloud vCPUs are hyperthreads, two per core, except where the instance says otherwise.
    int64_t threads_per_core = 2;
    if (auto tpc = v.find("threads_per_core")) {
      threads_per_core = tpc->as_positive_integer();
      if (threads_per_core > 8) tpc->fail("must be at most 8");
    }
    t.cores = std::max<int>(1, static_cast<int>(t.vcpus / threads_per_core));
    t.memory_gib = v.at("memory_gib").as_positive_number();
    for (const auto& p : v.at("prices").items()) {
      p.allow_only({"usd_per_hour", "date", "source"});
      t.prices.push_back({p.at("usd_per_hour").as_positive_number(), p.at("date").as_string(),
                          p.at("source").as_string()});
    }
    std::stable_sort(t.prices.begin(), t.prices.end(),
                     [](const Price& a, const Price& b) { return a.date < b.date; });
    c.instances_[name] = t;
  }
  if (c.instances_.count("host")) itable.at("host").fail("\"host\" is reserved for this machine");
  return c;
}

const Catalog& Catalog::builtin() {
  static const Catalog catalog = parse(embedded_cpus_json(), "models/catalog/cpus.json",
                                       embedded_instances_json(), "models/catalog/instances.json");
  return catalog;
}

std::vector<std::string> Catalog::instance_names() const {
  std::vector<std::string> names{"host"};
  for (const auto& [name, unused] : instances_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

std::string Catalog::instance_names_joined() const {
  std::string out;
  for (const auto& n : instance_names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool Catalog::has_instance(const std::string& name) const {
  return name == "host" || instances_.count(name) > 0;
}

const InstanceType& Catalog::instance(const std::string& name) const {
  if (name == "host") {
    if (!host_instance_) {
      const HostProfile& profile = host_profile();
      host_spec_ = cpu_spec_from_profile(profile);
      InstanceType t;
      t.name = "host";
      t.cpu = "host";
      t.vcpus = profile.cpu.logical_cpus;
      t.cores = profile.cpu.physical_cores;
      t.memory_gib = double(profile.memory_bytes) / (1024.0 * 1024 * 1024);
      host_instance_ = t;
    }
    return *host_instance_;
  }
  auto it = instances_.find(name);
  if (it == instances_.end())
    throw std::invalid_argument("unknown instance \"" + name + "\" (known: " + instance_names_joined() + ")");
  return it->second;
}

const CpuSpec& Catalog::cpu_of(const InstanceType& t) const {
  if (t.cpu == "host") {
    instance("host");
    return *host_spec_;
  }
  return cpus_.at(t.cpu);
}

CpuDevice Catalog::device(const std::string& instance_name) const {
  const InstanceType& t = instance(instance_name);
  const CpuSpec& spec = cpu_of(t);
  return CpuDevice::from_spec(spec, t.cores);
}

}  // namespace xpusim

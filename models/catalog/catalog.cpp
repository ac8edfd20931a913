#include "models/catalog/catalog.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/catalog/embedded_catalog.hpp"
#include "models/cpu/cpu_device.hpp"
#include "models/device_catalog.hpp"
#include "models/gpu/gpu_device.hpp"
#include "models/network/nvlink_rings.hpp"
#include "models/network/protocol.hpp"
#include "models/remote/remote_gpu_device.hpp"
#include "models/training/collective_protocols.hpp"
#include "models/cpu/host_profile.hpp"
#include "sim/engine/dates.hpp"
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
                "vector_alu_ports", "isa", "amx_int8_macs_per_cycle", "amx_bf16_macs_per_cycle", "amx_tile_cycles",
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
    const auto tiles = v.at("amx_tile_cycles");
    tiles.allow_only({"multiply", "store"});
    s.amx_tile_multiply_cycles = tiles.at("multiply").as_positive_number();
    s.amx_tile_store_cycles = tiles.at("store").as_non_negative_number();
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

std::map<std::string, std::string> sources_of(const JsonView& v) {
  std::map<std::string, std::string> out;
  if (auto s = v.find("sources")) {
    s->expect_object();
    for (const auto& [key, unused] : s->raw().items()) out[key] = s->at(key).as_string();
  }
  return out;
}

// A mesh's links: a symmetric matrix of link counts, none on the diagonal. A device's bandwidth is
// that of all its links (the busiest device's), so it is not given apart.
void read_mesh(const JsonView& v, Fabric& f) {
  if (auto given = v.find("device_gbytes_per_s"))
    given->fail("a mesh's device bandwidth is that of its links (nvlinks x link_gbytes_per_s)");
  f.link_bytes_per_s = v.at("link_gbytes_per_s").as_number_in(0.001, 1e6) * 1e9;
  f.host_bytes_per_s = v.at("host_gbytes_per_s").as_number_in(0.001, 1e6) * 1e9;
  const auto m = v.at("nvlinks");
  m.expect_array();
  const std::size_t n = m.size();
  if (n < 2 || n > static_cast<std::size_t>(kMaxMeshDevices))
    m.fail("a mesh joins 2 to " + std::to_string(kMaxMeshDevices) + " devices, found " + std::to_string(n));
  for (std::size_t a = 0; a < n; ++a) {
    const auto row = m.at(a);
    row.expect_array();
    if (row.size() != n) row.fail("expected " + std::to_string(n) + " link counts, one per device, found " + std::to_string(row.size()));
    f.mesh.emplace_back();
    for (std::size_t b = 0; b < n; ++b) f.mesh.back().push_back(static_cast<int>(row.at(b).as_integer_in(0, 64)));
  }
  int busiest = 0;
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = 0; b < n; ++b) {
      if (a == b && f.mesh[a][b] != 0) m.at(a).at(b).fail("a device has no link to itself");
      if (f.mesh[a][b] != f.mesh[b][a])
        m.at(a).at(b).fail("links join two devices both ways: " + std::to_string(f.mesh[a][b]) + " here, " +
                           std::to_string(f.mesh[b][a]) + " at /" + std::to_string(b) + "/" + std::to_string(a));
    }
    int sum = 0;
    for (int count : f.mesh[a]) sum += count;
    busiest = std::max(busiest, sum);
  }
  f.device_bytes_per_s = busiest * f.link_bytes_per_s;
}

void read_fabrics(const JsonView& table, std::map<std::string, Fabric>& out) {
  table.expect_object();
  for (const auto& [name, unused] : table.raw().items()) {
    const auto v = table.at(name);
    v.allow_only({"description", "links", "device_gbytes_per_s", "nvlinks", "link_gbytes_per_s", "host_gbytes_per_s",
                  "efficiency", "nccl_gpus", "nvls_efficiency", "step_latency_us", "sources"});
    Fabric f;
    f.name = name;
    f.description = v.at("description").as_string();
    std::string kind = "switch";
    if (auto links = v.find("links")) {
      kind = links->as_string();
      if (kind != "switch" && kind != "all-to-all" && kind != "pcie" && kind != "mesh")
        links->fail("links must be \"switch\", \"all-to-all\", \"pcie\" or \"mesh\"");
      f.all_to_all = kind == "all-to-all";
      f.over_pcie = kind == "pcie";
    }
    if (kind == "mesh") {
      read_mesh(v, f);
    } else {
      for (const char* key : {"nvlinks", "link_gbytes_per_s", "host_gbytes_per_s"})
        if (auto extra = v.find(key)) extra->fail(std::string(key) + " describes a mesh (\"links\": \"mesh\")");
      f.device_bytes_per_s = v.at("device_gbytes_per_s").as_number_in(0.001, 1e6) * 1e9;
    }
    f.efficiency = v.at("efficiency").as_number_in(0.01, 1);
    if (auto gpus = v.find("nccl_gpus")) {
      f.nccl_gpus = gpus->as_string();
      const auto& known = nccl_gpu_generations();
      if (std::find(known.begin(), known.end(), f.nccl_gpus) == known.end())
        gpus->fail("nccl_gpus must be \"pascal\", \"volta\", \"ampere\" or \"hopper\"");
      if (v.find("step_latency_us")) v.fail("a fabric NCCL runs on takes its step latencies from NCCL's protocols, not step_latency_us");
    } else {
      f.step_latency_s = v.at("step_latency_us").as_number_in(0, 1e6) * 1e-6;
    }
    if (auto nvls = v.find("nvls_efficiency")) {
      // NVLink SHARP needs NVSwitch's third generation, which came with Hopper.
      if (f.nccl_gpus != "hopper" || f.all_to_all || f.over_pcie || !f.mesh.empty())
        nvls->fail("NVLink SHARP runs on NVSwitch among Hopper GPUs (\"nccl_gpus\": \"hopper\")");
      f.nvls_efficiency = nvls->as_number_in(0.01, 1);
    }
    f.sources = sources_of(v);
    out[name] = f;
  }
}

void read_networks(const JsonView& table, std::map<std::string, NetworkKind>& out) {
  table.expect_object();
  for (const auto& [name, unused] : table.raw().items()) {
    const auto v = table.at(name);
    v.allow_only({"description", "efficiency", "latency_us", "sources"});
    out[name] = {name, v.at("description").as_string(), v.at("efficiency").as_number_in(0.01, 1),
                 v.at("latency_us").as_number_in(0, 1e6) * 1e-6, sources_of(v)};
  }
}

AcceleratorSet read_accelerators(const JsonView& v, const std::map<std::string, Fabric>& fabrics) {
  v.allow_only({"device", "count", "fabric"});
  AcceleratorSet a;
  const auto device = v.at("device");
  a.device = device.as_string();
  if (!DeviceCatalog::builtin().find(a.device)) device.fail("unknown device \"" + a.device + "\"");
  a.count = static_cast<int>(v.at("count").as_integer_in(1, 4096));
  if (auto f = v.find("fabric")) {
    a.fabric = f->as_string();
    const auto known = fabrics.find(a.fabric);
    if (known == fabrics.end()) f->fail("unknown fabric \"" + a.fabric + "\"");
    const std::size_t joined = known->second.mesh.size();
    if (joined > 0 && static_cast<std::size_t>(a.count) != joined)
      v.at("count").fail("fabric \"" + a.fabric + "\" links " + std::to_string(joined) + " devices, not " +
                         std::to_string(a.count));
  } else if (a.count > 1) {
    v.fail("several accelerators need a \"fabric\"");
  }
  return a;
}


}  // namespace

std::optional<Price> InstanceType::latest_price() const {
  if (prices.empty()) return std::nullopt;
  return prices.back();
}

std::optional<Price> InstanceType::price_on(const std::string& date) const {
  std::optional<Price> out;
  for (const auto& p : prices)
    if (p.date <= date) out = p;
  return out;
}

Catalog Catalog::parse(const std::string& cpus_json, const std::string& cpus_name,
                       const std::string& instances_json, const std::string& instances_name) {
  Catalog c;
  c.devices_ = &DeviceCatalog::builtin();
  const auto cpus_doc = parse_json_text(cpus_json, cpus_name);
  JsonView cpus(cpus_doc, cpus_name);
  cpus.allow_only({"schema", "cpus"});
  auto table = cpus.at("cpus");
  table.expect_object();
  for (const auto& [name, unused] : table.raw().items()) c.cpus_[name] = read_cpu(name, table.at(name));

  const auto inst_doc = parse_json_text(instances_json, instances_name);
  JsonView inst(inst_doc, instances_name);
  inst.allow_only({"schema", "fabrics", "networks", "instances"});
  if (auto f = inst.find("fabrics")) read_fabrics(*f, c.fabrics_);
  if (auto n = inst.find("networks")) read_networks(*n, c.networks_);
  auto itable = inst.at("instances");
  itable.expect_object();
  for (const auto& [name, unused] : itable.raw().items()) {
    auto v = itable.at(name);
    v.allow_only({"cpu", "vcpus", "threads_per_core", "memory_gib", "accelerators", "host_cpu_vendor", "network", "prices",
                  "note"});
    InstanceType t;
    t.name = name;
    if (auto a = v.find("accelerators")) t.accelerators = read_accelerators(*a, c.fabrics_);
    if (t.accelerators) {
      const auto vendor = v.at("host_cpu_vendor");
      t.host_cpu_vendor = vendor.as_string();
      if (t.host_cpu_vendor != "intel" && t.host_cpu_vendor != "amd" && t.host_cpu_vendor != "unknown")
        vendor.fail("expected \"intel\", \"amd\" or \"unknown\", found \"" + t.host_cpu_vendor + "\"");
    } else if (auto vendor = v.find("host_cpu_vendor")) {
      vendor->fail("only an accelerator system names its host's vendor (a CPU instance has its \"cpu\")");
    }
    // An accelerator system may leave its host CPU out (its CPU cannot then run models).
    if (auto cpu = t.accelerators ? v.find("cpu") : std::optional<JsonView>(v.at("cpu"))) {
      t.cpu = cpu->as_string();
      if (!c.cpus_.count(t.cpu)) cpu->fail("unknown cpu \"" + t.cpu + "\"");
    }
    if (auto n = v.find("network")) {
      n->allow_only({"kind", "gbps"});
      const auto kind = n->at("kind");
      t.network = kind.as_string();
      if (!c.networks_.count(t.network)) kind.fail("unknown network kind \"" + t.network + "\"");
      t.network_gbps = n->at("gbps").as_number_in(0.001, 1e6);
    }
    if (auto note = v.find("note")) t.note = note->as_string();
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
      const auto date = p.at("date");
      if (!is_iso_date(date.as_string())) date.fail("expected a date YYYY-MM-DD, found \"" + date.as_string() + "\"");
      t.prices.push_back({p.at("usd_per_hour").as_positive_number(), date.as_string(), p.at("source").as_string()});
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
  if (t.cpu.empty()) throw std::invalid_argument("instance \"" + t.name + "\" has no CPU in the catalog");
  if (t.cpu == "host") {
    instance("host");
    return *host_spec_;
  }
  return cpus_.at(t.cpu);
}

bool Catalog::has_target(const std::string& name) const {
  if (const auto remote = parse_remote_target(name)) {
    const auto protocols = protocol_names();
    return has_target(remote->base) && make_device(remote->base)->device_class() == "gpu" &&
           std::find(protocols.begin(), protocols.end(), remote->link.protocol) != protocols.end();
  }
  return has_instance(name) || devices_->find(name) != nullptr;
}

std::string Catalog::target_names_joined() const {
  return instance_names_joined() + "; devices: " + devices_->names_joined() +
         "; a GPU over the network: <GPU instance or device>@<protocol>:<Gbit/s>, e.g. p3.2xlarge@tcp:10";
}

Catalog Catalog::with_devices(const DeviceCatalog& devices) const {
  Catalog c = *this;
  c.devices_ = &devices;
  return c;
}

std::unique_ptr<Device> Catalog::make_device(const std::string& target, int threads) const {
  if (const auto remote = parse_remote_target(target)) {
    std::unique_ptr<Device> base = make_device(remote->base);
    auto* gpu = dynamic_cast<GpuDevice*>(base.get());
    if (!gpu) throw std::invalid_argument("\"" + remote->base + "\" is not a GPU to reach remotely");
    base.release();
    return std::make_unique<RemoteGpuDevice>(std::unique_ptr<GpuDevice>(gpu), remote->link);
  }
  if (!has_instance(target)) return devices_->get(target).make_device();
  const InstanceType& t = instance(target);
  if (t.accelerators) return devices_->get(t.accelerators->device).make_device();
  const int64_t memory = static_cast<int64_t>(t.memory_gib * 1024 * 1024 * 1024);
  return std::make_unique<CpuDeviceModel>(target, device(target), memory, threads);
}

int Catalog::devices_per_target(const std::string& target) const {
  if (!has_instance(target)) return 1;
  const InstanceType& t = instance(target);
  return t.accelerators ? t.accelerators->count : 1;
}

const Fabric& Catalog::fabric(const std::string& name) const { return fabrics_.at(name); }

const NetworkKind& Catalog::network(const std::string& name) const { return networks_.at(name); }

CpuDevice Catalog::device(const std::string& instance_name) const {
  const InstanceType& t = instance(instance_name);
  const CpuSpec& spec = cpu_of(t);
  return CpuDevice::from_spec(spec, t.cores);
}

}  // namespace xpusim

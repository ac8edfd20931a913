#pragma once
// Devices and cloud instances with prices. Each price carries its source and date: claims of
// price-performance are comparable only at the date they were made.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/cpu/cpu_cost.hpp"
#include "models/cpu/cpu_spec.hpp"
#include "models/device.hpp"
#include "models/device_catalog.hpp"

namespace xpusim {

struct Price {
  double usd_per_hour = 0;
  std::string date;    // YYYY-MM-DD
  std::string source;
};

// The devices-to-devices fabric inside a server (NVLink, NVSwitch, Gaudi's all-to-all RoCE): what
// one device can send at once, and what collectives achieve of it.
struct Fabric {
  std::string name, description;
  // How devices are joined: through a switch (NVSwitch; any number of devices gets all its links),
  // or by one link between every pair, each 1/(n-1) of the device's bandwidth over the server's n
  // (Gaudi's RoCE ports), which collectives use all at once.
  bool all_to_all = false;
  // Devices joined through the host's PCIe switch, over the same links as the host's copies to
  // them (so a pool's copies and all-reduces share them).
  bool over_pcie = false;
  // Or by point-to-point links between some pairs (links: "mesh", the NVLink hybrid cube mesh of
  // DGX-1): mesh[a][b] links of link_bytes_per_s each way between devices a and b. Collectives run
  // rings over them (nvlink_rings.hpp), so a subset of the devices gets only the rings its links
  // make; where they make none (a device linked to only one other of them), NCCL's ring crosses
  // the host's PCIe at host_bytes_per_s.
  std::vector<std::vector<int>> mesh;
  double link_bytes_per_s = 0, host_bytes_per_s = 0;
  double device_bytes_per_s = 0;  // each device, one direction, all its links
  double efficiency = 1;          // achieved bus bandwidth of large all-reduces / device_bytes_per_s
  // The GPU generation NCCL runs on ("volta", "ampere", ...): collectives then take NCCL's
  // protocols (collective_protocols.hpp). Empty for a fabric with a library of its own (HCCL on
  // Gaudi), whose collectives take step_latency_s per algorithm step.
  std::string nccl_gpus;
  double step_latency_s = 0;
  // > 0 where the switch reduces and multicasts (NVLink SHARP, NCCL's NVLS): the fraction of the
  // line rate NVLS's traffic reaches on each device's links.
  double nvls_efficiency = 0;
  std::map<std::string, std::string> sources;
};

// How servers reach each other: a protocol's achieved fraction of line rate and its latency.
struct NetworkKind {
  std::string name, description;
  double efficiency = 1;
  double latency_s = 0;
  std::map<std::string, std::string> sources;
};

struct AcceleratorSet {
  std::string device;  // key into the accelerator catalog
  int count = 0;
  std::string fabric;  // key into the fabrics; empty for one device
};

struct InstanceType {
  std::string name;
  std::string cpu;  // key into the CPU table, "host", or empty (accelerator systems only)
  int vcpus = 0;
  int cores = 0;  // physical cores: vcpus / threads_per_core (2 unless the catalog says otherwise)
  double memory_gib = 0;
  std::optional<AcceleratorSet> accelerators;
  // Accelerator systems: the vendor of the host CPU ("intel", "amd", or "unknown" where no source
  // says), which NCCL tunes its collectives to (collective_protocols.hpp). Empty on CPU instances.
  std::string host_cpu_vendor;
  std::string network;         // key into the network kinds
  double network_gbps = 0;     // out of the server
  std::vector<Price> prices;   // ascending by date
  std::string note;

  std::optional<Price> latest_price() const;
  // The price in effect on `date` (YYYY-MM-DD): the latest one dated on or before it.
  std::optional<Price> price_on(const std::string& date) const;
};

class Catalog {
 public:
  // The catalog compiled into the program. Throws InputError naming the JSON pointer if the
  // embedded files are malformed (a build-time defect that tests catch).
  static const Catalog& builtin();
  // Parses catalog text; `cpus_name`/`instances_name` name the sources in errors.
  static Catalog parse(const std::string& cpus_json, const std::string& cpus_name,
                       const std::string& instances_json, const std::string& instances_name);

  std::vector<std::string> instance_names() const;  // sorted, "host" included
  std::string instance_names_joined() const;
  bool has_instance(const std::string& name) const;
  // Instances and accelerator devices ("gaudi1", "a100-40gb-mig-3g.20gb"): what --instance takes.
  // Targets: instances, devices, and GPUs reached over the network ("p3.2xlarge@tcp:10").
  bool has_target(const std::string& name) const;
  std::string target_names_joined() const;
  // The device a target runs one replica on: an instance's CPU (`threads`, 0 = all cores) or
  // accelerator, or an accelerator device by name. std::invalid_argument for unknown names.
  std::unique_ptr<Device> make_device(const std::string& target, int threads = 0) const;
  // How many such devices the target has (1 for a CPU instance or a bare device).
  int devices_per_target(const std::string& target) const;
  const Fabric& fabric(const std::string& name) const;
  const NetworkKind& network(const std::string& name) const;
  // The accelerator parts devices are made from (the built-in ones unless replaced, as
  // `xpusim validate --fit` does with trial parameters).
  const DeviceCatalog& devices() const { return *devices_; }
  Catalog with_devices(const DeviceCatalog& devices) const;
  // "host" is this machine, from its measured profile (models/cpu/host_profile.hpp) on first use.
  const InstanceType& instance(const std::string& name) const;
  const CpuSpec& cpu_of(const InstanceType& instance) const;
  CpuDevice device(const std::string& instance_name) const;
  const std::map<std::string, CpuSpec>& cpus() const { return cpus_; }

 private:
  std::map<std::string, CpuSpec> cpus_;
  std::map<std::string, InstanceType> instances_;
  std::map<std::string, Fabric> fabrics_;
  std::map<std::string, NetworkKind> networks_;
  const DeviceCatalog* devices_ = nullptr;
  mutable std::optional<CpuSpec> host_spec_;
  mutable std::optional<InstanceType> host_instance_;
};

}  // namespace xpusim

#pragma once
// Devices and cloud instances with prices. Each price carries its source and date: claims of
// price-performance are comparable only at the date they were made.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/cpu/cpu_cost.hpp"
#include "models/cpu/cpu_spec.hpp"

namespace xpusim {

struct Price {
  double usd_per_hour = 0;
  std::string date;    // YYYY-MM-DD
  std::string source;
};

struct InstanceType {
  std::string name;
  std::string cpu;  // key into the CPU table, or "host"
  int vcpus = 0;
  int cores = 0;  // physical cores: vcpus / threads_per_core (2 unless the catalog says otherwise)
  double memory_gib = 0;
  std::vector<Price> prices;  // ascending by date

  std::optional<Price> latest_price() const;
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
  // "host" is this machine, from its measured profile (models/cpu/host_profile.hpp) on first use.
  const InstanceType& instance(const std::string& name) const;
  const CpuSpec& cpu_of(const InstanceType& instance) const;
  CpuDevice device(const std::string& instance_name) const;
  const std::map<std::string, CpuSpec>& cpus() const { return cpus_; }

 private:
  std::map<std::string, CpuSpec> cpus_;
  std::map<std::string, InstanceType> instances_;
  mutable std::optional<CpuSpec> host_spec_;
  mutable std::optional<InstanceType> host_instance_;
};

}  // namespace xpusim

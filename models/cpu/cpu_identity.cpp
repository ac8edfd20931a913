#include "models/cpu/cpu_identity.hpp"

#include <cpuid.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace xpusim {

namespace {

struct Range {
  int first, last;
  const char* name;
};

// Intel family 6 models (Intel SDM vol. 4 table 2-1 and the Linux kernel's intel-family.h).
constexpr Range kIntelFamily6[] = {
    {0x3F, 0x3F, "Haswell-EP"},     {0x4F, 0x4F, "Broadwell-EP"},   {0x56, 0x56, "Broadwell-DE"},
    {0x4E, 0x4E, "Skylake"},        {0x5E, 0x5E, "Skylake"},        {0x8E, 0x8E, "Kaby Lake"},
    {0x9E, 0x9E, "Coffee Lake"},    {0xA5, 0xA6, "Comet Lake"},     {0xA7, 0xA7, "Rocket Lake"},
    {0x6A, 0x6A, "Ice Lake-SP"},    {0x6C, 0x6C, "Ice Lake-D"},     {0x7D, 0x7E, "Ice Lake"},
    {0x8C, 0x8D, "Tiger Lake"},     {0x8F, 0x8F, "Sapphire Rapids"}, {0xCF, 0xCF, "Emerald Rapids"},
    {0xAD, 0xAE, "Granite Rapids"}, {0xAF, 0xAF, "Sierra Forest"},  {0x97, 0x9A, "Alder Lake"},
    {0xB7, 0xB7, "Raptor Lake"},    {0xBA, 0xBA, "Raptor Lake"},    {0xBF, 0xBF, "Raptor Lake"},
    {0xAA, 0xAC, "Meteor Lake"},    {0xBD, 0xBD, "Lunar Lake"},     {0xC5, 0xC6, "Arrow Lake"}};

// AMD families 17h-1Ah by model range (AMD processor programming references; kernel amd.c).
struct AmdRange {
  int family, first, last;
  const char* name;
};
constexpr AmdRange kAmd[] = {
    {0x17, 0x00, 0x2F, "Zen / Zen+"}, {0x17, 0x30, 0xFF, "Zen 2"},
    {0x19, 0x00, 0x0F, "Zen 3"},      {0x19, 0x10, 0x1F, "Zen 4"}, {0x19, 0x20, 0x5F, "Zen 3"},
    {0x19, 0x60, 0x7F, "Zen 4"},      {0x19, 0xA0, 0xAF, "Zen 4c"},
    {0x1A, 0x00, 0xFF, "Zen 5"}};

std::set<std::string> cpuinfo_flags(std::string* model_name, int* physical_cores) {
  std::ifstream in("/proc/cpuinfo");
  std::set<std::string> flags;
  std::set<std::pair<std::string, std::string>> cores;
  std::string line, physical_id = "0";
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) continue;
    const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "model name" && model_name->empty()) *model_name = value;
    else if (key == "physical id") physical_id = value;
    else if (key == "core id") cores.insert({physical_id, value});
    else if (key == "flags" && flags.empty()) {
      std::istringstream words(value);
      for (std::string w; words >> w;) flags.insert(w);
    }
  }
  *physical_cores = static_cast<int>(cores.size());
  return flags;
}

}  // namespace

std::string microarchitecture_name(const std::string& vendor, int family, int model, int stepping) {
  if (vendor == "GenuineIntel" && family == 6) {
    if (model == 0x55) return stepping >= 10 ? "Cooper Lake" : stepping >= 5 ? "Cascade Lake" : "Skylake-SP";
    for (const auto& r : kIntelFamily6)
      if (model >= r.first && model <= r.last) return r.name;
  }
  if (vendor == "AuthenticAMD" || vendor == "HygonGenuine")
    for (const auto& r : kAmd)
      if (family == r.family && model >= r.first && model <= r.last) return r.name;
  return fmt::format("unknown ({} family {:#x} model {:#x})", vendor, family, model);
}

CpuIdentity read_cpu_identity() {
  CpuIdentity id;
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(0, &a, &b, &c, &d)) {
    char v[13] = {};
    std::memcpy(v, &b, 4);
    std::memcpy(v + 4, &d, 4);
    std::memcpy(v + 8, &c, 4);
    id.vendor = v;
  }
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    const int base_family = (a >> 8) & 0xF, base_model = (a >> 4) & 0xF;
    id.stepping = a & 0xF;
    id.family = base_family == 0xF ? base_family + int((a >> 20) & 0xFF) : base_family;
    id.model = (base_family == 0x6 || base_family == 0xF) ? base_model + int(((a >> 16) & 0xF) << 4)
                                                            : base_model;
  }
  int cores = 0;
  // The kernel's flags say what user code may execute (it masks what XSAVE does not enable).
  const auto flags = cpuinfo_flags(&id.model_name, &cores);
  auto has = [&](const char* f) { return flags.count(f) > 0; };
  id.isa.avx2 = has("avx2");
  id.isa.fma = has("fma");
  id.isa.avx512 = has("avx512f") && has("avx512bw") && has("avx512vl");
  id.isa.avx512_vnni = id.isa.avx512 && has("avx512_vnni");
  id.isa.avx_vnni = has("avx_vnni");
  id.isa.avx512_bf16 = id.isa.avx512 && has("avx512_bf16");
  id.isa.amx = has("amx_int8") && has("amx_bf16") && has("amx_tile");
  id.logical_cpus = std::max(1, static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)));
  // Without topology lines (some containers), every logical CPU counts as a core.
  id.physical_cores = cores > 0 ? cores : id.logical_cpus;
  if (id.model_name.empty()) id.model_name = id.vendor;
  id.microarchitecture = microarchitecture_name(id.vendor, id.family, id.model, id.stepping);
  // A hypervisor may show another part's model number (a KVM guest of a Granite Rapids host reads
  // as Rocket Lake's 0xA7); AMX tiles exist only from Sapphire Rapids on.
  if (id.isa.amx && id.microarchitecture.find("Rapids") == std::string::npos)
    id.microarchitecture = "Sapphire Rapids or later (cpuid model reads as " + id.microarchitecture + ")";
  return id;
}

}  // namespace xpusim

#pragma once
// What CPU this is: vendor, family, model and stepping from cpuid, the marketing name and the ISA
// extensions the kernel lets programs use (from /proc/cpuinfo), and the microarchitecture those
// identify. The name is reported, never used to pick figures: the host model measures its rates.
#include <string>

namespace xpusim {

struct IsaFlags {
  bool avx2 = false, fma = false;
  bool avx512 = false;        // AVX-512 F + BW (what oneDNN's avx512_core needs)
  bool avx512_vnni = false;   // VPDPBUSD on zmm
  bool avx_vnni = false;      // VPDPBUSD on ymm (VEX), on cores without AVX-512
  bool avx512_bf16 = false;   // VDPBF16PS
  bool amx = false;           // AMX-INT8 and AMX-BF16 tiles
  bool operator==(const IsaFlags&) const = default;
};

struct CpuIdentity {
  std::string vendor;      // "GenuineIntel", "AuthenticAMD", ...
  int family = 0, model = 0, stepping = 0;  // display family/model (extended fields folded in)
  std::string model_name;  // /proc/cpuinfo "model name"
  std::string microarchitecture;  // "Zen 4", "Ice Lake-SP", ... or "unknown (family F model M)"
  int logical_cpus = 1;
  int physical_cores = 1;
  IsaFlags isa;
};

CpuIdentity read_cpu_identity();

// The microarchitecture a vendor/family/model triple identifies (public cpuid tables).
std::string microarchitecture_name(const std::string& vendor, int family, int model, int stepping);

}  // namespace xpusim

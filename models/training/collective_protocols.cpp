#include "models/training/collective_protocols.hpp"

#include <algorithm>
#include <stdexcept>

namespace xpusim {

namespace {

constexpr double kUs = 1e-6;

// llMaxBws (GB/s of bus bandwidth). In one server by GPU generation (Pascal falls in NCCL's Volta
// row: compute capability below 8.0); across servers by host CPU vendor, for two servers or more.
double ll_cap_gbytes_per_s(const std::string& generation, const NcclScope& scope) {
  if (scope.nodes > 1) {
    const bool amd = scope.host_cpu_vendor == "amd";
    if (scope.nodes == 2) return amd ? 22.5 : 39.0;
    return amd ? 19.0 : 20.4;
  }
  if (generation == "hopper") return 141.0;
  if (generation == "ampere") return 87.7;
  return 39.0;
}

// getNetOverhead: what the host's network proxy adds to every step of a ring across servers.
double net_overhead_s(const NcclScope& scope) {
  if (scope.nodes <= 1) return 0;
  return (scope.host_cpu_vendor == "amd" ? 2.0 : 1.0) * kUs;
}

}  // namespace

const std::vector<std::string>& nccl_gpu_generations() {
  static const std::vector<std::string> all{"pascal", "volta", "ampere", "hopper"};
  return all;
}

std::vector<CollectiveProtocol> nccl_protocols(const std::string& generation, bool over_pcie, const NcclScope& scope) {
  const auto& known = nccl_gpu_generations();
  if (std::find(known.begin(), known.end(), generation) == known.end())
    throw std::invalid_argument("unknown GPU generation \"" + generation + "\" for NCCL");
  if (scope.host_cpu_vendor != "intel" && scope.host_cpu_vendor != "amd" && scope.host_cpu_vendor != "unknown")
    throw std::invalid_argument("unknown host CPU vendor \"" + scope.host_cpu_vendor + "\" for NCCL");
  // Ring and tree rows of hwLatencies: NVLink or PCI inside a server, NET between servers. A
  // tree's bandwidth is 0.92 of a ring's, and LL's on a tree 1/3.8 (LL128's 120/128) of that.
  auto step = [&](double nvlink, double pci) { return (over_pcie ? pci : nvlink) * kUs; };
  const double none = std::numeric_limits<double>::infinity();
  std::vector<CollectiveProtocol> out;
  out.push_back({"LL", 0.5, ll_cap_gbytes_per_s(generation, scope) * 1e9, 6.6 * kUs, step(0.6, 1.0), 2.7 * kUs,
                 0.92 / 3.8, 6.8 * kUs, step(0.6, 1.0), 5.0 * kUs});
  // LL128 needs NVLink between the GPUs and compute capability 7.0 or newer.
  if (!over_pcie && generation != "pascal")
    out.push_back({"LL128", 0.92, none, 14.0 * kUs, step(1.9, 2.5), 4.0 * kUs,
                   0.92 * 120 / 128, 14.0 * kUs, step(1.25, 1.9), 8.5 * kUs});
  out.push_back({"Simple", 1.0, none, 8.4 * kUs, step(3.4, 5.7), 14.0 * kUs,
                 0.92, 8.4 * kUs, step(4.0, 4.0), 14.0 * kUs});
  for (CollectiveProtocol& p : out) {
    // A ring's step waits on the host's proxy (Simple's three times as long); a tree's does not.
    p.fabric_step_s = std::max(p.fabric_step_s, net_overhead_s(scope) * (p.name == "Simple" ? 3 : 1));
    // One GPU per server: every ring step between servers is exposed, as a tree's is.
    if (scope.nodes > 1 && scope.gpus_per_node == 1) p.network_step_s = p.tree_network_step_s;
  }
  return out;
}

CollectiveProtocol nccl_protocol(const std::string& generation, bool over_pcie, const std::string& name,
                                 const NcclScope& scope) {
  for (auto& p : nccl_protocols(generation, over_pcie, scope))
    if (p.name == name) return p;
  throw std::invalid_argument("NCCL does not run " + name + " on " + generation + (over_pcie ? " over PCIe" : " over NVLink"));
}

}  // namespace xpusim

#include "models/training/collective_protocols.hpp"

#include <algorithm>
#include <stdexcept>

namespace xpusim {

namespace {

constexpr double kUs = 1e-6;

// llMaxBws for one server (GB/s of bus bandwidth): Pascal falls in NCCL's Volta row (compute
// capability below 8.0).
double ll_cap_gbytes_per_s(const std::string& generation) {
  if (generation == "hopper") return 141.0;
  if (generation == "ampere") return 87.7;
  return 39.0;
}

}  // namespace

const std::vector<std::string>& nccl_gpu_generations() {
  static const std::vector<std::string> all{"pascal", "volta", "ampere", "hopper"};
  return all;
}

std::vector<CollectiveProtocol> nccl_protocols(const std::string& generation, bool over_pcie) {
  const auto& known = nccl_gpu_generations();
  if (std::find(known.begin(), known.end(), generation) == known.end())
    throw std::invalid_argument("unknown GPU generation \"" + generation + "\" for NCCL");
  // Ring rows of hwLatencies: NVLink or PCI inside a server, NET between servers.
  auto step = [&](double nvlink, double pci) { return (over_pcie ? pci : nvlink) * kUs; };
  std::vector<CollectiveProtocol> out;
  out.push_back({"LL", 0.5, ll_cap_gbytes_per_s(generation) * 1e9, 6.6 * kUs, step(0.6, 1.0), 2.7 * kUs});
  // LL128 needs NVLink between the GPUs and compute capability 7.0 or newer.
  if (!over_pcie && generation != "pascal")
    out.push_back({"LL128", 0.92, std::numeric_limits<double>::infinity(), 14.0 * kUs, step(1.9, 2.5), 4.0 * kUs});
  out.push_back({"Simple", 1.0, std::numeric_limits<double>::infinity(), 8.4 * kUs, step(3.4, 5.7), 14.0 * kUs});
  return out;
}

CollectiveProtocol nccl_protocol(const std::string& generation, bool over_pcie, const std::string& name) {
  for (auto& p : nccl_protocols(generation, over_pcie))
    if (p.name == name) return p;
  throw std::invalid_argument("NCCL does not run " + name + " on " + generation + (over_pcie ? " over PCIe" : " over NVLink"));
}

}  // namespace xpusim

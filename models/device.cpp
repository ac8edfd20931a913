#include "models/device.hpp"

#include <algorithm>

namespace xpusim {

std::string_view DeviceKernelCost::bound() const {
  if (overhead_s >= compute_s && overhead_s >= memory_s) return "overhead";
  return compute_s >= memory_s ? compute_unit : memory_level;
}

std::size_t Device::KeyHash::operator()(const Kernel::Key& k) const {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int64_t v : k) h = (h ^ static_cast<uint64_t>(v)) * 0x100000001b3ULL;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

const DeviceKernelCost& Device::cost(const Kernel& kernel) {
  const Kernel::Key key = kernel.key();
  auto it = memo_.find(key);
  if (it != memo_.end()) return it->second;
  return memo_.emplace(key, evaluate(kernel)).first->second;
}

Graph Device::lower(const Graph& graph, const SoftwareSetup&) const { return graph; }

std::vector<double> Device::graph_timeline(const Graph& graph) {
  std::vector<double> ends;
  ends.reserve(graph.kernels.size());
  double t = 0;
  for (const auto& k : graph.kernels) ends.push_back(t += cost(k).total_s);
  return ends;
}

double Device::graph_seconds(const Graph& graph) {
  const auto ends = graph_timeline(graph);
  return ends.empty() ? 0.0 : *std::max_element(ends.begin(), ends.end());
}

}  // namespace xpusim

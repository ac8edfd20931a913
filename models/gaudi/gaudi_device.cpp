#include "models/gaudi/gaudi_device.hpp"

#include "models/gaudi/gaudi_cost.hpp"

namespace xpusim {

double GaudiDevice::peak_macs_per_s(DType t) const {
  const MmeShape* mme = spec_.mme_shape(t);
  return mme ? mme->macs_per_cycle() * spec_.mme_clock_ghz * 1e9 : 0.0;
}

DeviceKernelCost GaudiDevice::evaluate(const Kernel& kernel) const { return gaudi_kernel_cost(spec_, kernel); }

std::vector<double> GaudiDevice::graph_timeline(const Graph& graph) {
  return schedule_timeline(spec_, compile_graph(spec_, graph), graph.kernels.size());
}

}  // namespace xpusim

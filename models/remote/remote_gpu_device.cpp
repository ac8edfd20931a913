#include "models/remote/remote_gpu_device.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "models/network/protocol.hpp"
#include "models/remote/pool_topology.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

RemoteGpuDevice::RemoteGpuDevice(std::unique_ptr<GpuDevice> gpu, RemoteLink link)
    : gpu_(std::move(gpu)), link_(std::move(link)), name_(fmt::format("{}@{}:{:g}", gpu_->name(), link_.protocol, link_.nic_gbps)) {
  protocol_profile(link_.protocol);  // an unknown protocol fails here, naming the known ones
}

std::string RemoteGpuDevice::description() const {
  return fmt::format("{}, remote over {} at {:g} Gbit/s (API remoting)", gpu_->description(), link_.protocol, link_.nic_gbps);
}

std::vector<double> RemoteGpuDevice::graph_timeline(const Graph& graph) {
  if (graph.kernels.empty()) return {};
  PoolTopologySpec spec;
  spec.servers.push_back({"server", 1, link_.nic_gbps * 1e9 / 8});
  spec.clients.push_back({"client", link_.nic_gbps * 1e9 / 8});
  spec.pcie_bytes_per_s = link_.pcie_gbytes_per_s * 1e9;
  spec.link_latency_s = link_.link_latency_us * 1e-6;
  const PoolTopology pool = build_pool_topology(spec);
  TenantJob job;
  job.name = graph.model;
  job.client_host = pool.client_hosts[0];
  job.gpu_host = pool.gpu_hosts[0][0];
  for (const Kernel& k : graph.kernels) job.kernel_s.push_back(cost(k).total_s);
  job.dispatch_s = gpu_->spec().fitted.op_overhead_us * 1e-6;
  if (ModelRegistry::instance().find(graph.model)) {
    const StepTransfers io = step_transfers(graph.model, graph.batch, graph.seq_len, graph.mode);
    job.to_device_bytes = io.to_device;
    job.from_device_bytes = io.from_device;
  }
  job.protocol = &protocol_profile(link_.protocol);
  job.costs = link_.costs;
  FlowNetwork net(pool.topology);
  const PoolResult r = run_gpu_pool(net, {job}, {{job.gpu_host, &interference_for(gpu_->name())}}, {});
  std::vector<double> ends = r.tenants[0].kernel_end_s;
  ends.back() = r.tenants[0].iteration_end_s.back();
  return ends;
}

std::optional<RemoteTarget> parse_remote_target(const std::string& name) {
  const auto at = name.find('@'), colon = name.rfind(':');
  if (at == std::string::npos || at == 0 || colon == std::string::npos || colon < at + 2 || colon + 1 >= name.size())
    return std::nullopt;
  const std::string gbps = name.substr(colon + 1);
  char* end = nullptr;
  const double value = std::strtod(gbps.c_str(), &end);
  if (end != gbps.c_str() + gbps.size() || !(value > 0 && value <= 1e6)) return std::nullopt;
  RemoteTarget t;
  t.base = name.substr(0, at);
  t.link.protocol = name.substr(at + 1, colon - at - 1);
  t.link.nic_gbps = value;
  return t;
}

}  // namespace xpusim

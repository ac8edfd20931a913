#pragma once
// A GPU reached over the network by API remoting, behind the same Device interface as a local
// GPU: a kernel alone costs what it costs on the GPU; a graph's timeline is one step of one client
// alone through models/remote/gpu_pool (its input copy, launches and synchronizing copy-back as
// messages over a client NIC, a switch, the server's NIC and PCIe).
#include <memory>
#include <optional>
#include <string>

#include "models/gpu/gpu_device.hpp"
#include "models/remote/gpu_pool.hpp"

namespace xpusim {

struct RemoteLink {
  std::string protocol = "tcp";
  double nic_gbps = 25;          // client and server NICs alike
  double link_latency_us = 2;    // each NIC link
  double pcie_gbytes_per_s = 12;
  RemotingCosts costs;
};

class RemoteGpuDevice : public Device {
 public:
  RemoteGpuDevice(std::unique_ptr<GpuDevice> gpu, RemoteLink link);

  std::string_view device_class() const override { return "remote-gpu"; }
  const std::string& name() const override { return name_; }
  std::string description() const override;
  int64_t memory_bytes() const override { return gpu_->memory_bytes(); }
  double peak_macs_per_s(DType t) const override { return gpu_->peak_macs_per_s(t); }
  double memory_bytes_per_s() const override { return gpu_->memory_bytes_per_s(); }
  bool supports(Precision p) const override { return gpu_->supports(p); }
  Precision default_training_precision() const override { return gpu_->default_training_precision(); }
  ExecutionStyle execution_style(Mode mode) const override { return gpu_->execution_style(mode); }
  Graph lower(const Graph& graph, const SoftwareSetup& setup) const override { return gpu_->lower(graph, setup); }
  DeviceKernelCost evaluate(const Kernel& kernel) const override { return gpu_->evaluate(kernel); }
  // Kernel ends on the GPU, except the last: the client learns of it when its synchronizing
  // copy-back returns, so the step ends there.
  std::vector<double> graph_timeline(const Graph& graph) override;

  const RemoteLink& link() const { return link_; }

 private:
  std::unique_ptr<GpuDevice> gpu_;
  RemoteLink link_;
  std::string name_;
};

// A remote target's name: "<GPU instance or device>@<protocol>:<NIC Gbit/s>", for example
// "p3.2xlarge@tcp:10" or "v100-16gb@roce-v2:100". Nothing for a name without '@'; the parts are
// not checked against the catalog here.
struct RemoteTarget {
  std::string base;
  RemoteLink link;
};
std::optional<RemoteTarget> parse_remote_target(const std::string& name);

}  // namespace xpusim

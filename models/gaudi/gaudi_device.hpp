#pragma once
// A Gaudi behind the device interface: kernels alone through gaudi_kernel_cost, whole graphs as
// its graph compiler runs them (fused and pipelined, gaudi_cost.hpp).
#include "models/device.hpp"
#include "models/gaudi/gaudi_spec.hpp"

namespace xpusim {

class GaudiDevice : public Device {
 public:
  explicit GaudiDevice(GaudiSpec spec) : spec_(std::move(spec)) {}

  std::string_view device_class() const override { return "gaudi"; }
  const std::string& name() const override { return spec_.name; }
  std::string description() const override { return spec_.description; }
  int64_t memory_bytes() const override { return spec_.memory_bytes; }
  double peak_macs_per_s(DType t) const override;
  double memory_bytes_per_s() const override { return spec_.hbm_bytes_per_s; }
  bool supports(Precision p) const override { return spec_.mme_shape(matmul_dtype(p)) != nullptr; }
  Precision default_training_precision() const override { return Precision::bf16; }
  ExecutionStyle execution_style(Mode) const override { return ExecutionStyle::graph_compiler; }
  DeviceKernelCost evaluate(const Kernel& kernel) const override;
  std::vector<double> graph_timeline(const Graph& graph) override;

  const GaudiSpec& spec() const { return spec_; }

 private:
  GaudiSpec spec_;
};

}  // namespace xpusim

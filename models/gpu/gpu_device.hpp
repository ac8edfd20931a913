#pragma once
// A GPU (or MIG slice) behind the device interface. Frameworks drive GPUs eagerly: the host
// dispatches one operator at a time and the GPU runs them in order, so a graph's time is that of
// an asynchronous queue fed at the framework's per-operator host cost.
#include "models/device.hpp"
#include "models/gpu/gpu_spec.hpp"

namespace xpusim {

class GpuDevice : public Device {
 public:
  explicit GpuDevice(GpuSpec spec) : spec_(std::move(spec)) {}

  std::string_view device_class() const override { return spec_.device_class; }
  const std::string& name() const override { return spec_.name; }
  std::string description() const override { return spec_.description; }
  int64_t memory_bytes() const override { return spec_.memory_bytes; }
  double peak_macs_per_s(DType t) const override;
  double memory_bytes_per_s() const override { return spec_.hbm_bytes_per_s; }
  bool supports(Precision p) const override;
  Precision default_training_precision() const override { return Precision::fp16; }
  ExecutionStyle execution_style(Mode) const override { return ExecutionStyle::eager; }
  // Mixed precision: eager autocast casts each layer's fp32 weights to half precision every step.
  // NCHW activations: cuDNN rewrites them in NHWC before and after tensor-core convolutions.
  Graph lower(const Graph& graph, const SoftwareSetup& setup) const override;
  DeviceKernelCost evaluate(const Kernel& kernel) const override;
  std::vector<double> graph_timeline(const Graph& graph) override;

  const GpuSpec& spec() const { return spec_; }

 private:
  GpuSpec spec_;
};

// The queue: the host issues operator i at (i + 1) x overhead (it never waits on the GPU); the
// GPU starts it when both the host has issued it and the previous one has finished. Returns when
// each finishes.
std::vector<double> eager_queue(const std::vector<double>& kernel_seconds, double host_overhead_s);

}  // namespace xpusim

#pragma once
// A CPU instance behind the device interface: the CPU cost model at a fixed thread count.
#include "models/cpu/cpu_cost.hpp"
#include "models/device.hpp"

namespace xpusim {

class CpuDeviceModel : public Device {
 public:
  // `threads` 0: every core of the device.
  CpuDeviceModel(std::string name, CpuDevice cpu, int64_t memory_bytes, int threads = 0);

  std::string_view device_class() const override { return "cpu"; }
  const std::string& name() const override { return name_; }
  std::string description() const override { return model_.device().spec.description; }
  int64_t memory_bytes() const override { return memory_bytes_; }
  double peak_macs_per_s(DType t) const override;
  double memory_bytes_per_s() const override { return model_.device().dram_gbps * 1e9; }
  bool supports(Precision) const override { return true; }  // fp16 and tf32 run as fp32
  Precision default_training_precision() const override;
  ExecutionStyle execution_style(Mode mode) const override {
    return mode == Mode::inference ? ExecutionStyle::fused_inference : ExecutionStyle::eager;
  }
  DeviceKernelCost evaluate(const Kernel& kernel) const override;
  // A generation step whose weights outgrow the instance's share of L3 reads them from DRAM.
  Graph lower(const Graph& graph, const SoftwareSetup& setup) const override;

  int threads() const { return threads_; }
  const CpuDevice& cpu() const { return model_.device(); }

 private:
  std::string name_;
  CpuCostModel model_;
  int64_t memory_bytes_;
  int threads_;
};

}  // namespace xpusim

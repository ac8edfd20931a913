#include "models/cpu/cpu_device.hpp"

#include <algorithm>

namespace xpusim {

CpuDeviceModel::CpuDeviceModel(std::string name, CpuDevice cpu, int64_t memory_bytes, int threads)
    : name_(std::move(name)), model_(std::move(cpu)), memory_bytes_(memory_bytes),
      threads_(std::clamp(threads > 0 ? threads : model_.device().cores, 1, model_.device().cores)) {}

double CpuDeviceModel::peak_macs_per_s(DType t) const {
  const CpuSpec& s = model_.device().spec;
  return s.macs_per_cycle(t) * s.matmul_freq_ghz(t) * 1e9 * threads_;
}

Precision CpuDeviceModel::default_training_precision() const {
  const CpuSpec& s = model_.device().spec;
  return (s.amx || s.avx512_bf16) ? Precision::bf16 : Precision::fp32;
}

Graph CpuDeviceModel::lower(const Graph& graph, const SoftwareSetup&) const {
  Graph out = graph;
  if (!graph.decode) return out;
  int64_t weight_bytes = 0;
  for (const auto& k : graph.kernels) weight_bytes += k.parameters() * static_cast<int64_t>(dtype_bytes(k.dtype));
  if (weight_bytes <= model_.device().l3_share_bytes) return out;
  for (auto& k : out.kernels)
    if (auto* g = std::get_if<Gemm>(&k.shape); g && g->b_is_weight) g->cold_weights = true;
  return out;
}

DeviceKernelCost CpuDeviceModel::evaluate(const Kernel& kernel) const {
  const KernelCost c = model_.evaluate(kernel, threads_);
  DeviceKernelCost d;
  d.total_s = c.total_s;
  d.compute_s = c.compute_s;
  d.memory_s = c.memory_s;
  d.overhead_s = c.overhead_s;
  d.effective_macs = c.effective_macs;
  d.utilization = c.utilization;
  d.compute_unit = "cores";
  d.memory_level = memory_level_name(c.level);
  return d;
}

}  // namespace xpusim

#include "models/gpu/gpu_device.hpp"

#include <algorithm>

#include "models/gpu/gpu_cost.hpp"

namespace xpusim {

std::vector<double> eager_queue(const std::vector<double>& kernel_seconds, double host_overhead_s) {
  std::vector<double> ends;
  ends.reserve(kernel_seconds.size());
  double host = 0, gpu = 0;
  for (double k : kernel_seconds) {
    host += host_overhead_s;
    gpu = std::max(gpu, host) + k;
    ends.push_back(gpu);
  }
  return ends;
}

double GpuDevice::peak_macs_per_s(DType t) const {
  double per_sm = spec_.tensor_rate(t);
  if (per_sm == 0) per_sm = (t == DType::s8 || t == DType::u8) ? spec_.dp4a : spec_.fp32_fma;
  if (t == DType::bf16 && spec_.tensor_bf16 == 0) per_sm = 0;
  if (t == DType::tf32 && spec_.tensor_tf32 == 0) per_sm = 0;
  return per_sm * spec_.sm_count * spec_.clock_ghz * 1e9;
}

bool GpuDevice::supports(Precision p) const { return peak_macs_per_s(matmul_dtype(p)) > 0; }

DeviceKernelCost GpuDevice::evaluate(const Kernel& kernel) const { return gpu_kernel_cost(spec_, kernel); }

std::vector<double> GpuDevice::graph_timeline(const Graph& graph) {
  std::vector<double> seconds;
  seconds.reserve(graph.kernels.size());
  for (const auto& k : graph.kernels) seconds.push_back(cost(k).total_s);
  return eager_queue(seconds, spec_.fitted.op_overhead_us * 1e-6);
}

Graph GpuDevice::lower(const Graph& graph, const SoftwareSetup& setup) const {
  const bool mixed = graph.precision == Precision::fp16 || graph.precision == Precision::bf16;
  const DType half = matmul_dtype(graph.precision);
  Graph out = graph;
  out.kernels.clear();
  auto copy = [&](const Kernel& k, const std::string& what, int64_t elements) {
    out.kernels.push_back(Kernel{k.name + "." + what, Elementwise{EltwiseOp::copy, elements}, k.dtype, k.pass});
  };
  for (const auto& k : graph.kernels) {
    if (mixed && k.pass == Pass::forward && k.is_matmul() && k.parameters() > 0)
      out.kernels.push_back(Kernel{k.name + ".cast", Elementwise{EltwiseOp::cast, k.parameters()}, half, k.pass});
    const auto* c = std::get_if<Conv2d>(&k.shape);
    const bool transposed = c && !setup.channels_last && spec_.tensor_rate(k.dtype) > 0;
    if (!transposed) {
      out.kernels.push_back(k);
      continue;
    }
    const int64_t x = c->n * c->c * c->h * c->w, y = c->n * c->k * c->out_h() * c->out_w();
    // Inputs into NHWC before the convolution, its result back to NCHW after.
    switch (k.pass) {
      case Pass::forward: copy(k, "to_nhwc", x); out.kernels.push_back(k); copy(k, "to_nchw", y); break;
      case Pass::backward_data: copy(k, "to_nhwc", y); out.kernels.push_back(k); copy(k, "to_nchw", x); break;
      default: copy(k, "x_to_nhwc", x); copy(k, "dy_to_nhwc", y); out.kernels.push_back(k); break;
    }
  }
  return out;
}

}  // namespace xpusim

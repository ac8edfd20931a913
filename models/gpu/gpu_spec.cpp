#include "models/gpu/gpu_spec.hpp"

#include "models/gpu/gpu_device.hpp"

namespace xpusim {

namespace {

void read_sources(const JsonView& v, DeviceSpec& spec) {
  if (auto s = v.find("sources")) {
    s->expect_object();
    for (const auto& [key, unused] : s->raw().items()) spec.sources[key] = s->at(key).as_string();
  }
}

constexpr double kGiB = 1024.0 * 1024 * 1024, kMiB = 1024.0 * 1024;

std::shared_ptr<const DeviceSpec> parse_gpu(const DeviceEntry& e) {
  const JsonView& v = e.entry;
  v.allow_only({"class", "description", "validated", "sm_count", "clock_ghz", "macs_per_sm_cycle", "memory_gib",
                "hbm_gbps", "l2_mib", "nvlink_gbps", "pcie_gbps", "launch_us", "sources"});
  auto s = std::make_shared<GpuSpec>();
  s->name = e.name;
  s->device_class = "gpu";
  s->description = v.at("description").as_string();
  if (auto val = v.find("validated")) s->validated = val->as_bool();
  s->sm_count = static_cast<int>(v.at("sm_count").as_integer_in(1, 100'000));
  s->clock_ghz = v.at("clock_ghz").as_number_in(0.1, 10);
  const auto macs = v.at("macs_per_sm_cycle");
  macs.allow_only({"tensor_f16", "tensor_bf16", "tensor_tf32", "tensor_s8", "fp32", "dp4a"});
  auto rate = [&](const char* key) { return macs.find(key) ? macs.at(key).as_number_in(0, 1e6) : 0.0; };
  s->tensor_f16 = rate("tensor_f16");
  s->tensor_bf16 = rate("tensor_bf16");
  s->tensor_tf32 = rate("tensor_tf32");
  s->tensor_s8 = rate("tensor_s8");
  s->fp32_fma = macs.at("fp32").as_number_in(1, 1e6);
  s->dp4a = rate("dp4a");
  s->memory_bytes = static_cast<int64_t>(v.at("memory_gib").as_number_in(0.001, 1e6) * kGiB);
  s->hbm_bytes_per_s = v.at("hbm_gbps").as_number_in(1, 1e6) * 1e9;
  s->l2_bytes = static_cast<int64_t>(v.at("l2_mib").as_number_in(0, 1e6) * kMiB);
  s->nvlink_bytes_per_s = v.at("nvlink_gbps").as_number_in(0, 1e6) * 1e9;
  s->pcie_bytes_per_s = v.at("pcie_gbps").as_number_in(0.1, 1e6) * 1e9;
  s->launch_us = v.at("launch_us").as_number_in(0, 1e3);
  s->fitted = read_gpu_fitted(e.fitted);
  read_sources(v, *s);
  return s;
}

// A MIG slice: its own SMs and memory, and the share of the parent's HBM bandwidth and L2 that
// its memory slices carry (of eight); hardware-isolated, so nothing else changes.
std::shared_ptr<const DeviceSpec> parse_mig(const DeviceEntry& e) {
  const JsonView& v = e.entry;
  v.allow_only({"class", "description", "parent", "sm_count", "memory_gib", "memory_slices", "sources"});
  const auto parent_name = v.at("parent");
  const auto* parent = dynamic_cast<const GpuSpec*>(e.catalog.find(parent_name.as_string()));
  if (!parent || parent->device_class != "gpu")
    parent_name.fail("\"" + parent_name.as_string() + "\" is not a GPU of the catalog");
  auto s = std::make_shared<GpuSpec>(*parent);
  s->name = e.name;
  s->device_class = "mig";
  s->description = v.at("description").as_string();
  s->sources.clear();
  const auto sms = v.at("sm_count");
  s->sm_count = static_cast<int>(sms.as_integer_in(1, parent->sm_count));
  const double memory = v.at("memory_gib").as_number_in(0.001, double(parent->memory_bytes) / kGiB);
  s->memory_bytes = static_cast<int64_t>(memory * kGiB);
  const double share = double(v.at("memory_slices").as_integer_in(1, 8)) / 8;
  s->hbm_bytes_per_s = parent->hbm_bytes_per_s * share;
  s->l2_bytes = static_cast<int64_t>(double(parent->l2_bytes) * share);
  s->nvlink_bytes_per_s = 0;  // MIG slices do not do peer-to-peer over NVLink
  read_sources(v, *s);
  return s;
}

const DeviceClassRegistrar gpu_class("gpu", parse_gpu);
const DeviceClassRegistrar mig_class("mig", parse_mig);

}  // namespace

GpuFitted read_gpu_fitted(const JsonView& v) {
  const auto gpu = v.at("gpu"), hbm = v.at("hbm");
  gpu.allow_only({"tensor_efficiency", "simt_efficiency", "op_overhead_us"});
  hbm.allow_only({"streaming_efficiency"});
  GpuFitted f;
  f.tensor_efficiency = gpu.at("tensor_efficiency").as_number_in(0.05, 1);
  f.simt_efficiency = gpu.at("simt_efficiency").as_number_in(0.05, 1);
  f.memory_efficiency = hbm.at("streaming_efficiency").as_number_in(0.05, 1);
  f.op_overhead_us = gpu.at("op_overhead_us").as_number_in(0, 1e4);
  return f;
}

double GpuSpec::tensor_rate(DType t) const {
  switch (t) {
    case DType::f16: return tensor_f16;
    case DType::bf16: return tensor_bf16;
    case DType::tf32: return tensor_tf32;
    case DType::s8: case DType::u8: return tensor_s8;
    default: return 0;
  }
}

std::unique_ptr<Device> GpuSpec::make_device() const { return std::make_unique<GpuDevice>(*this); }

}  // namespace xpusim

#include "models/gaudi/gaudi_spec.hpp"

#include <fmt/format.h>

#include "models/gaudi/gaudi_device.hpp"

namespace xpusim {

namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024, kMiB = 1024.0 * 1024;

std::shared_ptr<const DeviceSpec> parse_gaudi(const DeviceEntry& e) {
  const JsonView& v = e.entry;
  v.allow_only({"class", "description", "validated", "mme_clock_ghz", "tpc_clock_ghz", "mme", "tpc_count",
                "tpc_lanes", "sram_mib", "sram_gbps", "memory_gib", "hbm_gbps", "dma_engines", "nic_ports",
                "nic_port_gbps", "node_overhead_us", "sources"});
  auto s = std::make_shared<GaudiSpec>();
  s->name = e.name;
  s->device_class = "gaudi";
  s->description = v.at("description").as_string();
  if (auto val = v.find("validated")) s->validated = val->as_bool();
  s->mme_clock_ghz = v.at("mme_clock_ghz").as_number_in(0.1, 10);
  s->tpc_clock_ghz = v.at("tpc_clock_ghz").as_number_in(0.1, 10);
  const auto mme = v.at("mme");
  mme.allow_only({"bf16", "f16", "tf32", "f32"});
  const std::pair<const char*, DType> types[] = {
      {"bf16", DType::bf16}, {"f16", DType::f16}, {"tf32", DType::tf32}, {"f32", DType::f32}};
  for (const auto& [key, dtype] : types) {
    auto shape = mme.find(key);
    if (!shape) continue;
    shape->allow_only({"cores", "rows", "cols", "k_granule"});
    s->mme[dtype] = {static_cast<int>(shape->at("cores").as_integer_in(1, 64)),
                     static_cast<int>(shape->at("rows").as_integer_in(1, 65536)),
                     static_cast<int>(shape->at("cols").as_integer_in(1, 65536)),
                     static_cast<int>(shape->at("k_granule").as_integer_in(1, 65536))};
  }
  if (s->mme.empty()) mme.fail("the MME must run at least one operand type");
  s->tpc_count = static_cast<int>(v.at("tpc_count").as_integer_in(1, 4096));
  const auto lanes = v.at("tpc_lanes");
  lanes.allow_only({"f32", "bf16", "s8"});
  s->tpc_lanes_f32 = lanes.at("f32").as_number_in(1, 1e5);
  s->tpc_lanes_bf16 = lanes.at("bf16").as_number_in(1, 1e5);
  s->tpc_lanes_s8 = lanes.at("s8").as_number_in(1, 1e5);
  s->sram_bytes = static_cast<int64_t>(v.at("sram_mib").as_number_in(0.001, 1e6) * kMiB);
  s->sram_bytes_per_s = v.at("sram_gbps").as_number_in(1, 1e7) * 1e9;
  s->memory_bytes = static_cast<int64_t>(v.at("memory_gib").as_number_in(0.001, 1e6) * kGiB);
  s->hbm_bytes_per_s = v.at("hbm_gbps").as_number_in(1, 1e7) * 1e9;
  s->dma_engines = static_cast<int>(v.at("dma_engines").as_integer_in(1, 1024));
  s->nic_ports = static_cast<int>(v.at("nic_ports").as_integer_in(0, 1024));
  s->nic_port_gbps = v.at("nic_port_gbps").as_number_in(0, 1e5);
  s->node_overhead_us = v.at("node_overhead_us").as_number_in(0, 1e4);
  s->fitted = read_gaudi_fitted(e.fitted);
  if (auto src = v.find("sources")) {
    src->expect_object();
    for (const auto& [key, unused] : src->raw().items()) s->sources[key] = src->at(key).as_string();
  }
  return s;
}

const DeviceClassRegistrar gaudi_class("gaudi", parse_gaudi);

}  // namespace

GaudiFitted read_gaudi_fitted(const JsonView& v) {
  const auto gaudi = v.at("gaudi"), hbm = v.at("hbm");
  gaudi.allow_only({"mme_efficiency"});
  hbm.allow_only({"streaming_efficiency"});
  GaudiFitted f;
  f.mme_efficiency = gaudi.at("mme_efficiency").as_number_in(0.05, 1);
  f.memory_efficiency = hbm.at("streaming_efficiency").as_number_in(0.05, 1);
  return f;
}

const MmeShape* GaudiSpec::mme_shape(DType t) const {
  auto it = mme.find(t);
  return it == mme.end() ? nullptr : &it->second;
}

double GaudiSpec::tpc_lanes(DType t) const {
  switch (t) {
    case DType::s8: case DType::u8: return tpc_lanes_s8;
    case DType::bf16: case DType::f16: return tpc_lanes_bf16;
    default: return tpc_lanes_f32;
  }
}

std::unique_ptr<Device> GaudiSpec::make_device() const { return std::make_unique<GaudiDevice>(*this); }

}  // namespace xpusim

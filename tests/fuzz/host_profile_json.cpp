// Fuzz target: the host profile reader (models/cpu/host_profile.hpp), both schemas. An accepted
// profile must write back to what reads as the same profile, and give a CPU on which every
// ResNet-50 kernel has a finite, positive time.
#include <cmath>

#include "models/cpu/cpu_cost.hpp"
#include "models/cpu/host_profile.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "workloads/zoo/model_zoo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace xpusim;
  HostProfile p;
  if (!fuzz::accepted([&] {
        const auto doc = parse_json_text(fuzz::as_text(data, size), "host-profile.json");
        p = host_profile_from_json(JsonView(doc, "host-profile.json"));
      }))
    return 0;
  const auto written = to_json(p);
  fuzz::expect(to_json(host_profile_from_json(JsonView(written, "written"))) == written, "profile does not round-trip");
  static const Graph graph = build_model("resnet50", {1, Precision::int8, Mode::inference, 0});
  CpuCostModel model(CpuDevice::from_spec(cpu_spec_from_profile(p), p.cpu.physical_cores));
  for (const auto& k : graph.kernels) {
    const KernelCost c = model.evaluate(k, p.cpu.physical_cores);
    fuzz::expect(std::isfinite(c.total_s) && c.total_s > 0, "kernel time not finite and positive");
  }
  return 0;
}

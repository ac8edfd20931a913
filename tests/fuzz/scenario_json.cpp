// Fuzz target: the scenario file reader (sim/scenario/study.hpp). An accepted scenario must name
// known models and instances with representable batches, and small ones are simulated: every
// configuration that fits in memory must come out with a finite, positive latency.
#include <cmath>

#include "models/catalog/catalog.hpp"
#include "models/cpu/host_profile.hpp"
#include "sim/scenario/study.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "workloads/zoo/model_zoo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace xpusim;
  // The host is described by a committed profile, never probed while fuzzing.
  static const bool once = (use_host_profile_file(XPUSIM_SOURCE_DIR "/tests/golden/host_profile_zen5.json"), true);
  (void)once;
  StudyConfig c;
  if (!fuzz::accepted([&] {
        const auto doc = parse_json_text(fuzz::as_text(data, size), "scenario.json");
        c = parse_study(JsonView(doc, "scenario.json"));
      }))
    return 0;
  fuzz::expect(!c.models.empty() && !c.precisions.empty() && !c.batches.empty() && !c.instances.empty(),
               "an empty list");
  for (const auto& m : c.models) fuzz::expect(ModelRegistry::instance().find(m) != nullptr, "unknown model");
  for (const auto& i : c.instances) fuzz::expect(Catalog::builtin().has_target(i), "unknown instance");
  for (auto b : c.batches) fuzz::expect(b >= 1 && b <= kMaxBatch, "batch out of range");
  fuzz::expect(!c.threads || *c.threads >= 1, "threads < 1");
  resolved_config(c);
  const std::size_t runs = c.models.size() * c.precisions.size() * c.batches.size() * c.instances.size();
  if (runs <= 8)
    for (const auto& r : run_study(c)) {
      fuzz::expect(r.memory_gib_needed > 0 && r.memory_gib_available > 0, "memory figures not positive");
      fuzz::expect(!r.fits || (std::isfinite(r.latency_ms) && r.latency_ms > 0 && r.throughput_per_s > 0),
                   "a configuration that fits has no finite latency");
    }
  return 0;
}

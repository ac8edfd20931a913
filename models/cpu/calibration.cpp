#include "models/cpu/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "models/catalog/catalog.hpp"
#include "models/cpu/host_profile.hpp"
#include "models/cpu/microbench.hpp"
#include "sim/engine/stats.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

namespace {
// The host device with every clock set to `ghz`: the same per-cycle rates, at this moment's clock.
CpuCostModel at_clock(CpuDevice device, double ghz) {
  device.spec.freq_ghz_scalar = device.spec.freq_ghz_avx2 = device.spec.freq_ghz_avx512 = ghz;
  return CpuCostModel(std::move(device));
}
}  // namespace

CalibrationResult calibrate_host(const std::string& model, Precision precision, int64_t batch,
                                 int threads, const CalibrationOptions& options) {
  const Catalog& catalog = Catalog::builtin();
  const CpuDevice device = catalog.device("host");
  CpuCostModel host(device);
  const IsaFlags isa = host_profile().cpu.isa;
  const bool profile_clock = options.profile_clock;
  CalibrationResult r;
  r.model = model;
  r.requested_precision = r.precision = precision;
  r.batch = batch;
  r.threads = std::clamp(threads, 1, host.device().cores);
  r.cpu_description = host.device().spec.description;
  r.clock_ghz = host.device().spec.freq_ghz_avx512;
  r.profile_clock = profile_clock;
  const CpuSpec& spec = host.device().spec;
  if (precision == Precision::int8 && !spec.vnni) {
    r.precision = Precision::fp32;
    r.note = "this host has no AVX-512 VNNI: int8 was requested, fp32 was run";
  }
  if (precision == Precision::bf16 && !spec.avx512_bf16 && !spec.amx) {
    r.precision = Precision::fp32;
    r.note = "this host has no bf16 instructions (AVX512_BF16 or AMX): bf16 was requested, fp32 was run";
  }
  const Graph g = build_model(model, {batch, r.precision, Mode::inference, options.seq_len});

  // The distinct kernels, in graph order, with how often each occurs.
  std::vector<std::pair<const Kernel*, int>> distinct;
  std::map<Kernel::Key, std::size_t> index;
  for (const auto& k : g.kernels) {
    auto [it, added] = index.try_emplace(k.key(), distinct.size());
    if (added) distinct.emplace_back(&k, 1);
    else ++distinct[it->second].second;
  }

  MeasureOptions opts = options.measure;
  opts.threads = r.threads;
  std::vector<std::vector<CalibrationRow>> rounds(distinct.size());  // per kernel, one per round
  std::vector<bool> runnable(distinct.size(), true);
  for (int round = 0; round < std::max(1, options.rounds); ++round) {
    for (std::size_t i = 0; i < distinct.size(); ++i) {
      if (!runnable[i]) continue;
      const Kernel& k = *distinct[i].first;
      std::string why;
      const double before = profile_clock ? r.clock_ghz : measure_vector_clock_ghz(isa);
      auto m = measure_with_onednn(k, opts, &why);
      if (!m) {
        runnable[i] = false;
        r.skipped.push_back(k.name + ": " + why);
        continue;
      }
      // The higher of the two readings: another tenant taking the core while the clock loop runs
      // makes it read low, never high.
      const double clock = profile_clock ? r.clock_ghz : std::max(before, measure_vector_clock_ghz(isa));
      const KernelCost c = profile_clock ? host.cost(k, r.threads) : at_clock(device, clock).evaluate(k, r.threads);
      rounds[i].push_back({k.name, k.signature(), m->implementation, distinct[i].second, m->median_s,
                           c.total_s, clock, std::string(c.bound())});
    }
  }
  for (const auto& samples : rounds) {
    if (samples.empty()) continue;
    r.rows.push_back(*std::min_element(samples.begin(), samples.end(), [](const CalibrationRow& a, const CalibrationRow& b) {
      return a.measured_s < b.measured_s;
    }));
  }
  Histogram errors;
  r.measured_clock_min_ghz = r.measured_clock_max_ghz = r.clock_ghz;
  if (!r.rows.empty()) r.measured_clock_min_ghz = r.measured_clock_max_ghz = r.rows.front().clock_ghz;
  for (const auto& row : r.rows) {
    r.measured_clock_min_ghz = std::min(r.measured_clock_min_ghz, row.clock_ghz);
    r.measured_clock_max_ghz = std::max(r.measured_clock_max_ghz, row.clock_ghz);
    errors.add(std::abs(row.error()));
    r.measured_total_s += row.occurrences * row.measured_s;
    r.predicted_total_s += row.occurrences * row.predicted_s;
  }
  if (errors.count() > 0) {
    r.median_abs_error = errors.percentile(50);
    r.p90_abs_error = errors.percentile(90);
  }
  return r;
}

}  // namespace xpusim

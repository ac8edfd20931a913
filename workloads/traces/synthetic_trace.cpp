#include "workloads/traces/synthetic_trace.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/engine/input_error.hpp"
#include "sim/engine/rng.hpp"

namespace xpusim {

PodList synthesize_trace(const PodList& templ, int64_t gpu_capacity_milli, const SyntheticTraceConfig& config) {
  std::vector<const PodSpec*> pool;
  auto duration = [&](const PodSpec& p) {
    return config.max_duration_s > 0 ? std::min(p.duration_s, config.max_duration_s) : p.duration_s;
  };
  double gpu_work = 0;  // mean milli-GPU-seconds per job
  for (const auto& p : templ.pods)
    if (p.duration_s >= 0) pool.push_back(&p), gpu_work += static_cast<double>(p.gpu_request_milli()) * duration(p);
  if (pool.empty()) throw InputError(templ.source, "", "the template trace has no job durations");
  gpu_work /= static_cast<double>(pool.size());
  if (!(config.load > 0)) throw InputError("--load", "", "must be positive");
  if (gpu_capacity_milli <= 0 || gpu_work <= 0) throw InputError(templ.source, "", "no GPU work to scale the load by");
  const double rate_per_s = config.load * static_cast<double>(gpu_capacity_milli) / gpu_work;

  RngStream rng(static_cast<uint64_t>(config.seed), "synthetic-trace");
  PodList out{"synthetic from " + templ.source, {}, {}};
  out.pods.reserve(config.jobs);
  double t = 0;
  for (std::size_t i = 0; i < config.jobs; ++i) {
    t += rng.exponential(rate_per_s);
    PodSpec p = *pool[rng.uniform_int(pool.size())];
    p.name = fmt::format("synth-{:07}", i);
    p.submit_s = std::floor(t);
    p.duration_s = duration(p);
    if (!config.keep_gpu_spec) p.gpu_spec.clear();
    out.pods.push_back(std::move(p));
  }
  return out;
}

std::string to_openb_csv(const std::vector<PodSpec>& pods) {
  std::string out = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";
  for (const auto& p : pods) {
    const auto created = static_cast<int64_t>(std::llround(p.submit_s));
    const auto deleted = created + static_cast<int64_t>(std::llround(std::max(p.duration_s, 0.0)));
    out += fmt::format("{},{},{},{},{},{},,,{},{},\n", p.name, p.cpu_milli, p.memory_mib, p.num_gpu, p.gpu_milli,
                       p.gpu_spec, created, deleted);
  }
  return out;
}

}  // namespace xpusim

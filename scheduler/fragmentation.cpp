#include "scheduler/fragmentation.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace xpusim::sched {

TargetWorkload TargetWorkload::from_pods(const std::vector<PodSpec>& pods, const Cluster& cluster, double coverage) {
  using Key = std::tuple<int64_t, int, int, std::string>;  // cpu, per-GPU milli, GPU count, spec
  std::map<Key, int64_t> counts;
  for (const auto& p : pods) ++counts[{p.cpu_milli, p.num_gpu > 0 ? p.gpu_milli : 0, p.num_gpu, p.gpu_spec}];
  std::vector<std::pair<Key, int64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return a.first > b.first;
  });
  TargetWorkload w;
  int64_t kept = 0;
  for (const auto& [key, count] : sorted) {
    if (static_cast<double>(kept) >= coverage * static_cast<double>(pods.size())) break;
    WorkloadClass c;
    std::tie(c.cpu_milli, c.gpu_milli, c.num_gpu, c.gpu_spec) = key;
    PodSpec probe;
    probe.num_gpu = c.num_gpu;
    probe.gpu_milli = c.gpu_milli;
    probe.gpu_spec = c.gpu_spec;
    c.model_mask = cluster.request_for(probe).model_mask;
    c.count = count;
    kept += count;
    w.classes_.push_back(std::move(c));
  }
  for (auto& c : w.classes_) c.weight = static_cast<double>(c.count) / static_cast<double>(kept);
  return w;
}

double TargetWorkload::fragment(int model, int64_t cpu_free, const int* g, int gpus) const {
  int64_t total = 0;
  for (int j = 0; j < gpus; ++j) total += g[j];
  if (total == 0) return 0;
  double f = 0;
  for (const auto& c : classes_) {
    double frag = static_cast<double>(total);  // by default the class cannot use any of it
    const bool accessible = c.num_gpu > 0 && model >= 0 && (c.model_mask >> model & 1);
    if (accessible && cpu_free >= c.cpu_milli) {
      int fitting = 0;
      int64_t too_small = 0;
      for (int j = 0; j < gpus; ++j) {
        if (g[j] >= c.gpu_milli) ++fitting;
        else too_small += g[j];
      }
      if (fitting >= c.num_gpu) frag = static_cast<double>(too_small);
    }
    f += c.weight * frag;
  }
  return f;
}

}  // namespace xpusim::sched

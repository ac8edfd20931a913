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
  const double total = static_cast<double>(pods.size());
  for (const auto& [key, count] : sorted) {
    if (static_cast<double>(kept) >= coverage * total) break;
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
  // Popularity, normalized over the kept classes. Computed as the reference does, share of all pods
  // divided by the kept share, so that FGD's integer scores tie exactly where the reference's do.
  for (auto& c : w.classes_)
    c.weight = kept == static_cast<int64_t>(pods.size())
                   ? static_cast<double>(c.count) / total
                   : (static_cast<double>(c.count) / total) / (static_cast<double>(kept) / total);
  return w;
}

double TargetWorkload::fragment(int model, int64_t cpu_free, const int* g, int gpus) const {
  int64_t total = 0;
  for (int j = 0; j < gpus; ++j) total += g[j];
  if (total == 0) return 0;
  // The reference accumulates weighted amounts per category and then sums the categories, in this
  // order; keeping its order keeps the floating-point result, and FGD's truncated scores, equal.
  enum { lack_both, lack_gpu, satisfied, lack_cpu, cpu_pod_fits, cpu_pod_lacks_cpu, no_access, categories };
  double amount[categories] = {};
  for (const auto& c : classes_) {
    const bool cpu_fits = cpu_free >= c.cpu_milli;
    if (c.num_gpu == 0) {  // a CPU-only pod can use none of the GPUs
      amount[cpu_fits ? cpu_pod_fits : cpu_pod_lacks_cpu] += c.weight * static_cast<double>(total);
      continue;
    }
    if (model < 0 || !(c.model_mask >> model & 1)) {
      amount[no_access] += c.weight * static_cast<double>(total);
      continue;
    }
    int fitting = 0;
    int64_t too_small = 0;
    for (int j = 0; j < gpus; ++j) {
      if (g[j] >= c.gpu_milli) ++fitting;
      else too_small += g[j];
    }
    if (fitting >= c.num_gpu && cpu_fits) {  // it fits; only GPUs too small for it are fragments
      amount[lack_gpu] += c.weight * static_cast<double>(too_small);
      amount[satisfied] += c.weight * static_cast<double>(total - too_small);
    } else {
      amount[fitting >= c.num_gpu ? lack_cpu : (cpu_fits ? lack_gpu : lack_both)] += c.weight * static_cast<double>(total);
    }
  }
  double f = 0;
  for (int k = 0; k < categories; ++k)
    if (k != satisfied) f += amount[k];
  return f;
}

}  // namespace xpusim::sched

#include "scheduler/replay/replay_matrix.hpp"

#include <atomic>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "scheduler/placement_policy.hpp"
#include "sim/engine/input_error.hpp"
#include "workloads/traces/csv_reader.hpp"
#include "workloads/traces/trace_readers.hpp"

namespace xpusim::sched {

std::vector<ReplayCell> run_replay_matrix(const ReplayMatrixConfig& config) {
  auto report_skipped = [](const RowProblems& p) {
    if (p.skipped) std::fprintf(stderr, "skipped %zu bad row(s); first: %s\n", p.skipped, p.first_messages[0].c_str());
  };
  const NodeList nodes = read_node_list(config.nodes_path, "auto", config.bad_rows);
  report_skipped(nodes.problems);
  int64_t gpus = 0;
  for (const auto& n : nodes.nodes) gpus += n.gpu_count;
  if (gpus == 0) throw InputError(config.nodes_path, "", "no GPUs: the replay measures GPU allocation");
  std::vector<PodList> traces;
  for (const auto& path : config.pod_paths) {
    traces.push_back(read_pod_list(path, "auto", config.bad_rows));
    report_skipped(traces.back().problems);
  }
  for (const auto& p : config.policies)  // unknown names fail before any work
    PlacementPolicies::instance().get(p, "--policy", "placement policy");

  struct Task {
    std::size_t trace;
    std::string policy;
    int64_t seed;
  };
  std::vector<Task> tasks;
  for (std::size_t t = 0; t < traces.size(); ++t)
    for (const auto& policy : config.policies)
      for (int64_t seed : config.seeds) tasks.push_back({t, policy, seed});

  std::vector<ReplayCell> cells(tasks.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < tasks.size(); i = next++) {
      try {
        const Task& task = tasks[i];
        ReplayOptions options{task.policy, task.seed, config.inflate, config.hidden_draws};
        const ReplayRun run = replay_fgd_protocol(nodes.nodes, traces[task.trace].pods, options);
        ReplayCell& c = cells[i];
        c.workload = std::filesystem::path(config.pod_paths[task.trace]).stem().string();
        c.policy = task.policy;
        c.seed = task.seed;
        c.total_gpus = run.total_gpus;
        c.pods = run.pods, c.placed = run.placed, c.failed = run.failed;
        c.curves = replay_curves(run);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = tasks.size();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < std::max(1, config.jobs); ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  return cells;
}

namespace {

enum class Curve { allocation, fragmentation, ratio };

std::string curves_csv(const std::vector<ReplayCell>& cells, double inflate, Curve which) {
  std::string out = "workload,sc_policy,tune,seed";
  if (which == Curve::allocation) out += ",total_gpus";
  const std::size_t columns = cells.empty() ? 0 : cells.front().curves.allocation_pct.size();
  for (std::size_t k = 0; k < columns; ++k) out += fmt::format(",{}", k);
  out += '\n';
  for (const auto& c : cells) {
    out += fmt::format("{},{},{},{}", c.workload, reference_label(c.policy), python_float(inflate), c.seed);
    if (which == Curve::allocation) out += fmt::format(",{}", c.total_gpus);
    const auto& values = which == Curve::allocation      ? c.curves.allocation_pct
                         : which == Curve::fragmentation ? c.curves.fragmentation_pct
                                                         : c.curves.fragmentation_ratio;
    for (const auto& v : values) {
      out += ',';
      if (v) out += python_float(*v);
    }
    out += '\n';
  }
  return out;
}

}  // namespace

std::string allocation_csv(const std::vector<ReplayCell>& cells, double inflate) {
  return curves_csv(cells, inflate, Curve::allocation);
}
std::string fragmentation_csv(const std::vector<ReplayCell>& cells, double inflate) {
  return curves_csv(cells, inflate, Curve::fragmentation);
}
std::string fragmentation_ratio_csv(const std::vector<ReplayCell>& cells, double inflate) {
  return curves_csv(cells, inflate, Curve::ratio);
}

ReferenceResults read_reference_allocation(const std::string& path) {
  std::vector<std::string> header = {"workload", "sc_policy", "tune", "seed", "total_gpus"};
  const auto first = CsvFile::first_line(path);
  for (std::size_t k = header.size(); k < first.size(); ++k) header.push_back(std::to_string(k - 5));
  CsvFile file(path, header, true);
  ReferenceResults out;
  for (const auto& r : file.rows()) {
    r.check_shape();
    std::vector<double> values;
    for (std::size_t k = 5; k < r.size(); ++k) values.push_back(r.text(k).empty() ? -1.0 : r.real(k, 0, 1000));
    out[{r.text(0), r.text(1)}][r.integer(3, 0, int64_t{1} << 62)] = std::move(values);
  }
  return out;
}

std::vector<ReplayComparison> compare_with_reference(const std::vector<ReplayCell>& cells,
                                                     const ReferenceResults* reference, int percent) {
  std::vector<ReplayComparison> out;
  for (std::size_t i = 0; i < cells.size();) {
    ReplayComparison c;
    c.workload = cells[i].workload;
    c.policy = cells[i].policy;
    c.min_pct = 1e9, c.max_pct = -1e9;
    double sum = 0, ref_sum = 0, failed = 0;
    std::size_t ref_count = 0;
    for (; i < cells.size() && cells[i].workload == c.workload && cells[i].policy == c.policy; ++i) {
      const auto& v = cells[i].curves.allocation_pct.at(static_cast<std::size_t>(percent));
      const double x = v.value_or(0.0);
      sum += x, c.min_pct = std::min(c.min_pct, x), c.max_pct = std::max(c.max_pct, x);
      failed += static_cast<double>(cells[i].failed);
      ++c.seeds;
      if (!reference) continue;
      auto it = reference->find({c.workload, reference_label(c.policy)});
      if (it == reference->end()) continue;
      auto seed = it->second.find(cells[i].seed);
      if (seed == it->second.end() || seed->second.size() <= static_cast<std::size_t>(percent)) continue;
      ref_sum += seed->second[static_cast<std::size_t>(percent)], ++ref_count;
    }
    c.mean_pct = sum / static_cast<double>(c.seeds);
    c.failed_pods_mean = failed / static_cast<double>(c.seeds);
    if (ref_count == c.seeds) c.reference_pct = ref_sum / static_cast<double>(ref_count);
    out.push_back(c);
  }
  return out;
}

}  // namespace xpusim::sched

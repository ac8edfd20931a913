#include "reports/schedule_report.hpp"

#include <fmt/format.h>

#include "reports/report_writer.hpp"

namespace xpusim {

namespace {

nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(round_significant(*v)) : nlohmann::json();
}

nlohmann::json distribution(const Histogram& h) {
  if (h.count() == 0) return nullptr;
  return {{"mean", round_significant(h.mean())}, {"p50", round_significant(h.percentile(50))},
          {"p90", round_significant(h.percentile(90))}, {"p99", round_significant(h.percentile(99))},
          {"max", round_significant(h.max())}};
}

std::string or_dash(const std::optional<double>& v, const char* format) {
  return v ? fmt::format(fmt::runtime(format), *v) : "-";
}

std::string hours(double s) { return fmt::format("{:.2f}", s / 3600.0); }

}  // namespace

nlohmann::json to_json(const sched::JobSimResult& r) {
  return {{"placement_policy", r.placement},
          {"queue_policy", r.queue},
          {"seed", r.seed},
          {"jobs", r.jobs},
          {"completed", r.completed},
          {"unschedulable", r.unschedulable},
          {"preemptions", r.preemptions},
          {"makespan_s", round_significant(r.makespan_s)},
          {"jct_s", distribution(r.jct_s)},
          {"queueing_delay_s", distribution(r.queueing_s)},
          {"gpu_alloc_pct_avg", round_significant(r.gpu_alloc_pct_avg)},
          {"cpu_alloc_pct_avg", round_significant(r.cpu_alloc_pct_avg)},
          {"gpu_frag_pct_avg", round_significant(r.frag_pct_avg)},
          {"gpu_frag_ratio_pct_avg", round_significant(r.frag_ratio_pct_avg)},
          {"gpu_hours_allocated", round_significant(r.gpu_hours_allocated)},
          {"fleet_cost_usd", optional_number(r.fleet_cost_usd)},
          {"allocated_cost_usd", optional_number(r.allocated_cost_usd)},
          {"fleet_cost_usd_per_completed_job",
           r.fleet_cost_usd && r.completed ? nlohmann::json(round_significant(*r.fleet_cost_usd / r.completed))
                                           : nlohmann::json()},
          {"unpriced_gpu_models", r.unpriced_models}};
}

std::string schedule_results_csv(const std::vector<sched::JobSimResult>& runs) {
  std::string out =
      "placement_policy,queue_policy,seed,jobs,completed,unschedulable,preemptions,makespan_s,jct_s_mean,jct_s_p50,"
      "jct_s_p90,jct_s_p99,queueing_s_mean,queueing_s_p50,queueing_s_p99,gpu_alloc_pct_avg,cpu_alloc_pct_avg,"
      "gpu_frag_pct_avg,gpu_frag_ratio_pct_avg,gpu_hours_allocated,fleet_cost_usd,allocated_cost_usd\n";
  for (const auto& r : runs) {
    auto pct = [](const Histogram& h, double p) { return h.count() ? fmt::format("{}", round_significant(h.percentile(p))) : std::string(); };
    auto mean = [](const Histogram& h) { return h.count() ? fmt::format("{}", round_significant(h.mean())) : std::string(); };
    auto opt = [](const std::optional<double>& v) { return v ? fmt::format("{}", round_significant(*v)) : std::string(); };
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.placement, r.queue, r.seed,
                       r.jobs, r.completed, r.unschedulable, r.preemptions, round_significant(r.makespan_s),
                       mean(r.jct_s), pct(r.jct_s, 50), pct(r.jct_s, 90), pct(r.jct_s, 99), mean(r.queueing_s),
                       pct(r.queueing_s, 50), pct(r.queueing_s, 99), round_significant(r.gpu_alloc_pct_avg),
                       round_significant(r.cpu_alloc_pct_avg), round_significant(r.frag_pct_avg),
                       round_significant(r.frag_ratio_pct_avg), round_significant(r.gpu_hours_allocated),
                       opt(r.fleet_cost_usd), opt(r.allocated_cost_usd));
  }
  return out;
}

std::string schedule_results_table(const std::vector<sched::JobSimResult>& runs) {
  std::string out = fmt::format("{:<15} {:<6} {:>7} {:>6} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6} {:>6} {:>9} {:>12} {:>10}\n",
                                "placement", "queue", "done", "unsch", "preem", "JCT p50 h", "JCT p99 h", "wait avg",
                                "wait p99", "makespan", "GPU %", "frag %", "GPU-h", "fleet $", "used $");
  for (const auto& r : runs) {
    auto h = [](const Histogram& x, double p) { return x.count() ? hours(x.percentile(p)) : std::string("-"); };
    out += fmt::format("{:<15} {:<6} {:>7} {:>6} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6.1f} {:>6.1f} {:>9.0f} {:>12} {:>10}\n",
                       r.placement, r.queue, r.completed, r.unschedulable, r.preemptions, h(r.jct_s, 50), h(r.jct_s, 99),
                       r.queueing_s.count() ? hours(r.queueing_s.mean()) : "-", h(r.queueing_s, 99), hours(r.makespan_s),
                       r.gpu_alloc_pct_avg, r.frag_pct_avg, r.gpu_hours_allocated, or_dash(r.fleet_cost_usd, "{:.0f}"),
                       or_dash(r.allocated_cost_usd, "{:.0f}"));
  }
  out += "(times in hours; GPU % and frag % are time averages over the run; fleet $ = every GPU node for the makespan;\n used $ = GPU-hours held, at each model's price)\n";
  for (const auto& r : runs)
    if (!r.unpriced_models.empty()) {
      std::vector<std::string> names;
      for (const auto& m : r.unpriced_models) names.push_back(m.empty() ? "(unlabeled; see --gpu-model)" : m);
      out += fmt::format("no price for GPU model(s) {}: costs not reported (give them with --gpu-prices)\n",
                         fmt::join(names, ", "));
      break;
    }
  return out;
}

std::string schedule_series_csv(const std::vector<sched::JobSimResult>& runs) {
  std::string out = "placement_policy,queue_policy,time_s,gpu_alloc_pct,cpu_alloc_pct,gpu_frag_pct,gpu_frag_ratio_pct,running,waiting\n";
  for (const auto& r : runs)
    for (const auto& s : r.series)
      out += fmt::format("{},{},{},{:.4f},{:.4f},{:.4f},{:.4f},{},{}\n", r.placement, r.queue, round_significant(s.time_s, 9),
                         s.gpu_alloc_pct, s.cpu_alloc_pct, s.frag_pct, s.frag_ratio_pct, s.running, s.waiting);
  return out;
}

std::string schedule_jobs_csv(const std::vector<sched::JobSimResult>& runs) {
  std::string out = "placement_policy,queue_policy,job,submit_s,start_s,finish_s,queueing_s,jct_s,preemptions,unschedulable,nodes\n";
  for (const auto& r : runs)
    for (const auto& j : r.outcomes) {
      const bool ran = j.finish_s >= 0;
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", r.placement, r.queue, j.name, j.submit_s,
                         ran ? fmt::format("{}", j.start_s) : "", ran ? fmt::format("{}", j.finish_s) : "",
                         ran ? fmt::format("{}", j.start_s - j.submit_s) : "",
                         ran ? fmt::format("{}", j.finish_s - j.submit_s) : "", j.preemptions, j.unschedulable ? 1 : 0,
                         fmt::join(j.nodes, "|"));
    }
  return out;
}

std::vector<Chart> schedule_charts(const std::vector<sched::JobSimResult>& runs) {
  Chart alloc{"GPU allocated", "time (hours)", "% of GPU capacity", {}};
  Chart frag{"GPU fragmentation (FGD measure)", "time (hours)", "% of GPU capacity", {}};
  Chart waiting{"Jobs waiting", "time (hours)", "jobs", {}};
  for (const auto& r : runs) {
    const std::string name = r.placement + " / " + r.queue;
    ChartSeries a{name, {}}, f{name, {}}, w{name, {}};
    for (const auto& s : r.series) {
      const double h = s.time_s / 3600.0;
      a.points.emplace_back(h, s.gpu_alloc_pct);
      f.points.emplace_back(h, s.frag_pct);
      w.points.emplace_back(h, static_cast<double>(s.waiting));
    }
    alloc.series.push_back(std::move(a)), frag.series.push_back(std::move(f)), waiting.series.push_back(std::move(w));
  }
  return {alloc, frag, waiting};
}

std::vector<Chart> replay_charts(const std::vector<sched::ReplayCell>& cells) {
  std::vector<Chart> charts;
  for (std::size_t i = 0; i < cells.size();) {
    const std::string workload = cells[i].workload;
    Chart alloc{workload + ": GPU allocation", "GPU request arrived (% of capacity)", "GPU allocated (% of capacity)", {}};
    Chart ratio{workload + ": fragmentation ratio", "GPU request arrived (% of capacity)", "fragmented / idle GPU (%)", {}};
    while (i < cells.size() && cells[i].workload == workload) {
      const std::string policy = cells[i].policy;
      const std::size_t columns = cells[i].curves.allocation_pct.size();
      std::vector<double> sum_alloc(columns, 0), sum_ratio(columns, 0);
      std::vector<int> n(columns, 0);
      for (; i < cells.size() && cells[i].workload == workload && cells[i].policy == policy; ++i)
        for (std::size_t k = 0; k < columns; ++k)
          if (cells[i].curves.allocation_pct[k]) {
            sum_alloc[k] += *cells[i].curves.allocation_pct[k];
            sum_ratio[k] += cells[i].curves.fragmentation_ratio[k].value_or(0.0);
            ++n[k];
          }
      ChartSeries a{policy, {}}, r{policy, {}};
      for (std::size_t k = 0; k < columns; ++k)
        if (n[k]) {
          a.points.emplace_back(static_cast<double>(k), sum_alloc[k] / n[k]);
          r.points.emplace_back(static_cast<double>(k), sum_ratio[k] / n[k]);
        }
      alloc.series.push_back(std::move(a));
      ratio.series.push_back(std::move(r));
    }
    charts.push_back(std::move(alloc));
    charts.push_back(std::move(ratio));
  }
  return charts;
}

}  // namespace xpusim

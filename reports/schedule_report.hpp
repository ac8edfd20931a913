#pragma once
// Reports of cluster-scheduling runs: one row per (placement policy, queue policy), in JSON, CSV
// and a terminal table, plus the utilization and fragmentation time series of every run.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/html_chart.hpp"
#include "scheduler/event_sim/job_simulation.hpp"
#include "scheduler/replay/replay_matrix.hpp"

namespace xpusim {

nlohmann::json to_json(const sched::JobSimResult& r);
std::string schedule_results_csv(const std::vector<sched::JobSimResult>& runs);
std::string schedule_results_table(const std::vector<sched::JobSimResult>& runs);
// time_s, then one column group per run: gpu_alloc_pct, cpu_alloc_pct, frag_pct, frag_ratio_pct,
// running, waiting (long format: one line per run and sample).
std::string schedule_series_csv(const std::vector<sched::JobSimResult>& runs);
// One line per job and run: submit, start, finish, queueing, JCT, preemptions, nodes.
std::string schedule_jobs_csv(const std::vector<sched::JobSimResult>& runs);

// Charts for report.html: allocation, fragmentation and queue length over time, one line per run.
std::vector<Chart> schedule_charts(const std::vector<sched::JobSimResult>& runs);
// Per trace: allocation and fragmentation ratio against arrived request, seed-mean per policy.
std::vector<Chart> replay_charts(const std::vector<sched::ReplayCell>& cells);

}  // namespace xpusim

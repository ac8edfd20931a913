// `xpusim schedule`: a trace over time on a cluster, with departures, for every combination of
// placement and queue policy; job completion times, queueing, utilization, fragmentation and cost.
#include <cstdio>

#include <fmt/format.h>

#include "reports/report_writer.hpp"
#include "reports/schedule_report.hpp"
#include "scheduler/event_sim/job_simulation.hpp"
#include "scheduler/placement_policy.hpp"
#include "sim/cli/commands.hpp"
#include "sim/engine/input_error.hpp"
#include "sim/engine/timer.hpp"
#include "sim/scenario/cluster_study.hpp"
#include "workloads/traces/synthetic_trace.hpp"
#include "workloads/traces/trace_readers.hpp"

namespace xpusim::cli {

Action add_schedule_command(CLI::App& app) {
  struct Flags {
    std::string nodes, pods, cluster, nodes_format = "auto", pods_format = "auto", philly_cluster, gpu_prices, gpu_model,
        interference;
    std::vector<std::string> placements = {"best-fit", "fgd"}, queues = {"fifo"};
    std::vector<double> las_thresholds = {3600.0, 36000.0};
    int64_t seed = 42;
    double sample_interval = 0, prediction_error = 0;
    bool strict_order = false, speed_scaling = false, skip_bad_rows = false, jobs_csv = false;
    OutputOptions output;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("schedule", "replay a trace over time with departures: JCT, queueing, "
                                 "utilization, fragmentation and fleet cost per placement x queue policy");
  cmd->add_option("--nodes", f->nodes, "cluster: openb node list, PAI machine spec or Tiresias cluster spec");
  cmd->add_option("--pods", f->pods, "jobs: openb pod list, PAI task table, Philly-derived or Tiresias job list");
  cmd->add_option("--cluster", f->cluster,
                  "instead of --nodes and --pods: a pooled-GPU cluster file whose jobs (without a \"server\") the pool "
                  "places on remote GPUs and fractions as they arrive, their speed from the device and network models");
  cmd->add_option("--nodes-format", f->nodes_format, "auto (from the header), openb, pai, tiresias");
  cmd->add_option("--pods-format", f->pods_format, "auto (from the header), openb, pai-task, philly, tiresias");
  cmd->add_option("--philly-cluster", f->philly_cluster, "keep only this virtual cluster of the Philly table");
  cmd->add_option("--gpu-model", f->gpu_model, "label the GPUs of an unlabeled cluster (Tiresias spec), e.g. V100");
  cmd->add_option("--policy", f->placements,
                  "placement policies (default best-fit,fgd); with --cluster, the pool's to compare: pack, "
                  "spread, near")
      ->delimiter(',');
  cmd->add_option("--queue", f->queues, "queue policies: fifo, sjf, srtf, las (default fifo)")->delimiter(',');
  cmd->add_option("--las-thresholds", f->las_thresholds, "LAS queue limits in GPU-seconds (default 3600,36000)")
      ->delimiter(',');
  cmd->add_option("--seed", f->seed, "seed for node tie-break ranks and random draws (default 42)");
  cmd->add_option("--gpu-prices", f->gpu_prices, "JSON file of GPU prices/throughputs added to the built-in table");
  cmd->add_option("--sample-interval", f->sample_interval, "seconds between time-series samples (default span/200)");
  cmd->add_option("--interference", f->interference,
                  "jobs sharing a GPU slow each other: \"measured\" (per-model factors from the GPU table) or the "
                  "throughput a job keeps beside one other, e.g. 0.7 (default: off)");
  cmd->add_option("--prediction-error", f->prediction_error,
                  "SJF/SRTF see durations x exp(N(0, sigma)), sigma given here (default 0: exact)");
  cmd->add_flag("--strict-order", f->strict_order, "a job that does not fit blocks those behind it (no backfill)");
  cmd->add_flag("--speed-scaling", f->speed_scaling, "durations are V100 times; slower GPUs take longer");
  cmd->add_flag("--jobs-csv", f->jobs_csv, "also write jobs.csv (one line per job and run) with --out");
  cmd->add_flag("--skip-bad-rows", f->skip_bad_rows, "skip and count unusable trace rows instead of stopping");
  add_output_options(*cmd, f->output);
  return [f, cmd] {
    if (!f->cluster.empty()) {
      if (!f->nodes.empty() || !f->pods.empty()) throw InputError("--cluster", "", "give --cluster or --nodes and --pods, not both");
      for (const char* flag : {"--nodes-format", "--pods-format", "--philly-cluster", "--gpu-model", "--queue",
                               "--las-thresholds", "--seed", "--gpu-prices", "--sample-interval", "--interference",
                               "--prediction-error", "--strict-order", "--speed-scaling", "--jobs-csv",
                               "--skip-bad-rows"})
        if (cmd->count(flag) > 0)
          throw InputError(flag, "", "applies to a trace (--nodes and --pods), not to --cluster");
      // --policy names the pool's placements to compare; without it, the file's own.
      std::vector<std::string> placements;
      if (cmd->count("--policy") > 0) placements = f->placements;
      for (const std::string& name : placements)
        if (!placement_named(name))
          throw InputError("--policy", "",
                           fmt::format("unknown pool placement \"{}\" (with --cluster: pack, spread, near)", name));
      return run_cluster_file(f->cluster, f->output, "schedule", placements);
    }
    if (f->nodes.empty()) throw InputError("--nodes", "", "required (or --cluster)");
    if (f->pods.empty()) throw InputError("--pods", "", "required (or --cluster)");
    const BadRows bad = f->skip_bad_rows ? BadRows::skip : BadRows::reject;
    NodeList nodes = read_node_list(f->nodes, f->nodes_format, bad);
    if (!f->gpu_model.empty())
      for (auto& n : nodes.nodes)
        if (n.gpu_count > 0 && n.gpu_model.empty()) n.gpu_model = f->gpu_model;
    const PodList pods = read_pod_list(f->pods, f->pods_format, bad, f->philly_cluster);
    for (const auto& p : pods.pods)
      if (p.duration_s < 0)
        throw InputError(f->pods, "", "has no job durations (creation and deletion times); `schedule` needs them, "
                                      "`replay` does not");
    for (const RowProblems* list : {static_cast<const RowProblems*>(&nodes.problems), &pods.problems})
      if (list->skipped) std::fprintf(stderr, "skipped %zu bad row(s); first: %s\n", list->skipped, list->first_messages[0].c_str());
    if (f->sample_interval < 0) throw InputError("--sample-interval", "", "must be >= 0");
    if (!(f->prediction_error >= 0 && f->prediction_error <= 10)) throw InputError("--prediction-error", "", "must be in [0, 10]");
    for (double t : f->las_thresholds)
      if (!(t > 0)) throw InputError("--las-thresholds", "", "thresholds must be positive");
    std::optional<sched::Interference> interference;
    if (f->interference == "measured") {
      interference = sched::Interference{};
    } else if (!f->interference.empty()) {
      char* end = nullptr;
      const double factor = std::strtod(f->interference.c_str(), &end);
      if (*end != '\0' || !(factor > 0 && factor <= 1))
        throw InputError("--interference", "", "expected \"measured\" or a factor in (0, 1], got \"" + f->interference + "\"");
      interference = sched::Interference{factor};
    }
    sched::GpuEconomics economics = sched::GpuEconomics::builtin();
    if (!f->gpu_prices.empty()) economics.merge_file(f->gpu_prices);

    std::vector<sched::JobSimResult> runs;
    const Timer timer;
    for (const auto& placement : f->placements)
      for (const auto& queue : f->queues) {
        sched::JobSimConfig c;
        c.placement = placement;
        c.queue = queue;
        c.queue_options.las_thresholds_gpu_s = f->las_thresholds;
        c.seed = f->seed;
        c.backfill = !f->strict_order;
        c.speed_scaling = f->speed_scaling;
        c.sample_interval_s = f->sample_interval;
        c.economics = &economics;
        c.interference = interference;
        c.prediction_error = f->prediction_error;
        runs.push_back(sched::simulate_jobs(nodes.nodes, pods.pods, c));
      }
    const double seconds = timer.seconds();

    nlohmann::json config = {{"nodes", f->nodes}, {"pods", f->pods}, {"nodes_format", f->nodes_format},
                             {"pods_format", f->pods_format}, {"philly_cluster", f->philly_cluster},
                             {"gpu_model", f->gpu_model}, {"placement_policies", f->placements},
                             {"queue_policies", f->queues}, {"las_thresholds_gpu_s", f->las_thresholds},
                             {"seed", f->seed}, {"gpu_prices", f->gpu_prices}, {"strict_order", f->strict_order},
                             {"speed_scaling", f->speed_scaling}, {"interference", f->interference.empty() ? "off" : f->interference},
                             {"prediction_error", f->prediction_error}, {"sample_interval_s", f->sample_interval},
                             {"bad_rows", f->skip_bad_rows ? "skip" : "reject"},
                             {"cluster", {{"nodes", nodes.nodes.size()}, {"skipped_rows", nodes.problems.skipped}}},
                             {"trace", {{"jobs", pods.pods.size()}, {"skipped_rows", pods.problems.skipped}}}};
    nlohmann::json results = nlohmann::json::array();
    for (const auto& r : runs) results.push_back(to_json(r));
    NamedFiles extra;
    if (!f->output.out_dir.empty()) {
      extra = {{"series.csv", schedule_series_csv(runs)},
               {"report.html", html_page("xpusim schedule: " + f->pods, schedule_charts(runs), schedule_results_table(runs))}};
      if (f->jobs_csv) extra.emplace_back("jobs.csv", schedule_jobs_csv(runs));
    }
    emit(f->output, make_report("schedule", config, results), schedule_results_table(runs), schedule_results_csv(runs),
         extra);
    std::fprintf(stderr, "schedule: %zu runs of %zu jobs in %.2f s\n", runs.size(), pods.pods.size(), seconds);
  };
}

Action add_synth_command(CLI::App& app) {
  struct Flags {
    std::string nodes, templ, out;
    SyntheticTraceConfig config;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("synth", "write a synthetic pod list: shapes and durations drawn from a real "
                                 "trace, Poisson arrivals offering --load x the cluster's GPU capacity");
  cmd->add_option("--nodes", f->nodes, "the cluster the load is scaled to")->required();
  cmd->add_option("--template", f->templ, "trace to draw jobs from (needs durations)")->required();
  cmd->add_option("--jobs", f->config.jobs, "number of jobs (default 100000)");
  cmd->add_option("--load", f->config.load, "offered GPU load, fraction of capacity (default 0.8)");
  cmd->add_option("--seed", f->config.seed, "seed (default 1)");
  cmd->add_option("--max-duration", f->config.max_duration_s, "cut longer durations to this many seconds (default: keep)");
  cmd->add_flag("--keep-gpu-spec", f->config.keep_gpu_spec, "keep the template's GPU-model constraints");
  cmd->add_option("--out", f->out, "output CSV (openb pod-list layout)")->required();
  return [f] {
    const NodeList nodes = read_node_list(f->nodes);
    int64_t capacity = 0;
    for (const auto& n : nodes.nodes) capacity += int64_t{n.gpu_count} * 1000;
    if (f->config.jobs == 0 || f->config.jobs > 100'000'000) throw InputError("--jobs", "", "must be in [1, 1e8]");
    const PodList trace = synthesize_trace(read_pod_list(f->templ), capacity, f->config);
    write_output_file("--out", f->out, to_openb_csv(trace.pods));
    std::fprintf(stderr, "synth: %zu jobs over %.1f days written to %s\n", trace.pods.size(),
                 trace.pods.back().submit_s / 86400.0, f->out.c_str());
  };
}

}  // namespace xpusim::cli

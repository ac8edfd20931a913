// `xpusim replay`: the FGD paper's allocation experiment on real traces, with the paper's own
// results as the reference to compare against.
#include <cstdio>

#include <fmt/format.h>

#include "reports/report_writer.hpp"
#include "reports/schedule_report.hpp"
#include "scheduler/replay/replay_matrix.hpp"
#include "sim/cli/commands.hpp"
#include "sim/engine/input_error.hpp"
#include "sim/engine/timer.hpp"
#include "sim/scenario/seeds.hpp"

namespace xpusim::cli {

namespace {

std::string comparison_table(const std::vector<sched::ReplayComparison>& rows, int percent, double tolerance) {
  std::string out = fmt::format("GPU allocation at {}% of capacity requested (mean over seeds)\n", percent);
  out += fmt::format("{:<28} {:<15} {:>5} {:>9} {:>9} {:>8} {:>13} {:>9}\n", "workload", "policy", "seeds", "alloc %",
                     "ref %", "diff pp", "range %", "failed");
  for (const auto& r : rows) {
    const std::string ref = r.reference_pct ? fmt::format("{:.2f}", *r.reference_pct) : "-";
    const std::string diff = r.reference_pct ? fmt::format("{:+.2f}{}", r.mean_pct - *r.reference_pct,
                                                           std::abs(r.mean_pct - *r.reference_pct) <= tolerance ? "" : "!")
                                             : "-";
    out += fmt::format("{:<28} {:<15} {:>5} {:>9.2f} {:>9} {:>8} {:>6.2f}-{:<6.2f} {:>9.1f}\n", r.workload, r.policy,
                       r.seeds, r.mean_pct, ref, diff, r.min_pct, r.max_pct, r.failed_pods_mean);
  }
  return out;
}

std::string comparison_csv(const std::vector<sched::ReplayComparison>& rows) {
  std::string out = "workload,policy,seeds,alloc_pct_mean,reference_pct,diff_pp,alloc_pct_min,alloc_pct_max,failed_pods_mean\n";
  for (const auto& r : rows)
    out += fmt::format("{},{},{},{:.4f},{},{},{:.2f},{:.2f},{:.1f}\n", r.workload, r.policy, r.seeds, r.mean_pct,
                       r.reference_pct ? fmt::format("{:.4f}", *r.reference_pct) : "",
                       r.reference_pct ? fmt::format("{:.4f}", r.mean_pct - *r.reference_pct) : "", r.min_pct,
                       r.max_pct, r.failed_pods_mean);
  return out;
}

}  // namespace

Action add_replay_command(CLI::App& app) {
  struct Flags {
    std::string nodes, seeds = "42-51", reference;
    std::vector<std::string> pods;
    std::vector<std::string> policies = {"random", "dot-product", "gpu-clustering", "gpu-packing", "best-fit", "fgd"};
    double inflate = 1.3, tolerance = 1.0;
    int hidden_draws = 10, jobs = 1, at = 100;
    bool skip_bad_rows = false;
    OutputOptions output;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("replay", "the FGD paper's allocation experiment: pods arrive in a seeded order "
                                 "until the GPU request is --inflate x capacity, never leave; allocation and "
                                 "fragmentation per 1% of arrived request, in the paper's CSV layout");
  cmd->add_option("--nodes", f->nodes, "node list (openb_node_list_gpu_node.csv, PAI machine spec, ...)")->required();
  cmd->add_option("--pods", f->pods, "pod lists, comma-separated (openb_pod_list_*.csv)")->required()->delimiter(',');
  cmd->add_option("--policy", f->policies, "placement policies, comma-separated (default: the paper's six)")
      ->delimiter(',');
  cmd->add_option("--seeds", f->seeds, "seeds: 42-51, or 42,43 (default 42-51)");
  cmd->add_option("--inflate", f->inflate, "GPU request as a multiple of GPU capacity (default 1.3)");
  cmd->add_option("--hidden-draws", f->hidden_draws, "draws the reference makes before the node ranks (default 10, found by matching its results)");
  cmd->add_option("--reference", f->reference, "published analysis_allo_discrete.csv to compare with");
  cmd->add_option("--at", f->at, "arrived request, % of capacity, for the summary (default 100)");
  cmd->add_option("--tolerance", f->tolerance, "pp difference from the reference marked with ! (default 1.0)");
  cmd->add_option("--jobs", f->jobs, "runs in parallel (default 1; results do not depend on it)");
  cmd->add_flag("--skip-bad-rows", f->skip_bad_rows, "skip and count unusable trace rows instead of stopping");
  add_output_options(*cmd, f->output);
  return [f] {
    if (!(f->inflate > 0 && f->inflate <= 100)) throw InputError("--inflate", "", "must be in (0, 100]");
    if (f->jobs < 1 || f->jobs > 256) throw InputError("--jobs", "", "must be in [1, 256]");
    if (f->hidden_draws < 0) throw InputError("--hidden-draws", "", "must be >= 0");
    if (f->at < 0 || f->at > 130) throw InputError("--at", "", "must be in [0, 130]");
    sched::ReplayMatrixConfig config;
    config.nodes_path = f->nodes;
    config.pod_paths = f->pods;
    config.policies = f->policies;
    config.seeds = parse_seeds(f->seeds);
    config.inflate = f->inflate;
    config.hidden_draws = f->hidden_draws;
    config.jobs = f->jobs;
    config.bad_rows = f->skip_bad_rows ? BadRows::skip : BadRows::reject;
    std::optional<sched::ReferenceResults> reference;
    if (!f->reference.empty()) reference = sched::read_reference_allocation(f->reference);

    const Timer timer;
    const auto cells = sched::run_replay_matrix(config);
    const double seconds = timer.seconds();
    const auto rows = sched::compare_with_reference(cells, reference ? &*reference : nullptr, f->at);

    nlohmann::json cfg = {{"nodes", f->nodes}, {"pods", f->pods}, {"policies", f->policies},
                          {"seeds", config.seeds}, {"inflate", f->inflate}, {"hidden_draws", f->hidden_draws},
                          {"reference", f->reference}, {"at_pct", f->at}, {"bad_rows", f->skip_bad_rows ? "skip" : "reject"}};
    nlohmann::json results = nlohmann::json::array();
    for (const auto& r : rows)
      results.push_back({{"workload", r.workload}, {"policy", r.policy}, {"seeds", r.seeds},
                         {"gpu_alloc_pct_mean", round_significant(r.mean_pct)},
                         {"gpu_alloc_pct_min", r.min_pct}, {"gpu_alloc_pct_max", r.max_pct},
                         {"reference_gpu_alloc_pct", r.reference_pct ? nlohmann::json(round_significant(*r.reference_pct)) : nlohmann::json()},
                         {"failed_pods_mean", r.failed_pods_mean}});
    NamedFiles extra;
    if (!f->output.out_dir.empty())
      extra = {{"analysis_allo_discrete.csv", sched::allocation_csv(cells, f->inflate)},
               {"analysis_frag_discrete.csv", sched::fragmentation_csv(cells, f->inflate)},
               {"analysis_frag_ratio_discrete.csv", sched::fragmentation_ratio_csv(cells, f->inflate)},
               {"report.html", html_page("xpusim replay (FGD protocol)", replay_charts(cells),
                                         comparison_table(rows, f->at, f->tolerance))}};
    emit(f->output, make_report("replay", cfg, results), comparison_table(rows, f->at, f->tolerance),
         comparison_csv(rows), extra);
    std::fprintf(stderr, "replay: %zu runs in %.2f s\n", cells.size(), seconds);
  };
}

}  // namespace xpusim::cli

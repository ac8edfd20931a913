#include "sim/cli/commands.hpp"
#include "sim/engine/json_input.hpp"
#include "models/catalog/catalog.hpp"
#include "reports/cluster_report.hpp"
#include "reports/flow_report.hpp"
#include "reports/report_writer.hpp"
#include "sim/scenario/cluster_study.hpp"
#include "sim/scenario/flow_study.hpp"
#include "sim/scenario/study.hpp"

namespace xpusim::cli {

Action add_run_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto output = std::make_shared<OutputOptions>();
  auto* cmd = app.add_subcommand(
      "run",
      "run a scenario file: a model study; a cluster of client VMs and (fractions of) remote GPUs with jobs; or a "
      "network (\"topology\", or several: \"topologies\") and the messages sent over it");
  cmd->add_option("scenario", *path, "scenario.json")->required();
  add_output_options(*cmd, *output);
  return [path, output] {
    const auto doc = load_json_file(*path);
    if (doc.is_object() && doc.contains("cluster")) return run_cluster_file(*path, *output, "run");
    if (doc.is_object() && (doc.contains("topology") || doc.contains("topologies"))) {
      const FlowStudy study = parse_flow_study(JsonView(doc, *path));
      std::vector<FlowStudyResult> results;
      for (const StudyNetwork& network : study.networks) results.push_back(run_flow_study(study, network));
      return emit(*output, make_report("run", resolved_config(study), flow_results_json(study, results)),
                  flow_results_table(study, results), flow_results_csv(study, results));
    }
    const StudyConfig config = parse_study(JsonView(doc, *path));
    run_model_study(config, *output, "run");
  };
}

void run_cluster_file(const std::string& path, const OutputOptions& output, const std::string& command,
                      const std::vector<std::string>& placements) {
  const auto doc = load_json_file(path);
  const Catalog& catalog = Catalog::builtin();
  ClusterStudy study = parse_cluster_study(JsonView(doc, path), catalog);
  nlohmann::json config = resolved_config(study);
  std::vector<ClusterStudyResult> result;
  if (placements.empty()) result = run_cluster_study(catalog, study);
  for (const std::string& name : placements) {
    study.placement = placement_named(name).value();
    for (auto& r : run_cluster_study(catalog, study)) result.push_back(std::move(r));
  }
  if (!placements.empty()) config["placement_policies"] = placements;
  emit(output, make_report(command, config, cluster_results_json(result)), cluster_results_table(result),
       cluster_results_csv(result));
}

}  // namespace xpusim::cli

#include "sim/cli/commands.hpp"
#include "sim/engine/json_input.hpp"
#include "sim/scenario/study.hpp"

namespace xpusim::cli {

Action add_run_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto output = std::make_shared<OutputOptions>();
  auto* cmd = app.add_subcommand("run", "run a scenario file (a model study in JSON)");
  cmd->add_option("scenario", *path, "scenario.json")->required();
  add_output_options(*cmd, *output);
  return [path, output] {
    const auto doc = load_json_file(*path);
    const StudyConfig config = parse_study(JsonView(doc, *path));
    run_model_study(config, *output, "run");
  };
}

}  // namespace xpusim::cli

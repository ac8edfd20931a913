#pragma once
// The xpusim subcommands. Each registers its flags on the CLI11 app and returns the action to run
// once parsing succeeded.
#include <functional>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace xpusim {
struct StudyConfig;
}

namespace xpusim::cli {

using Action = std::function<void()>;

// Flags every command shares: --json (report on stdout instead of the table) and --out DIR.
struct OutputOptions {
  bool json = false;
  std::string out_dir;
};
void add_output_options(CLI::App& app, OutputOptions& options);
using NamedFiles = std::vector<std::pair<std::string, std::string>>;  // (file name, content)
// Writes the files when --out was given (report.json, results.csv, config.json and `extra`, all
// or none), then prints the table or the JSON. A directory that cannot be created or written is
// bad input: an InputError naming --out.
void emit(const OutputOptions& options, const nlohmann::json& report, const std::string& table,
          const std::string& csv, const NamedFiles& extra = {});
// Writes one output file given by `flag`; failure is an InputError naming the flag.
void write_output_file(const std::string& flag, const std::string& path, const std::string& content);
// Refuses an output file that could not be written, before any work: an InputError naming the flag.
void check_output_file(const std::string& flag, const std::string& path);

// Runs a model study and emits its report (shared by `model` and `run`).
void run_model_study(const StudyConfig& config, const OutputOptions& output, const std::string& command);
// Runs a pooled-GPU cluster file (client VMs, GPU servers, jobs) and emits its report (shared by
// `run` and `schedule --cluster`): with the file's placement, or once with each of `placements`
// (names placement_named() knows).
void run_cluster_file(const std::string& path, const OutputOptions& output, const std::string& command,
                      const std::vector<std::string>& placements = {});

Action add_kernel_command(CLI::App& app);
Action add_model_command(CLI::App& app);
Action add_run_command(CLI::App& app);
Action add_calibrate_command(CLI::App& app);
Action add_replay_command(CLI::App& app);
Action add_schedule_command(CLI::App& app);
Action add_synth_command(CLI::App& app);
Action add_host_command(CLI::App& app);
Action add_train_command(CLI::App& app);
Action add_validate_command(CLI::App& app);
Action add_collective_command(CLI::App& app);

}  // namespace xpusim::cli

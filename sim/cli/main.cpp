// xpusim: simulate ML workloads on CPUs and accelerators and report what each choice costs.
// Exit codes: 0 ok, 2 bad input or usage, 1 failure.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "models/cpu/host_profile.hpp"
#include "sim/cli/commands.hpp"
#include "sim/engine/input_error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"xpusim: hardware-accelerator simulation and price-performance testbed"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every command");
  // Options of the app may follow the subcommand (`xpusim model --host-profile f.json`).
  app.fallthrough();
  std::string host_profile;
  app.add_option("--host-profile", host_profile, "this machine's measured profile: read it if it exists, "
                 "else measure and write it (default: ~/.cache/xpusim/host-profile.json)");
  std::vector<xpusim::cli::Action> actions = {
      xpusim::cli::add_kernel_command(app), xpusim::cli::add_model_command(app),
      xpusim::cli::add_run_command(app), xpusim::cli::add_calibrate_command(app),
      xpusim::cli::add_replay_command(app),   xpusim::cli::add_schedule_command(app),
      xpusim::cli::add_synth_command(app),    xpusim::cli::add_host_command(app),
      xpusim::cli::add_train_command(app),    xpusim::cli::add_validate_command(app),
      xpusim::cli::add_collective_command(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help (code 0) or the usage error
    return code == 0 ? 0 : 2;
  }
  try {
    if (!host_profile.empty()) xpusim::use_host_profile_file(host_profile);
    // Subcommands were added in the order of `actions`; run the one that was given.
    const auto all = app.get_subcommands({});
    for (std::size_t i = 0; i < all.size(); ++i)
      if (all[i]->parsed()) actions[i]();
  } catch (const xpusim::InputError& e) {
    std::fprintf(stderr, "xpusim: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "xpusim: error: %s\n", e.what());
    return 1;
  }
  return 0;
}

// `xpusim validate`: every published measurement the models cover, measured vs predicted, with
// the fitted parameters; `--fit` refits those parameters jointly and prints them.
#include <filesystem>

#include <fmt/format.h>

#include "reports/report_writer.hpp"
#include "reports/training_report.hpp"
#include "sim/cli/commands.hpp"
#include "sim/engine/input_error.hpp"
#include "sim/engine/json_input.hpp"
#include "sim/scenario/fit.hpp"
#include "sim/scenario/validation.hpp"

namespace xpusim::cli {

namespace {

ValidationSummary summarize(const ValidationReport& r, const DeviceCatalog& devices) {
  ValidationSummary s;
  for (const auto& row : r.rows)
    s.rows.push_back({row.id, row.hardware, row.workload, row.precision, row.metric, row.unit, row.device_class,
                      row.setup, row.measured, row.predicted, 100 * row.error(), 100 * row.tolerance, row.within()});
  s.not_covered = r.not_covered;
  s.accelerator_median_abs_error_pct = 100 * r.accelerator_median_abs_error;
  s.accelerator_worst_abs_error_pct = 100 * r.accelerator_worst_abs_error;
  s.cpu_worst_abs_error_pct = 100 * r.cpu_worst_abs_error;
  for (const auto& p : devices.fitted()) s.fitted.emplace_back(p.device_class + "." + p.name, p.value);
  s.fitted_about = devices.fitted_about();
  return s;
}

}  // namespace

Action add_validate_command(CLI::App& app) {
  struct Flags {
    std::string calibration = "../shared/reference/calibration.json";
    bool fit = false;
    OutputOptions output;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("validate", "every published measurement of calibration.json the models cover: "
                                 "measured vs predicted, errors, fitted parameters");
  cmd->add_option("--calibration", f->calibration, "calibration.json (default ../shared/reference/calibration.json)");
  cmd->add_flag("--fit", f->fit, "refit the accelerator catalog's fitted parameters jointly and print them "
                "(the catalog is not changed)");
  add_output_options(*cmd, f->output);
  return [f] {
    if (!std::filesystem::exists(f->calibration))
      throw InputError("--calibration", "", fmt::format("{}: no such file", f->calibration));
    const auto doc = load_json_file(f->calibration);
    const Catalog& catalog = Catalog::builtin();
    if (f->fit) {
      const FitResult fit = fit_accelerator_parameters(catalog, doc, f->calibration);
      nlohmann::json params = nlohmann::json::object();
      std::string table = fmt::format("joint fit over every Gaudi and GPU measurement: rms log error {:.4f} "
                                      "after {} evaluations\n", fit.rms_log_error, fit.evaluations);
      for (const auto& p : fit.parameters) {
        params[p.device_class + "." + p.name] = round_significant(p.value, 4);
        table += fmt::format("  {}.{} = {:.4g}\n", p.device_class, p.name, p.value);
      }
      const nlohmann::json results = {{"parameters", params}, {"rms_log_error", round_significant(fit.rms_log_error, 4)},
                                      {"evaluations", fit.evaluations}};
      emit(f->output, make_report("validate --fit", {{"calibration", f->calibration}}, results), table,
           "parameter,value\n");
      return;
    }
    const ValidationSummary s = summarize(run_validation(catalog, doc, f->calibration), catalog.devices());
    emit(f->output, make_report("validate", {{"calibration", f->calibration}}, to_json(s)), validation_table(s),
         validation_csv(s));
  };
}

}  // namespace xpusim::cli

#include <fmt/format.h>

#include "models/cpu/calibration.hpp"
#include "reports/report_writer.hpp"
#include "sim/cli/commands.hpp"
#include "sim/engine/input_error.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim::cli {

CalibrationReport to_report(const CalibrationResult& r) {
  CalibrationReport out;
  out.model = r.model;
  out.precision = std::string(precision_name(r.precision));
  out.requested_precision = std::string(precision_name(r.requested_precision));
  out.note = r.note;
  out.cpu = r.cpu_description;
  out.batch = r.batch;
  out.threads = r.threads;
  out.clock_ghz = r.clock_ghz;
  out.profile_clock = r.profile_clock;
  out.measured_clock_min_ghz = r.measured_clock_min_ghz;
  out.measured_clock_max_ghz = r.measured_clock_max_ghz;
  for (const auto& row : r.rows)
    out.rows.push_back({row.name, row.signature, row.implementation, row.bound, row.occurrences,
                        row.measured_s * 1e6, row.predicted_s * 1e6, row.error() * 100, row.clock_ghz});
  out.skipped = r.skipped;
  out.median_abs_error_pct = r.median_abs_error * 100;
  out.p90_abs_error_pct = r.p90_abs_error * 100;
  out.measured_model_ms = r.measured_total_s * 1e3;
  out.predicted_model_ms = r.predicted_total_s * 1e3;
  return out;
}

Action add_calibrate_command(CLI::App& app) {
  struct Flags {
    std::string model = "resnet50", precision = "int8";
    int64_t batch = 1, seq_len = 0;
    int threads = 1, repeats = 7, rounds = 3;
    bool profile_clock = false;
    OutputOptions output;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("calibrate", "run every distinct kernel of a model for real through "
                                 "oneDNN here and compare it with the host model's prediction");
  cmd->add_option("--model", f->model, ModelRegistry::instance().names_joined() + " (default resnet50)");
  cmd->add_option("--precision", f->precision, "int8, bf16 or fp32 (default int8)");
  cmd->add_option("--batch", f->batch, "batch size (default 1)");
  cmd->add_option("--seq-len", f->seq_len, "sequence length of sequence models (default: the model's)");
  cmd->add_option("--threads", f->threads, "threads (default 1)");
  cmd->add_option("--repeats", f->repeats, "timed repeats per kernel and round, at least (default 7)");
  cmd->add_option("--rounds", f->rounds, "interleaved passes over the model; each kernel keeps its fastest "
                  "round (default 3)");
  cmd->add_flag("--profile-clock", f->profile_clock, "predict at the host profile's clock instead of the clock "
                "measured around each kernel");
  add_output_options(*cmd, f->output);
  return [f] {
    ModelRegistry::instance().get(f->model, "--model", "model");
    auto precision = parse_precision(f->precision);
    if (!precision || (*precision != Precision::int8 && *precision != Precision::fp32 && *precision != Precision::bf16))
      throw InputError("--precision", "", fmt::format("calibration runs int8, bf16 or fp32, not \"{}\"", f->precision));
    if (f->batch <= 0) throw InputError("--batch", "", "must be a positive integer");
    if (f->threads <= 0) throw InputError("--threads", "", "must be a positive integer");
    if (f->repeats <= 0) throw InputError("--repeats", "", "must be a positive integer");
    if (f->rounds <= 0) throw InputError("--rounds", "", "must be a positive integer");
    if (f->seq_len < 0) throw InputError("--seq-len", "", "must be a positive integer");
    try {  // a sequence length the model has not (a CNN), or longer than its positions
      build_model(f->model, {f->batch, *precision, Mode::inference, f->seq_len});
    } catch (const std::invalid_argument& e) {
      throw InputError("--seq-len", "", e.what());
    }
    CalibrationOptions o;
    o.seq_len = f->seq_len;
    o.measure.min_repeats = f->repeats;
    o.rounds = f->rounds;
    o.profile_clock = f->profile_clock;
    const CalibrationReport r = to_report(calibrate_host(f->model, *precision, f->batch, f->threads, o));
    nlohmann::json config = {{"model", f->model}, {"precision", f->precision}, {"batch", f->batch},
                             {"seq_len", f->seq_len == 0 ? nlohmann::json("model default") : nlohmann::json(f->seq_len)},
                             {"threads", f->threads}, {"repeats", f->repeats}, {"rounds", f->rounds}, {"profile_clock", f->profile_clock}};
    emit(f->output, make_report("calibrate", config, to_json(r)), calibration_table(r), calibration_csv(r));
  };
}

}  // namespace xpusim::cli

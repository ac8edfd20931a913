#include "reports/report_writer.hpp"

#include <cmath>

#include <fmt/format.h>

#include "models/memory/footprint.hpp"
#include "reports/price_performance.hpp"
#include "reports/table.hpp"

namespace xpusim {

namespace {
constexpr double kGiB = 1024.0 * 1024 * 1024;
}  // namespace

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    out += csv_escape(cells[i]);
  }
  return out + "\n";
}

std::string num(double v) { return fmt::format("{}", round_significant(v)); }

std::string fixed(double v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }

double round_significant(double value, int digits) {
  if (value == 0 || !std::isfinite(value)) return value;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::abs(value)))));
  return std::round(value * scale) / scale;
}

nlohmann::json to_json(const ModelRunResult& r) {
  nlohmann::json j = {
      {"model", r.model}, {"instance", r.instance}, {"device", r.device}, {"device_class", r.device_class},
      {"devices", r.devices}, {"precision", r.precision}, {"mode", r.mode}, {"batch", r.batch},
      {"seq_len", r.seq_len}, {"threads", r.threads > 0 ? nlohmann::json(r.threads) : nlohmann::json()},
      {"kernels", r.kernels}, {"fits", r.fits},
      {"memory_gib_needed", round_significant(r.memory_gib_needed, 4)},
      {"memory_gib_available", round_significant(r.memory_gib_available, 4)},
      {"latency_ms", round_significant(r.latency_ms)},
      {"throughput_per_s", round_significant(r.throughput_per_s)},
      {"gflop_per_batch", round_significant(r.gflop)}, {"utilization", round_significant(r.utilization)},
      {"time_share", {{"compute", round_significant(r.compute_bound_share)},
                      {"memory", round_significant(r.memory_bound_share)},
                      {"overhead", round_significant(r.overhead_share)}}}};
  if (!r.fits) {
    // No time for a configuration that cannot run: its figures are null, the reason is given.
    j["does_not_fit"] = fit_message(static_cast<int64_t>(r.memory_gib_needed * kGiB),
                                    static_cast<int64_t>(r.memory_gib_available * kGiB));
    for (const char* key : {"latency_ms", "throughput_per_s", "utilization", "time_share"}) j[key] = nullptr;
  }
  if (r.price && r.fits) {
    j["usd_per_hour"] = r.price->usd_per_hour;
    j["price_date"] = r.price->date;
    j["price_source"] = r.price->source;
    j["usd_per_million"] = round_significant(usd_per_million(r.throughput_per_s, r.price->usd_per_hour));
    j["samples_per_usd"] = round_significant(samples_per_usd(r.throughput_per_s, r.price->usd_per_hour));
  } else {
    j["usd_per_hour"] = nullptr;
    j["usd_per_million"] = nullptr;
    j["samples_per_usd"] = nullptr;
  }
  return j;
}

nlohmann::json to_json(const KernelRunResult& r) {
  return {{"instance", r.instance}, {"device", r.device}, {"name", r.name}, {"kind", r.kind},
          {"signature", r.signature}, {"precision", r.precision},
          {"threads", r.threads > 0 ? nlohmann::json(r.threads) : nlohmann::json()},
          {"time_us", round_significant(r.time_us)}, {"compute_us", round_significant(r.compute_us)},
          {"memory_us", round_significant(r.memory_us)}, {"overhead_us", round_significant(r.overhead_us)},
          {"bound", r.bound}, {"memory_level", r.memory_level}, {"gflop", round_significant(r.gflop)},
          {"bytes", round_significant(r.bytes)}, {"effective_macs", round_significant(r.effective_macs)},
          {"utilization", round_significant(r.utilization)}};
}

nlohmann::json to_json(const CalibrationReport& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : r.rows)
    rows.push_back({{"name", row.name}, {"signature", row.signature},
                    {"implementation", row.implementation}, {"occurrences", row.occurrences},
                    {"measured_us", round_significant(row.measured_us)},
                    {"predicted_us", round_significant(row.predicted_us)},
                    {"error_pct", round_significant(row.error_pct, 4)}, {"clock_ghz", round_significant(row.clock_ghz, 4)},
                    {"bound", row.bound}});
  return {{"model", r.model}, {"precision", r.precision}, {"requested_precision", r.requested_precision},
          {"note", r.note}, {"cpu", r.cpu}, {"profile_clock_ghz", r.clock_ghz},
          {"predicted_at", r.profile_clock ? "profile clock" : "clock measured around each kernel"},
          {"measured_clock_ghz_min", round_significant(r.measured_clock_min_ghz, 4)},
          {"measured_clock_ghz_max", round_significant(r.measured_clock_max_ghz, 4)}, {"batch", r.batch},
          {"threads", r.threads}, {"kernels", rows}, {"skipped", r.skipped},
          {"median_abs_error_pct", round_significant(r.median_abs_error_pct, 4)},
          {"p90_abs_error_pct", round_significant(r.p90_abs_error_pct, 4)},
          {"measured_model_ms", round_significant(r.measured_model_ms)},
          {"predicted_model_ms", round_significant(r.predicted_model_ms)}};
}

std::string model_results_csv(const std::vector<ModelRunResult>& rows) {
  std::string out = csv_line({"model", "instance", "device", "devices", "precision", "mode", "batch", "seq_len",
                              "threads", "memory_gib_needed", "memory_gib_available", "latency_ms",
                              "throughput_per_s", "utilization", "usd_per_hour", "usd_per_million",
                              "samples_per_usd", "price_date"});
  for (const auto& r : rows) {
    const bool p = r.price.has_value() && r.fits;
    out += csv_line({r.model, r.instance, r.device, std::to_string(r.devices), r.precision, r.mode,
                     std::to_string(r.batch), std::to_string(r.seq_len), r.threads > 0 ? std::to_string(r.threads) : "",
                     num(r.memory_gib_needed), num(r.memory_gib_available), r.fits ? num(r.latency_ms) : "",
                     r.fits ? num(r.throughput_per_s) : "", r.fits ? num(r.utilization) : "",
                     p ? num(r.price->usd_per_hour) : "",
                     p ? num(usd_per_million(r.throughput_per_s, r.price->usd_per_hour)) : "",
                     p ? num(samples_per_usd(r.throughput_per_s, r.price->usd_per_hour)) : "",
                     p ? r.price->date : ""});
  }
  return out;
}

std::string model_results_table(const std::vector<ModelRunResult>& rows) {
  TextTable t({"model", "prec", "batch", "instance", "latency ms", "samples/s", "util %", "$/hour",
               "$ per 1M", "samples/$"});
  std::string unfit;
  for (const auto& r : rows) {
    if (!r.fits) {
      t.add_row({r.model, r.precision, std::to_string(r.batch), r.instance, "does not fit", "-", "-", "-", "-", "-"});
      unfit += fmt::format("{} {} batch {} on {} does not fit: {}\n", r.model, r.precision, r.batch, r.instance,
                           fit_message(static_cast<int64_t>(r.memory_gib_needed * kGiB),
                                       static_cast<int64_t>(r.memory_gib_available * kGiB)));
      continue;
    }
    const bool p = r.price.has_value();
    t.add_row({r.model, r.precision, std::to_string(r.batch), r.instance, fixed(r.latency_ms, 2),
               fixed(r.throughput_per_s, 1), fixed(100 * r.utilization, 1),
               p ? fixed(r.price->usd_per_hour, 4) : "n/a",
               p ? fixed(usd_per_million(r.throughput_per_s, r.price->usd_per_hour), 3) : "n/a",
               p ? fmt::format("{:.0f}", samples_per_usd(r.throughput_per_s, r.price->usd_per_hour)) : "n/a"});
  }
  return t.render() + (unfit.empty() ? "" : "\n" + unfit);
}

std::string kernel_results_csv(const std::vector<KernelRunResult>& rows) {
  std::string out = csv_line({"instance", "name", "signature", "threads", "time_us", "compute_us",
                              "memory_us", "overhead_us", "bound", "memory_level", "utilization"});
  for (const auto& r : rows)
    out += csv_line({r.instance, r.name, r.signature, std::to_string(r.threads), num(r.time_us),
                     num(r.compute_us), num(r.memory_us), num(r.overhead_us), r.bound,
                     r.memory_level, num(r.utilization)});
  return out;
}

std::string kernel_results_table(const std::vector<KernelRunResult>& rows) {
  TextTable t({"instance", "kernel", "threads", "time us", "compute us", "memory us", "overhead us",
               "bound", "level", "util %"});
  for (const auto& r : rows)
    t.add_row({r.instance, r.signature, std::to_string(r.threads), fixed(r.time_us, 2),
               fixed(r.compute_us, 2), fixed(r.memory_us, 2), fixed(r.overhead_us, 2), r.bound,
               r.memory_level, fixed(100 * r.utilization, 1)});
  return t.render();
}

std::string calibration_csv(const CalibrationReport& r) {
  std::string out = csv_line({"name", "signature", "implementation", "occurrences", "measured_us",
                              "predicted_us", "error_pct", "bound"});
  for (const auto& row : r.rows)
    out += csv_line({row.name, row.signature, row.implementation, std::to_string(row.occurrences),
                     num(row.measured_us), num(row.predicted_us), num(row.error_pct), row.bound});
  return out;
}

std::string calibration_table(const CalibrationReport& r) {
  TextTable t({"layer", "kernel", "oneDNN", "x", "measured us", "predicted us", "error %", "GHz", "bound"});
  for (const auto& row : r.rows)
    t.add_row({row.name, row.signature, row.implementation, std::to_string(row.occurrences),
               fixed(row.measured_us, 1), fixed(row.predicted_us, 1), fmt::format("{:+.1f}", row.error_pct),
               fixed(row.clock_ghz, 2), row.bound});
  std::string out = t.render();
  out += fmt::format("\n{} {} batch {} on {} thread(s) of {}\n", r.model, r.precision, r.batch, r.threads, r.cpu);
  out += r.profile_clock
             ? fmt::format("predicted at the profile's clock, {:.2f} GHz\n", r.clock_ghz)
             : fmt::format("predicted at the clock measured around each kernel, {:.2f}-{:.2f} GHz (profile: {:.2f} GHz)\n",
                           r.measured_clock_min_ghz, r.measured_clock_max_ghz, r.clock_ghz);
  if (!r.note.empty()) out += r.note + "\n";
  for (const auto& s : r.skipped) out += "not run: " + s + "\n";
  out += fmt::format("median |error| {:.1f}%   p90 |error| {:.1f}%   whole model: measured {:.2f} ms, "
                     "predicted {:.2f} ms\n", r.median_abs_error_pct, r.p90_abs_error_pct,
                     r.measured_model_ms, r.predicted_model_ms);
  return out;
}

nlohmann::json make_report(const std::string& command, const nlohmann::json& config,
                           const nlohmann::json& results) {
  return {{"schema", kReportSchema}, {"command", command}, {"config", config}, {"results", results}};
}

std::vector<std::pair<std::string, std::string>> report_files(const nlohmann::json& report, const std::string& csv) {
  return {{"report.json", report.dump(2) + "\n"}, {"results.csv", csv},
          {"config.json", report.at("config").dump(2) + "\n"}};
}

}  // namespace xpusim

#include "reports/training_report.hpp"

#include <set>

#include <fmt/format.h>

#include "models/memory/footprint.hpp"
#include "reports/report_writer.hpp"
#include "reports/table.hpp"

namespace xpusim {

namespace {
constexpr double kGiB = 1024.0 * 1024 * 1024;

std::string unfit_message(const TrainingRunResult& r) {
  return fit_message(static_cast<int64_t>(r.memory_gib_needed * kGiB), static_cast<int64_t>(r.memory_gib_available * kGiB));
}

nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(round_significant(*v)) : nlohmann::json();
}
}  // namespace

nlohmann::json to_json(const TrainingRunResult& r) {
  nlohmann::json j = {
      {"model", r.model}, {"instance", r.instance}, {"device", r.device}, {"precision", r.precision},
      {"nodes", r.nodes}, {"devices", r.devices}, {"batch_per_device", r.batch_per_device}, {"seq_len", r.seq_len},
      {"fits", r.fits}, {"memory_gib_needed", round_significant(r.memory_gib_needed, 4)},
      {"memory_gib_available", round_significant(r.memory_gib_available, 4)},
      {"step_ms", round_significant(r.step_ms)}, {"compute_ms", round_significant(r.compute_ms)},
      {"communication_ms", round_significant(r.communication_ms)},
      {"exposed_communication_ms", round_significant(r.exposed_communication_ms)},
      {"throughput_per_s", round_significant(r.throughput_per_s)},
      {"single_device_throughput_per_s", round_significant(r.single_device_throughput_per_s)},
      {"scaling_efficiency", round_significant(r.scaling_efficiency, 4)},
      {"input_limit_per_s", r.input_limit_per_s > 0 ? nlohmann::json(round_significant(r.input_limit_per_s)) : nlohmann::json()},
      {"input_bound", r.input_bound}, {"samples", r.samples},
      {"hours_to_train", round_significant(r.hours_to_train)}, {"usd_to_train", round_significant(r.usd_to_train)},
      {"baseline", r.baseline.empty() ? nlohmann::json() : nlohmann::json(r.baseline)},
      {"usd_saved_vs_baseline", optional_number(r.usd_saved_vs_baseline)},
      {"saving_pct_vs_baseline", optional_number(r.saving_pct_vs_baseline)}};
  if (r.price) {
    j["usd_per_hour"] = r.price->usd_per_hour * r.nodes;
    j["price_date"] = r.price->date;
    j["price_source"] = r.price->source;
  } else {
    for (const char* key : {"usd_per_hour", "usd_to_train"}) j[key] = nullptr;
  }
  if (!r.fits) {
    j["does_not_fit"] = unfit_message(r);
    for (const char* key : {"step_ms", "compute_ms", "communication_ms", "exposed_communication_ms", "throughput_per_s",
                            "single_device_throughput_per_s", "scaling_efficiency", "hours_to_train", "usd_to_train"})
      j[key] = nullptr;
  }
  return j;
}

std::string training_results_csv(const std::vector<TrainingRunResult>& rows) {
  std::string out = csv_line({"model", "instance", "device", "precision", "nodes", "devices", "batch_per_device",
                              "fits", "step_ms", "compute_ms", "communication_ms", "exposed_communication_ms",
                              "throughput_per_s", "scaling_efficiency", "input_bound", "usd_per_hour",
                              "hours_to_train", "usd_to_train", "saving_pct_vs_baseline"});
  for (const auto& r : rows) {
    const bool priced = r.price && r.fits;
    out += csv_line({r.model, r.instance, r.device, r.precision, std::to_string(r.nodes), std::to_string(r.devices),
                     std::to_string(r.batch_per_device), r.fits ? "true" : "false",
                     r.fits ? num(r.step_ms) : "", r.fits ? num(r.compute_ms) : "", r.fits ? num(r.communication_ms) : "",
                     r.fits ? num(r.exposed_communication_ms) : "", r.fits ? num(r.throughput_per_s) : "",
                     r.fits ? num(r.scaling_efficiency) : "", r.input_bound ? "true" : "false",
                     r.price ? num(r.price->usd_per_hour * r.nodes) : "", r.fits ? num(r.hours_to_train) : "",
                     priced ? num(r.usd_to_train) : "",
                     r.saving_pct_vs_baseline ? num(*r.saving_pct_vs_baseline) : ""});
  }
  return out;
}

std::string training_results_table(const std::vector<TrainingRunResult>& rows) {
  TextTable t({"model", "instance", "x", "devices", "prec", "batch", "step ms", "comm ms", "exposed ms", "samples/s",
               "scaling", "$/hour", "hours", "$ to train", "vs baseline"});
  std::string notes;
  for (const auto& r : rows) {
    const std::string& instance = r.instance;
    if (!r.fits) {
      t.add_row({r.model, instance, std::to_string(r.nodes), std::to_string(r.devices), r.precision,
                 std::to_string(r.batch_per_device), "does not fit", "-", "-", "-", "-", "-", "-", "-", "-"});
      notes += fmt::format("{} on {} does not fit: {}\n", r.model, r.instance, unfit_message(r));
      continue;
    }
    const std::string saving = r.instance == r.baseline ? "baseline"
                               : r.saving_pct_vs_baseline ? fmt::format("{:+.1f}%", -*r.saving_pct_vs_baseline) : "-";
    t.add_row({r.model, instance, std::to_string(r.nodes), std::to_string(r.devices), r.precision,
               std::to_string(r.batch_per_device), fixed(r.step_ms, 1), fixed(r.communication_ms, 1),
               fixed(r.exposed_communication_ms, 1), fixed(r.throughput_per_s, 0), fixed(100 * r.scaling_efficiency, 1) + "%",
               r.price ? fixed(r.price->usd_per_hour * r.nodes, 2) : "n/a", fixed(r.hours_to_train, 2),
               r.price ? fixed(r.usd_to_train, 0) : "n/a", saving});
    if (r.input_bound)
      notes += fmt::format("{} on {}: the data loaders ({:.0f} samples/s per server) bound the step\n", r.model,
                           r.instance, r.input_limit_per_s);
  }
  std::string out = t.render();
  if (rows.empty()) return out;
  // The assumptions every figure above rests on.
  const TrainingRunResult& f = rows.front();
  out += fmt::format("\ntime and cost to train {:.0f} samples ({}); \"vs baseline\": cost relative to {}\n", f.samples,
                     f.samples_source, f.baseline.empty() ? "(no baseline)" : f.baseline);
  out += fmt::format("gradients all-reduced in {} buckets overlapped with backward, each by the fastest of NCCL's "
                     "algorithms and protocols (HCCL on Gaudi); input pipeline {}\n",
                     f.gradient_exchange, f.loader_workers_per_device > 0
                         ? fmt::format("{} host loader workers per device", f.loader_workers_per_device)
                         : std::string("not modeled (synthetic data or on-device decoding)"));
  std::set<std::string> priced;
  for (const auto& r : rows)
    if (r.price && priced.insert(r.instance).second)
      out += fmt::format("{}: ${:.4g}/hour on {} ({})\n", r.instance, r.price->usd_per_hour, r.price->date, r.price->source);
  return out + notes;
}

nlohmann::json to_json(const ValidationSummary& s) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : s.rows)
    rows.push_back({{"id", r.id}, {"hardware", r.hardware}, {"workload", r.workload}, {"precision", r.precision},
                    {"metric", r.metric}, {"unit", r.unit}, {"device_class", r.device_class},
                    {"measured", r.measured}, {"predicted", round_significant(r.predicted)},
                    {"error_pct", round_significant(r.error_pct, 4)}, {"tolerance_pct", r.tolerance_pct},
                    {"within", r.within}, {"setup", r.setup}});
  nlohmann::json fitted = nlohmann::json::object();
  for (const auto& [name, value] : s.fitted) fitted[name] = value;
  return {{"measurements", rows}, {"not_covered", s.not_covered},
          {"accelerator_median_abs_error_pct", round_significant(s.accelerator_median_abs_error_pct, 4)},
          {"accelerator_worst_abs_error_pct", round_significant(s.accelerator_worst_abs_error_pct, 4)},
          {"cpu_worst_abs_error_pct", round_significant(s.cpu_worst_abs_error_pct, 4)},
          {"fitted_parameters", fitted}, {"fitted_about", s.fitted_about}};
}

std::string validation_csv(const ValidationSummary& s) {
  std::string out = csv_line({"id", "device_class", "metric", "unit", "measured", "predicted", "error_pct", "within"});
  for (const auto& r : s.rows)
    out += csv_line({r.id, r.device_class, r.metric, r.unit, num(r.measured), num(r.predicted), num(r.error_pct),
                     r.within ? "true" : "false"});
  return out;
}

std::string validation_table(const ValidationSummary& s) {
  TextTable t({"measurement", "hardware", "measured", "predicted", "unit", "error %", "ok"});
  for (const auto& r : s.rows)
    t.add_row({r.id, r.hardware, fmt::format("{:g}", r.measured), fmt::format("{:.4g}", r.predicted), r.unit,
               fmt::format("{:+.1f}", r.error_pct), r.within ? "yes" : fmt::format("NO (+-{:.0f}%)", r.tolerance_pct)});
  std::string out = t.render();
  out += fmt::format("\nGaudi and GPU: median |error| {:.1f}%, worst {:.1f}% (tolerance 15%); CPU: worst {:.1f}% (20%)\n",
                     s.accelerator_median_abs_error_pct, s.accelerator_worst_abs_error_pct, s.cpu_worst_abs_error_pct);
  for (const auto& n : s.not_covered) out += "not covered: " + n + "\n";
  out += "fitted parameters (" + s.fitted_about + "):\n";
  for (const auto& [name, value] : s.fitted) out += fmt::format("  {} = {:g}\n", name, value);
  return out;
}

}  // namespace xpusim

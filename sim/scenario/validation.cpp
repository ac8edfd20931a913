#include "sim/scenario/validation.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "models/training/data_parallel.hpp"
#include "sim/engine/input_error.hpp"
#include "sim/engine/json_input.hpp"
#include "sim/engine/stats.hpp"
#include "sim/scenario/embedded_setups.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

namespace {

constexpr const char* kSetupsFile = "models/catalog/measurement_setups.json";

const nlohmann::json& setups() {
  static const nlohmann::json doc = [] {
    auto d = parse_json_text(embedded_measurement_setups_json(), kSetupsFile);
    JsonView(d, kSetupsFile).allow_only({"schema", "about", "setups"});
    return d;
  }();
  return doc.at("setups");
}

Precision precision_at(const JsonView& v) {
  auto p = parse_precision(v.as_string());
  if (!p) v.fail("unknown precision \"" + v.as_string() + "\"");
  return *p;
}

double predict(const Catalog& catalog, const JsonView& s, const std::string& metric) {
  s.allow_only({"kind", "instance", "devices", "model", "precision", "batch", "channels_last",
                "loader_workers_per_device", "buckets", "source"});
  const std::string kind = s.at("kind").as_string(), instance = s.at("instance").as_string();
  const Precision precision = precision_at(s.at("precision"));
  const int64_t batch = s.at("batch").as_positive_integer();
  SoftwareSetup software;
  if (auto cl = s.find("channels_last")) software.channels_last = cl->as_bool();
  if (kind == "training") {
    TrainingConfig c;
    c.model = s.at("model").as_string();
    c.instance = instance;
    c.precision = precision;
    c.batch_per_device = batch;
    c.devices_per_node = static_cast<int>(s.at("devices").as_positive_integer());
    c.software = software;
    if (auto w = s.find("loader_workers_per_device")) c.loader_workers_per_device = static_cast<int>(w->as_positive_integer());
    const auto buckets = s.at("buckets");
    const auto policy = GradientBuckets::named(buckets.as_string());
    if (!policy) buckets.fail("unknown gradient exchange \"" + buckets.as_string() + "\" (known: ddp, horovod)");
    c.buckets = *policy;
    const TrainingResult r = simulate_training(catalog, c);
    if (!r.fits) s.fail("the setup does not fit in the device's memory");
    return r.throughput_per_s;
  }
  auto device = catalog.make_device(instance);
  const bool unfused = device->execution_style(Mode::inference) != ExecutionStyle::fused_inference;
  const Graph g = device->lower(build_model(s.at("model").as_string(), {batch, precision, Mode::inference, 0, unfused}),
                                software);
  const double seconds = device->graph_seconds(g);
  return metric == "latency" ? seconds * 1e3 : catalog.devices_per_target(instance) * batch / seconds;
}

}  // namespace

bool ValidationRow::within() const { return std::abs(error()) <= tolerance; }

bool ValidationReport::all_within() const {
  return std::all_of(rows.begin(), rows.end(), [](const ValidationRow& r) { return r.within(); });
}

double predict_measurement(const Catalog& catalog, const std::string& id, const std::string& metric) {
  return predict(catalog, JsonView(setups().at(id), kSetupsFile, "/setups/" + id), metric);
}

ValidationReport run_validation(const Catalog& catalog, const nlohmann::json& calibration, const std::string& file) {
  ValidationReport out;
  const JsonView root(calibration, file);
  Histogram accelerator_errors;
  for (const auto& m : root.at("measurements").items()) {
    const std::string id = m.at("id").as_string();
    if (!setups().contains(id)) {
      out.not_covered.push_back(id + ": no setup in " + std::string(kSetupsFile));
      continue;
    }
    ValidationRow row;
    row.id = id;
    row.hardware = m.at("hardware").as_string();
    row.workload = m.at("workload").as_string();
    row.precision = m.at("precision").as_string();
    row.metric = m.at("metric").as_string();
    row.unit = m.at("unit").as_string();
    row.measured = m.at("value").as_positive_number();
    const JsonView setup(setups().at(id), kSetupsFile, "/setups/" + id);
    row.setup = setup.at("source").as_string();
    row.predicted = predict(catalog, setup, row.metric);
    const auto device = catalog.make_device(setup.at("instance").as_string());
    row.device_class = std::string(device->device_class());
    row.tolerance = row.device_class == "cpu" ? 0.20 : 0.15;
    if (row.device_class == "cpu") {
      out.cpu_worst_abs_error = std::max(out.cpu_worst_abs_error, std::abs(row.error()));
    } else {
      accelerator_errors.add(std::abs(row.error()));
      out.accelerator_worst_abs_error = std::max(out.accelerator_worst_abs_error, std::abs(row.error()));
    }
    out.rows.push_back(std::move(row));
  }
  if (accelerator_errors.count() > 0) {
    // The median of an even count is the mean of the middle two.
    std::vector<double> e;
    for (const auto& r : out.rows)
      if (r.device_class != "cpu") e.push_back(std::abs(r.error()));
    std::sort(e.begin(), e.end());
    const std::size_t n = e.size();
    out.accelerator_median_abs_error = n % 2 ? e[n / 2] : (e[n / 2 - 1] + e[n / 2]) / 2;
  }
  return out;
}

}  // namespace xpusim

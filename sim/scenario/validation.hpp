#pragma once
// `xpusim validate`: every published measurement of shared/reference/calibration.json that the
// models cover, run under the setup its source documents (models/catalog/measurement_setups.json),
// and compared: measured vs predicted, the error, the median and the worst. The tolerances are
// the project's: Gaudi and GPU entries within 15%, CPU entries within 20%.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/catalog/catalog.hpp"

namespace xpusim {

struct ValidationRow {
  std::string id, hardware, workload, precision, metric, unit, device_class, setup;
  double measured = 0, predicted = 0;
  double tolerance = 0.15;
  double error() const { return (predicted - measured) / measured; }
  bool within() const;
};

struct ValidationReport {
  std::vector<ValidationRow> rows;
  std::vector<std::string> not_covered;  // "id: why"
  // Over the Gaudi and GPU rows, and over the CPU rows.
  double accelerator_median_abs_error = 0, accelerator_worst_abs_error = 0;
  double cpu_worst_abs_error = 0;
  bool all_within() const;
};

// `calibration` is calibration.json's content, `file` its name for errors.
ValidationReport run_validation(const Catalog& catalog, const nlohmann::json& calibration, const std::string& file);

// One row's prediction for a setup entry (as measurement_setups.json writes them).
double predict_measurement(const Catalog& catalog, const std::string& id, const std::string& metric);

}  // namespace xpusim

#pragma once
// The joint fit of the accelerator catalog's fitted parameters (`xpusim validate --fit`): the
// values that minimise the mean squared log error of every covered Gaudi and GPU measurement at
// once, found by Nelder-Mead within each parameter's physical range. The fit is what was run to
// set models/catalog/accelerators.json's "fitted" block; it is reproducible, not run by default.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/catalog/catalog.hpp"

namespace xpusim {

struct FitResult {
  std::vector<FittedParameter> parameters;  // the fitted values
  double rms_log_error = 0;                 // over the accelerator entries, at those values
  int evaluations = 0;
};

FitResult fit_accelerator_parameters(const Catalog& catalog, const nlohmann::json& calibration,
                                     const std::string& file);

}  // namespace xpusim

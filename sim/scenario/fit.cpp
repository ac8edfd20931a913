#include "sim/scenario/fit.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "models/catalog/embedded_catalog.hpp"
#include "sim/scenario/validation.hpp"

namespace xpusim {

namespace {

// Where each fitted parameter may physically lie. Streaming engines reach at most 95% of an HBM
// interface's peak (refresh and page turns take the rest; STREAM on V100 and A100 reaches about 90%).
std::pair<double, double> range_of(const std::string& name) {
  if (name == "streaming_efficiency") return {0.5, 0.95};
  if (name.find("efficiency") != std::string::npos) return {0.05, 1.0};
  if (name == "op_overhead_us") return {0.0, 500.0};
  if (name == "loader_samples_per_s_per_worker") return {10.0, 2000.0};
  return {0.0, 1e6};
}

struct Objective {
  const Catalog& catalog;
  const nlohmann::json& calibration;
  const std::string& file;
  nlohmann::json accelerators;
  std::vector<FittedParameter> params;
  int evaluations = 0;

  // Mean squared log error of the Gaudi and GPU entries with the parameters at `x`.
  double operator()(const std::vector<double>& x) {
    ++evaluations;
    nlohmann::json trial = accelerators;
    for (std::size_t i = 0; i < x.size(); ++i) trial["fitted"][params[i].device_class][params[i].name] = x[i];
    const DeviceCatalog devices = DeviceCatalog::parse(trial.dump(), "accelerators.json (trial)");
    const ValidationReport r = run_validation(catalog.with_devices(devices), calibration, file);
    double sum = 0;
    int n = 0;
    for (const auto& row : r.rows)
      if (row.device_class != "cpu") {
        sum += std::pow(std::log(row.predicted / row.measured), 2);
        ++n;
      }
    return n ? sum / n : 0;
  }
};

std::vector<double> clamp_to_ranges(std::vector<double> x, const std::vector<FittedParameter>& params) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    const auto [lo, hi] = range_of(params[i].name);
    x[i] = std::clamp(x[i], lo, hi);
  }
  return x;
}

}  // namespace

FitResult fit_accelerator_parameters(const Catalog& catalog, const nlohmann::json& calibration, const std::string& file) {
  Objective f{catalog, calibration, file, nlohmann::json::parse(embedded_accelerators_json()), catalog.devices().fitted()};
  const std::size_t n = f.params.size();
  // Nelder-Mead over the parameters, each kept in its range.
  std::vector<std::vector<double>> simplex(n + 1);
  std::vector<double> values(n + 1);
  for (std::size_t i = 0; i <= n; ++i) {
    std::vector<double> x(n);
    for (std::size_t j = 0; j < n; ++j) x[j] = f.params[j].value * (i == j + 1 ? 1.25 : 1.0) + (i == j + 1 && f.params[j].value == 0 ? 1 : 0);
    simplex[i] = clamp_to_ranges(x, f.params);
    values[i] = f(simplex[i]);
  }
  for (int iteration = 0; iteration < 400; ++iteration) {
    std::vector<std::size_t> order(n + 1);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    const std::size_t best = order.front(), worst = order.back(), second = order[n - 1];
    if (values[worst] - values[best] < 1e-10) break;
    std::vector<double> centroid(n, 0.0);
    for (std::size_t i = 0; i <= n; ++i)
      if (i != worst)
        for (std::size_t j = 0; j < n; ++j) centroid[j] += simplex[i][j] / n;
    auto along = [&](double t) {
      std::vector<double> x(n);
      for (std::size_t j = 0; j < n; ++j) x[j] = centroid[j] + t * (simplex[worst][j] - centroid[j]);
      return clamp_to_ranges(x, f.params);
    };
    const auto reflected = along(-1.0);
    const double fr = f(reflected);
    if (fr < values[best]) {
      const auto expanded = along(-2.0);
      const double fe = f(expanded);
      if (fe < fr) simplex[worst] = expanded, values[worst] = fe;
      else simplex[worst] = reflected, values[worst] = fr;
    } else if (fr < values[second]) {
      simplex[worst] = reflected, values[worst] = fr;
    } else {
      const auto contracted = along(0.5);
      const double fc = f(contracted);
      if (fc < values[worst]) {
        simplex[worst] = contracted, values[worst] = fc;
      } else {  // shrink towards the best
        for (std::size_t i = 0; i <= n; ++i)
          if (i != best) {
            for (std::size_t j = 0; j < n; ++j) simplex[i][j] = simplex[best][j] + 0.5 * (simplex[i][j] - simplex[best][j]);
            values[i] = f(simplex[i]);
          }
      }
    }
  }
  const std::size_t best = std::min_element(values.begin(), values.end()) - values.begin();
  FitResult out;
  out.parameters = f.params;
  for (std::size_t j = 0; j < n; ++j) out.parameters[j].value = simplex[best][j];
  out.rms_log_error = std::sqrt(values[best]);
  out.evaluations = f.evaluations;
  return out;
}

}  // namespace xpusim

#pragma once
// Report formats of `xpusim train` and `xpusim validate`.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/results.hpp"

namespace xpusim {

nlohmann::json to_json(const TrainingRunResult& r);
std::string training_results_csv(const std::vector<TrainingRunResult>& rows);
std::string training_results_table(const std::vector<TrainingRunResult>& rows);

nlohmann::json to_json(const ValidationSummary& s);
std::string validation_csv(const ValidationSummary& s);
std::string validation_table(const ValidationSummary& s);

}  // namespace xpusim

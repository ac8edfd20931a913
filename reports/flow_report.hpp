#pragma once
// The flow study report, one block per network: the completion time and slowdown (against the
// same message alone on its path) of every message, their distribution overall and by message
// size, the same for groups of messages (incast queries, shuffles: against the group alone), and
// every link's utilization, busiest first; with several networks, a comparison.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/flow_study.hpp"

namespace xpusim {

// `results` holds one result per network of the study, in its order.
nlohmann::json flow_results_json(const FlowStudy& study, const std::vector<FlowStudyResult>& results);
std::string flow_results_csv(const FlowStudy& study, const std::vector<FlowStudyResult>& results);
std::string flow_results_table(const FlowStudy& study, const std::vector<FlowStudyResult>& results);

// The p-th percentile (0 < p <= 100) by nearest rank: the smallest value with at least p% of the
// values at or below it. `values` must not be empty.
double nearest_rank(std::vector<double> values, double p);

}  // namespace xpusim

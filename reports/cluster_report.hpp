#pragma once
// The pooled-GPU cluster report: one row per job (iteration time shared and remote against the
// same job alone on a local GPU, throughput, memory share), GPU and NIC utilization, and the
// cluster's price-performance.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/cluster_study.hpp"

namespace xpusim {

// One block per network (and placement) the cluster ran on.
nlohmann::json cluster_results_json(const std::vector<ClusterStudyResult>& results);
std::string cluster_results_csv(const std::vector<ClusterStudyResult>& results);
std::string cluster_results_table(const std::vector<ClusterStudyResult>& results);

}  // namespace xpusim

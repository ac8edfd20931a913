#pragma once
// Runs the FGD allocation experiment over traces x policies x seeds and writes the results in the
// shape of the FGD paper's own files (analysis_allo_discrete.csv and the two fragmentation files),
// so they can be compared cell by cell with ../shared/data/reference/fgd.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/replay/fgd_replay.hpp"

namespace xpusim::sched {

struct ReplayMatrixConfig {
  std::string nodes_path;
  std::vector<std::string> pod_paths;
  std::vector<std::string> policies;
  std::vector<int64_t> seeds;
  double inflate = 1.3;
  int hidden_draws = 10;
  int jobs = 1;  // runs in parallel; results do not depend on it
  BadRows bad_rows = BadRows::reject;
};

struct ReplayCell {
  std::string workload;  // pod file name without directory and extension
  std::string policy;
  int64_t seed = 0;
  int total_gpus = 0;
  std::size_t pods = 0, placed = 0, failed = 0;
  ReplayCurves curves;
};

std::vector<ReplayCell> run_replay_matrix(const ReplayMatrixConfig& config);

// CSV files in the reference's layout (rows in workload, policy, seed order).
std::string allocation_csv(const std::vector<ReplayCell>& cells, double inflate);
std::string fragmentation_csv(const std::vector<ReplayCell>& cells, double inflate);
std::string fragmentation_ratio_csv(const std::vector<ReplayCell>& cells, double inflate);

// A published result file (analysis_allo_discrete.csv): (workload, sc_policy label) -> seed ->
// value per arrived percentage.
using ReferenceResults = std::map<std::pair<std::string, std::string>, std::map<int64_t, std::vector<double>>>;
ReferenceResults read_reference_allocation(const std::string& path);

// One line of the comparison: the seed-mean at `percent` arrived, ours and the reference's.
struct ReplayComparison {
  std::string workload, policy;
  std::size_t seeds = 0;
  double mean_pct = 0;
  std::optional<double> reference_pct;  // absent when the reference has no such cell
  double min_pct = 0, max_pct = 0;      // across our seeds
  double failed_pods_mean = 0;
};
std::vector<ReplayComparison> compare_with_reference(const std::vector<ReplayCell>& cells,
                                                     const ReferenceResults* reference, int percent);

}  // namespace xpusim::sched

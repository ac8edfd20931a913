#pragma once
// A model study: models x precisions x batch sizes x instances, each predicted with the CPU cost
// model and priced from the catalog. Built from command-line flags or a scenario file.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/device.hpp"
#include "reports/results.hpp"
#include "sim/engine/json_input.hpp"
#include "workloads/graph.hpp"

namespace xpusim {

struct StudyConfig {
  std::vector<std::string> models;
  std::vector<Precision> precisions;
  std::vector<int64_t> batches;
  std::vector<std::string> instances;
  Mode mode = Mode::inference;
  bool decode = false;            // inference: one generation step of decoder models after seq_len tokens
  int64_t seq_len = 0;            // 0: each model's default
  std::optional<int> threads;     // default: every physical core of the instance
  SoftwareSetup software;         // how the devices' software runs the graphs
};

// ResNet-50 and BERT-base, int8 and fp32 inference, batch 1 and 32, on c5.large, c6i.large,
// c7i.large and this machine.
StudyConfig default_study();

// Reads a scenario file's study (strict: unknown keys, unknown names and impossible values are
// InputErrors naming the file and JSON pointer).
StudyConfig parse_study(const JsonView& root);

// Checks names and values of a study built from flags; errors name the flag.
void validate_study(const StudyConfig& config);

// The configuration with every default filled in, as written beside the results.
nlohmann::json resolved_config(const StudyConfig& config);

std::vector<ModelRunResult> run_study(const StudyConfig& config);

}  // namespace xpusim

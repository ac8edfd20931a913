#pragma once
// What a run produced, as plain values: the report writers read these and nothing else.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xpusim {

struct PriceTag {
  double usd_per_hour = 0;
  std::string date, source;
};

// One model at one batch size and precision on one instance (or bare device).
struct ModelRunResult {
  std::string model, instance, device, device_class, precision, mode;
  int64_t batch = 1, seq_len = 0;
  int threads = 0;   // CPU devices: threads used; 0 for accelerators
  int devices = 1;   // devices of the instance, each serving its own batches
  int kernels = 0;
  bool fits = true;  // false: the memory figures say why, and no time is given
  double memory_gib_needed = 0, memory_gib_available = 0;
  double latency_ms = 0;        // one batch on one device, start to end
  double throughput_per_s = 0;  // samples per second of the whole instance, batches back to back
  double gflop = 0;             // per batch
  double utilization = 0;       // executed MACs / (peak MAC rate x latency)
  double compute_bound_share = 0, memory_bound_share = 0, overhead_share = 0;  // of latency
  std::optional<PriceTag> price;
};

struct KernelRunResult {
  std::string instance, device, name, kind, signature, precision, bound, memory_level;
  int threads = 0;
  double time_us = 0, compute_us = 0, memory_us = 0, overhead_us = 0;
  double gflop = 0, bytes = 0, effective_macs = 0, utilization = 0;
};

struct CalibrationReportRow {
  std::string name, signature, implementation, bound;
  int occurrences = 0;
  double measured_us = 0, predicted_us = 0, error_pct = 0, clock_ghz = 0;
};

struct CalibrationReport {
  std::string model, precision, requested_precision, note, cpu;
  int64_t batch = 1;
  int threads = 1;
  double clock_ghz = 0;  // the host profile's
  bool profile_clock = false;
  double measured_clock_min_ghz = 0, measured_clock_max_ghz = 0;
  std::vector<CalibrationReportRow> rows;
  std::vector<std::string> skipped;
  double median_abs_error_pct = 0, p90_abs_error_pct = 0;
  double measured_model_ms = 0, predicted_model_ms = 0;
};

// One data-parallel training configuration: a step, its throughput, and what training costs.
struct TrainingRunResult {
  std::string model, instance, device, precision;
  int nodes = 1, devices = 1;
  int64_t batch_per_device = 1, seq_len = 0;
  bool fits = true;
  double memory_gib_needed = 0, memory_gib_available = 0;
  double step_ms = 0, compute_ms = 0, communication_ms = 0, exposed_communication_ms = 0;
  double throughput_per_s = 0, single_device_throughput_per_s = 0, scaling_efficiency = 1;
  double input_limit_per_s = 0;  // 0: input not modeled
  bool input_bound = false;
  double samples = 0;            // to train
  std::string samples_source;    // where that figure comes from
  std::string gradient_exchange; // bucket policy
  int loader_workers_per_device = 0;  // 0: input not modeled
  std::optional<PriceTag> price; // of one server
  double hours_to_train = 0, usd_to_train = 0;
  std::string baseline;          // empty: none asked
  std::optional<double> usd_saved_vs_baseline, saving_pct_vs_baseline;
};

// A published measurement against the model's prediction (`xpusim validate`).
struct ValidationResultRow {
  std::string id, hardware, workload, precision, metric, unit, device_class, setup;
  double measured = 0, predicted = 0, error_pct = 0, tolerance_pct = 0;
  bool within = true;
};

struct ValidationSummary {
  std::vector<ValidationResultRow> rows;
  std::vector<std::string> not_covered;
  double accelerator_median_abs_error_pct = 0, accelerator_worst_abs_error_pct = 0, cpu_worst_abs_error_pct = 0;
  std::vector<std::pair<std::string, double>> fitted;  // "class.name" -> value
  std::string fitted_about;
};

}  // namespace xpusim

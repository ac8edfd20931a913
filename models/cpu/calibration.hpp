#pragma once
// Host calibration: every distinct kernel of a model runs for real through oneDNN on this machine
// and is predicted by the host model; the comparison says how far the model can be trusted.
#include <string>
#include <vector>

#include "models/cpu/onednn_runner.hpp"
#include "workloads/graph.hpp"

namespace xpusim {

struct CalibrationRow {
  std::string name;        // first layer with this kernel
  std::string signature;
  std::string implementation;
  int occurrences = 0;     // how often the kernel appears in the graph
  double measured_s = 0;
  double predicted_s = 0;
  std::string bound;       // what limits the prediction
  double error() const { return (predicted_s - measured_s) / measured_s; }
};

struct CalibrationResult {
  std::string model;
  Precision requested_precision = Precision::int8;
  Precision precision = Precision::int8;  // fp32 when int8 was asked on a host without VNNI
  std::string note;
  int64_t batch = 1;
  int threads = 1;
  std::string cpu_description;
  double clock_ghz = 0;
  std::vector<CalibrationRow> rows;
  std::vector<std::string> skipped;  // "layer: reason"
  double median_abs_error = 0, p90_abs_error = 0;
  double measured_total_s = 0, predicted_total_s = 0;  // whole model over the measured kernels
};

CalibrationResult calibrate_host(const std::string& model, Precision precision, int64_t batch,
                                 int threads, const MeasureOptions& measure);

}  // namespace xpusim

#pragma once
// Host calibration: every distinct kernel of a model runs for real through oneDNN on this machine
// and is predicted by the host model; the comparison says how far the model can be trusted.
// Cloud hosts change clock by several percent within seconds, so by default each kernel is
// predicted at the vector clock measured just before and after it runs (the higher reading) (the profile's per-cycle
// rates at the clock of the moment); `profile_clock` predicts at the profile's clock instead.
// Shared machines also lose a core to another tenant for seconds at a time, long enough to slow
// every repeat of one kernel: so kernels are measured in `rounds` interleaved passes over the
// whole model, and each kernel keeps its fastest round (the median of that round's repeats),
// measured and predicted together. Other tenants only ever slow a round down, so the fastest is
// the one nearest the machine itself, as the probe's best-of-trials rates.
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
  double measured_s = 0;   // median repeat of the fastest round
  double predicted_s = 0;
  double clock_ghz = 0;    // the clock the prediction used
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
  double clock_ghz = 0;             // the profile's vector clock
  bool profile_clock = false;       // predictions at the profile's clock, not the measured one
  double measured_clock_min_ghz = 0, measured_clock_max_ghz = 0;  // around the kernels
  std::vector<CalibrationRow> rows;
  std::vector<std::string> skipped;  // "layer: reason"
  double median_abs_error = 0, p90_abs_error = 0;
  double measured_total_s = 0, predicted_total_s = 0;  // whole model over the measured kernels
};

struct CalibrationOptions {
  MeasureOptions measure;  // per kernel and round
  int rounds = 3;
  bool profile_clock = false;
  int64_t seq_len = 0;  // sequence models: 0 for the model's default
};

CalibrationResult calibrate_host(const std::string& model, Precision precision, int64_t batch,
                                 int threads, const CalibrationOptions& options);

}  // namespace xpusim

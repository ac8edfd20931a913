#pragma once
// Statistics collected during a run. Percentiles are exact (all samples are kept and sorted):
// the runs we make have at most millions of samples, and exact figures keep golden reports stable.
#include <cstdint>
#include <vector>

namespace xpusim {

class Histogram {
 public:
  void add(double sample);
  std::size_t count() const { return samples_.size(); }
  double sum() const { return sum_; }
  double mean() const;
  double min() const;
  double max() const;
  // Nearest-rank percentile, p in [0, 100]: the smallest sample with at least p% of samples <= it.
  double percentile(double p) const;

 private:
  void sort_if_needed() const;
  mutable std::vector<double> samples_;
  mutable bool sorted_ = true;
  double sum_ = 0;
};

// Average of a piecewise-constant signal over time (utilization, queue depth).
class TimeWeightedAverage {
 public:
  explicit TimeWeightedAverage(double start_time_s = 0, double initial_value = 0);
  // The signal takes `value` from time `t_s` on; times must not go backwards.
  void set(double t_s, double value);
  double current() const { return value_; }
  double average_until(double end_time_s) const;

 private:
  double start_, last_t_, value_, integral_ = 0;
};

}  // namespace xpusim

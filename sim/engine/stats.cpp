#include "sim/engine/stats.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace xpusim {

void Histogram::add(double sample) {
  if (!samples_.empty() && sample < samples_.back()) sorted_ = false;
  samples_.push_back(sample);
  sum_ += sample;
}

void Histogram::sort_if_needed() const {
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
}

double Histogram::mean() const {
  if (samples_.empty()) throw std::logic_error("mean of an empty histogram");
  return sum_ / static_cast<double>(samples_.size());
}

double Histogram::min() const { return percentile(0); }
double Histogram::max() const { return percentile(100); }

double Histogram::percentile(double p) const {
  if (samples_.empty()) throw std::logic_error("percentile of an empty histogram");
  if (!(p >= 0 && p <= 100)) throw std::invalid_argument("percentile must be in [0, 100]");
  sort_if_needed();
  auto n = samples_.size();
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
  return samples_[rank == 0 ? 0 : rank - 1];
}

TimeWeightedAverage::TimeWeightedAverage(double start_time_s, double initial_value)
    : start_(start_time_s), last_t_(start_time_s), value_(initial_value) {}

void TimeWeightedAverage::set(double t_s, double value) {
  if (t_s < last_t_) throw std::logic_error("TimeWeightedAverage: time went backwards");
  integral_ += value_ * (t_s - last_t_);
  last_t_ = t_s;
  value_ = value;
}

double TimeWeightedAverage::average_until(double end_time_s) const {
  if (end_time_s < last_t_) throw std::logic_error("TimeWeightedAverage: end before last update");
  double span = end_time_s - start_;
  if (span <= 0) return value_;
  return (integral_ + value_ * (end_time_s - last_t_)) / span;
}

}  // namespace xpusim

#pragma once
// How a flow study draws the sizes of its messages: log-uniformly between two bounds, or from an
// empirical distribution, piecewise linear between the points of its CDF, as the traffic
// generators of transport studies draw them (HPCC's, pFabric's). Measured distributions of
// production clusters (web search, Hadoop, storage) are named in models/catalog/message_sizes.json.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/engine/json_input.hpp"
#include "sim/engine/rng.hpp"

namespace xpusim {

class MessageSizes {
 public:
  // (bytes, cumulative percent) points: percents from 0 to 100 and bytes both strictly increasing.
  using Cdf = std::vector<std::pair<double, double>>;

  MessageSizes() = default;
  static MessageSizes log_uniform(double min_bytes, double max_bytes);
  static MessageSizes empirical(std::string name, Cdf cdf);

  // The mean of the continuous distribution, sizes below a byte taken as one (whole bytes drawn
  // differ from it by under a byte).
  double mean() const;
  // Whole bytes, at least 1. One uniform draw from `rng` per message.
  double draw(RngStream& rng) const;
  // An empirical distribution's points, as (bytes, cumulative fraction from 0 to 1); else empty.
  const Cdf& points() const { return cdf_; }
  // As a traffic object's members: {"min_bytes", "max_bytes"} or {"sizes": name or {"cdf"}}.
  void write(nlohmann::json& traffic) const;

 private:
  bool empirical_ = false;
  double min_bytes_ = 1, max_bytes_ = 1;
  std::string name_;  // of a catalog distribution; empty for one the file gave
  Cdf cdf_;           // cumulative fractions (0 to 1), for drawing
};

// Reads a traffic object's sizes: "min_bytes" and "max_bytes", or "sizes" (a catalog name or
// {"cdf": [[bytes, percent], ...]}), exactly one of the two; bad input fails naming the pointer.
MessageSizes message_sizes_at(const JsonView& traffic, double max_bytes);
// The names in the catalog.
std::vector<std::string> message_size_names();

// Log-uniform mean of [a, b]: (b - a) / ln(b / a), or a when a == b.
double log_uniform_mean(double a, double b);

}  // namespace xpusim

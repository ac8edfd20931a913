#include "sim/scenario/message_sizes.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "models/catalog/embedded_catalog.hpp"
#include "reports/report_writer.hpp"

namespace xpusim {

namespace {

// A CDF as [[bytes, percent], ...], checked as HPCC's generator checks its files: from 0 to 100
// percent, bytes and percents strictly increasing (so every segment has a width and a weight).
MessageSizes::Cdf cdf_at(const JsonView& v, double max_bytes) {
  v.expect_array();
  if (v.size() < 2) v.fail("a CDF needs at least two points");
  MessageSizes::Cdf cdf;
  for (const auto& point : v.items()) {
    point.expect_array();
    if (point.size() != 2) point.fail("a point is [bytes, cumulative percent]");
    const double bytes = point.at(std::size_t{0}).as_number_in(0, max_bytes);
    const double percent = point.at(std::size_t{1}).as_number_in(0, 100);
    if (!cdf.empty() && !(bytes > cdf.back().first && percent > cdf.back().second))
      point.fail("bytes and percents must both increase from point to point");
    cdf.emplace_back(bytes, percent);
  }
  if (cdf.front().second != 0) v.at(std::size_t{0}).fail("a CDF starts at 0 percent");
  if (cdf.back().second != 100) v.at(cdf.size() - 1).fail("a CDF ends at 100 percent");
  if (cdf.back().first < 1) v.at(cdf.size() - 1).fail("the largest message must be at least 1 byte");
  return cdf;
}

const std::map<std::string, MessageSizes>& catalog() {
  static const auto all = read_catalog<MessageSizes>(
      embedded_message_sizes_json(), "models/catalog/message_sizes.json", [](const std::string& name, const JsonView& v) {
        v.allow_only({"description", "cdf", "sources"});
        (void)v.at("description").as_string();
        v.at("sources").expect_array();
        return MessageSizes::empirical(name, cdf_at(v.at("cdf"), 1e15));
      });
  return all;
}

}  // namespace

double log_uniform_mean(double a, double b) { return b > a ? (b - a) / std::log(b / a) : a; }

MessageSizes MessageSizes::log_uniform(double min_bytes, double max_bytes) {
  MessageSizes s;
  s.min_bytes_ = min_bytes;
  s.max_bytes_ = max_bytes;
  return s;
}

MessageSizes MessageSizes::empirical(std::string name, Cdf cdf) {
  MessageSizes s;
  s.empirical_ = true;
  s.name_ = std::move(name);
  for (auto& [bytes, percent] : cdf) percent /= 100;
  s.cdf_ = std::move(cdf);
  s.min_bytes_ = std::max(1.0, s.cdf_.front().first);
  s.max_bytes_ = s.cdf_.back().first;
  return s;
}

double MessageSizes::mean() const {
  if (!empirical_) return log_uniform_mean(min_bytes_, max_bytes_);
  // Uniform within each segment, weighted by its probability; sizes below a byte are drawn as one.
  double sum = 0;
  for (std::size_t i = 1; i < cdf_.size(); ++i) {
    const double x0 = cdf_[i - 1].first, x1 = cdf_[i].first;
    double mean = (x0 + x1) / 2;
    if (x1 <= 1)
      mean = 1;
    else if (x0 < 1)
      mean = ((1 - x0) + (x1 - 1) * (x1 + 1) / 2) / (x1 - x0);
    sum += mean * (cdf_[i].second - cdf_[i - 1].second);
  }
  return sum;
}

double MessageSizes::draw(RngStream& rng) const {
  const double u = rng.uniform01();
  double bytes;
  if (!empirical_) {
    const double lo = std::log(min_bytes_), hi = std::log(max_bytes_);
    bytes = std::exp(lo + u * (hi - lo));
  } else {
    // The first point whose cumulative fraction reaches u ends u's segment (u < 1 = the last).
    const auto it = std::lower_bound(cdf_.begin() + 1, cdf_.end(), u,
                                     [](const std::pair<double, double>& p, double x) { return p.second < x; });
    const auto& [x1, f1] = *it;
    const auto& [x0, f0] = *(it - 1);
    bytes = x0 + (x1 - x0) * (u - f0) / (f1 - f0);
  }
  // Whole bytes, within the bounds whatever the arithmetic rounds to.
  return std::clamp(std::round(bytes), min_bytes_, max_bytes_);
}

void MessageSizes::write(nlohmann::json& traffic) const {
  if (!empirical_) {
    traffic["min_bytes"] = min_bytes_;
    traffic["max_bytes"] = max_bytes_;
  } else if (!name_.empty()) {
    traffic["sizes"] = name_;
  } else {
    nlohmann::json points = nlohmann::json::array();
    // Percents as given: 15 digits undo the scaling to fractions.
    for (const auto& [bytes, fraction] : cdf_) points.push_back({bytes, round_significant(fraction * 100, 15)});
    traffic["sizes"] = {{"cdf", points}};
  }
}

std::vector<std::string> message_size_names() {
  std::vector<std::string> names;
  for (const auto& [name, sizes] : catalog()) names.push_back(name);
  return names;
}

MessageSizes message_sizes_at(const JsonView& traffic, double max_bytes) {
  const auto sizes = traffic.find("sizes");
  const bool bounds = traffic.has("min_bytes") || traffic.has("max_bytes");
  if (sizes && bounds) sizes->fail("give \"sizes\" or \"min_bytes\" and \"max_bytes\", not both");
  if (!sizes) {
    const double min = traffic.at("min_bytes").as_number_in(1, max_bytes);
    const auto max = traffic.at("max_bytes");
    const double max_value = max.as_number_in(1, max_bytes);
    if (max_value < min) max.fail(fmt::format("must be at least min_bytes ({})", min));
    return MessageSizes::log_uniform(min, max_value);
  }
  if (sizes->raw().is_string()) {
    const std::string name = sizes->as_string();
    const auto it = catalog().find(name);
    if (it == catalog().end())
      sizes->fail(fmt::format("unknown message sizes \"{}\"; known: {}", name, fmt::join(message_size_names(), ", ")));
    return it->second;
  }
  sizes->expect_object();
  sizes->allow_only({"cdf"});
  return MessageSizes::empirical("", cdf_at(sizes->at("cdf"), max_bytes));
}

}  // namespace xpusim

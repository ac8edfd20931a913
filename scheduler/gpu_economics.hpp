#pragma once
// Price and speed per GPU model, for fleet cost and the cost-aware policy. The built-in table
// (scheduler/catalog/gpu_economics.json) carries a source for every figure; a user file in the same
// format (--gpu-prices) adds or overrides models.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xpusim::sched {

struct GpuEconomicsEntry {
  std::optional<double> usd_per_gpu_hour;
  std::optional<double> relative_throughput;  // 1.0 = one V100
  // Throughput a job keeps beside one co-located job on the same GPU, as a fraction of alone.
  std::optional<double> pair_throughput_factor;
  std::string price_source, price_date, throughput_source, pair_source;
};

struct GpuEconomics {
  std::map<std::string, GpuEconomicsEntry> models;

  static GpuEconomics builtin();
  // Entries of `path` replace the built-in ones, field by field.
  void merge_file(const std::string& path);
  std::optional<double> price(const std::string& model) const;
  std::optional<double> throughput(const std::string& model) const;
  std::optional<double> pair_factor(const std::string& model) const;
  // Models of `wanted` without a price (or throughput), for error messages and report notes.
  std::vector<std::string> unpriced(const std::vector<std::string>& wanted) const;
  std::vector<std::string> without_throughput(const std::vector<std::string>& wanted) const;

 private:
  void merge_json(const std::string& text, const std::string& file);
};

}  // namespace xpusim::sched

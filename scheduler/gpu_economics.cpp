#include "scheduler/gpu_economics.hpp"

#include <fstream>
#include <sstream>

#include "sim/engine/input_error.hpp"
#include "sim/engine/json_input.hpp"

namespace xpusim::sched {

namespace {
constexpr const char* kBuiltin =
#include "gpu_economics_json.inc"
    ;
}  // namespace

GpuEconomics GpuEconomics::builtin() {
  GpuEconomics e;
  e.merge_json(kBuiltin, "scheduler/catalog/gpu_economics.json");
  return e;
}

void GpuEconomics::merge_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "", "cannot open file");
  std::stringstream text;
  text << in.rdbuf();
  merge_json(text.str(), path);
}

void GpuEconomics::merge_json(const std::string& text, const std::string& file) {
  const nlohmann::json doc = parse_json_text(text, file);
  JsonView root(doc, file);
  root.allow_only({"note", "gpus"});
  for (const JsonView& g : root.at("gpus").items()) {
    g.allow_only({"model", "usd_per_gpu_hour", "price_source", "price_date", "relative_throughput",
                  "throughput_source", "pair_throughput_factor", "pair_source"});
    GpuEconomicsEntry& e = models[g.at("model").as_string()];
    if (auto v = g.find("usd_per_gpu_hour")) {
      e.usd_per_gpu_hour = v->as_positive_number();
      if (!g.has("price_source")) g.fail("a price needs a price_source");
      e.price_source = g.at("price_source").as_string();
      e.price_date = g.has("price_date") ? g.at("price_date").as_string() : "";
    }
    if (auto v = g.find("relative_throughput")) {
      e.relative_throughput = v->as_positive_number();
      if (!g.has("throughput_source")) g.fail("a throughput needs a throughput_source");
      e.throughput_source = g.at("throughput_source").as_string();
    }
    if (auto v = g.find("pair_throughput_factor")) {
      const double f = v->as_positive_number();
      if (f > 1) v->fail("must be in (0, 1]");
      e.pair_throughput_factor = f;
      if (!g.has("pair_source")) g.fail("a pair_throughput_factor needs a pair_source");
      e.pair_source = g.at("pair_source").as_string();
    }
  }
}

std::optional<double> GpuEconomics::price(const std::string& model) const {
  auto it = models.find(model);
  return it == models.end() ? std::nullopt : it->second.usd_per_gpu_hour;
}

std::optional<double> GpuEconomics::throughput(const std::string& model) const {
  auto it = models.find(model);
  return it == models.end() ? std::nullopt : it->second.relative_throughput;
}

std::optional<double> GpuEconomics::pair_factor(const std::string& model) const {
  auto it = models.find(model);
  return it == models.end() ? std::nullopt : it->second.pair_throughput_factor;
}

std::vector<std::string> GpuEconomics::unpriced(const std::vector<std::string>& wanted) const {
  std::vector<std::string> out;
  for (const auto& m : wanted)
    if (!price(m)) out.push_back(m);
  return out;
}

std::vector<std::string> GpuEconomics::without_throughput(const std::vector<std::string>& wanted) const {
  std::vector<std::string> out;
  for (const auto& m : wanted)
    if (!throughput(m)) out.push_back(m);
  return out;
}

}  // namespace xpusim::sched

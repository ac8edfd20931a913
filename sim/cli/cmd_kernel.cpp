#include <map>
#include <set>

#include <fmt/format.h>

#include "models/catalog/catalog.hpp"
#include "reports/report_writer.hpp"
#include "sim/cli/commands.hpp"
#include "sim/engine/input_error.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim::cli {

namespace {

// "n=1,c=64,h=56" -> {n:1, c:64, h:56}; every value a positive integer (pad may be 0).
std::map<std::string, int64_t> parse_shape(const std::string& text) {
  std::map<std::string, int64_t> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw InputError("--shape", "", fmt::format("\"{}\" is not key=value", item));
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    std::size_t used = 0;
    int64_t v = -1;
    try { v = std::stoll(value, &used); } catch (const std::exception&) { used = 0; }
    if (used != value.size() || value.empty())
      throw InputError("--shape", "", fmt::format("{}: \"{}\" is not an integer", key, value));
    if (v < 0 || (v == 0 && key != "pad")) throw InputError("--shape", "", fmt::format("{} must be positive, found {}", key, v));
    if (!out.emplace(key, v).second) throw InputError("--shape", "", fmt::format("{} given twice", key));
    pos = end + 1;
  }
  return out;
}

Kernel make_kernel(const std::string& op, const std::string& shape_text, Precision precision) {
  auto shape = parse_shape(shape_text);
  std::set<std::string> used;
  auto get = [&](const std::string& key, std::optional<int64_t> fallback = std::nullopt) {
    used.insert(key);
    auto it = shape.find(key);
    if (it != shape.end()) return it->second;
    if (fallback) return *fallback;
    throw InputError("--shape", "", fmt::format("{} needs {}", op, key));
  };
  Kernel k;
  k.name = op;
  k.dtype = matmul_dtype(precision);
  if (op == "conv2d") {
    Conv2d c{.n = get("n", 1), .c = get("c"), .h = get("h"), .w = get("w"), .k = get("k"), .r = get("r", 1),
             .s = get("s", 1), .stride = get("stride", 1), .pad = get("pad", 0), .groups = get("groups", 1)};
    if (c.c % c.groups || c.k % c.groups) throw InputError("--shape", "", "groups must divide c and k");
    if (c.out_h() <= 0 || c.out_w() <= 0) throw InputError("--shape", "", "the filter is larger than the padded input");
    k.shape = c;
  } else if (op == "gemm") {
    k.shape = Gemm{.batch = get("batch", 1), .m = get("m"), .n = get("n"), .k = get("k")};
  } else if (op == "relu" || op == "add" || op == "gelu") {
    k.dtype = precision == Precision::int8 ? DType::u8 : auxiliary_dtype(precision);
    k.shape = Elementwise{op == "relu" ? EltwiseOp::relu : op == "add" ? EltwiseOp::add : EltwiseOp::gelu,
                          get("elements")};
  } else if (op == "softmax" || op == "layernorm") {
    k.dtype = auxiliary_dtype(precision);
    if (op == "softmax") k.shape = Softmax{get("rows"), get("cols")};
    else k.shape = Norm{NormOp::layer_norm, get("rows"), get("cols")};
  } else if (op == "maxpool" || op == "avgpool") {
    k.dtype = precision == Precision::int8 ? DType::u8 : auxiliary_dtype(precision);
    Pool p{op == "maxpool" ? PoolOp::max : PoolOp::avg, get("n", 1), get("c"), get("h"), get("w"),
           get("r"), get("s"), get("stride", 1), get("pad", 0)};
    if (p.out_h() <= 0 || p.out_w() <= 0) throw InputError("--shape", "", "the window is larger than the padded input");
    k.shape = p;
  } else {
    throw InputError("--op", "", fmt::format("unknown op \"{}\" (known: avgpool, add, conv2d, gelu, gemm, "
                                             "layernorm, maxpool, relu, softmax)", op));
  }
  for (const auto& [key, value] : shape)
    if (!used.count(key)) throw InputError("--shape", "", fmt::format("{} takes no \"{}\"", op, key));
  return k;
}

}  // namespace

Action add_kernel_command(CLI::App& app) {
  struct Flags {
    std::string op, shape, precision = "fp32";
    std::vector<std::string> instances{"host"};
    int threads = 0;
    OutputOptions output;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("kernel", "one kernel on one or more instances: time and breakdown");
  cmd->add_option("--op", f->op, "conv2d, gemm, relu, add, gelu, softmax, layernorm, maxpool, avgpool")->required();
  cmd->add_option("--shape", f->shape, "e.g. n=1,c=64,h=56,w=56,k=64,r=3,s=3,pad=1")->required();
  cmd->add_option("--precision", f->precision, "int8, bf16, fp16, fp32, tf32 (default fp32)");
  cmd->add_option("--instance", f->instances, "catalog instances, or host (default host)")->delimiter(',');
  cmd->add_option("--threads", f->threads, "threads (default: every core of the instance)");
  add_output_options(*cmd, f->output);
  return [f] {
    auto precision = parse_precision(f->precision);
    if (!precision) throw InputError("--precision", "", fmt::format("unknown precision \"{}\"", f->precision));
    if (f->threads < 0) throw InputError("--threads", "", "must be a positive integer");
    const Kernel k = make_kernel(f->op, f->shape, *precision);
    const Catalog& catalog = Catalog::builtin();
    for (const auto& i : f->instances)
      if (!catalog.has_instance(i))
        throw InputError("--instance", "", fmt::format("unknown instance \"{}\" (known: {})", i, catalog.instance_names_joined()));
    std::vector<KernelRunResult> rows;
    nlohmann::json results = nlohmann::json::array();
    for (const auto& i : f->instances) {
      CpuCostModel model(catalog.device(i));
      const int threads = f->threads > 0 ? f->threads : model.device().cores;
      const KernelCost c = model.evaluate(k, threads);
      KernelRunResult r{i, model.device().spec.name, k.name, std::string(k.kind()), k.signature(),
                        f->precision, std::string(c.bound()), std::string(memory_level_name(c.level)),
                        c.threads, c.total_s * 1e6, c.compute_s * 1e6, c.memory_s * 1e6,
                        c.overhead_s * 1e6, k.flops() / 1e9, double(k.bytes()), c.effective_macs,
                        c.utilization};
      results.push_back(to_json(r));
      rows.push_back(r);
    }
    nlohmann::json config = {{"op", f->op}, {"shape", f->shape}, {"precision", f->precision},
                             {"instances", f->instances},
                             {"threads", f->threads > 0 ? nlohmann::json(f->threads) : nlohmann::json("all cores")}};
    emit(f->output, make_report("kernel", config, results), kernel_results_table(rows), kernel_results_csv(rows));
  };
}

}  // namespace xpusim::cli

#include "sim/scenario/kernel_spec.hpp"

#include <charconv>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "sim/engine/input_error.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

namespace {

// Dimensions and tensor sizes beyond these cannot be represented (sizes in bytes are int64).
constexpr int64_t kMaxDimension = 1'000'000'000;
constexpr double kMaxElements = 1e15;

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
    if (key.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos)
      throw InputError("--shape", "", fmt::format("\"{}\" is not a shape key (lowercase letters)", key));
    int64_t v = -1;
    const auto [end_of_number, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end_of_number != value.data() + value.size())
      throw InputError("--shape", "", fmt::format("{}: \"{}\" is not an integer", key, value));
    if (v < 0 || (v == 0 && key != "pad")) throw InputError("--shape", "", fmt::format("{} must be positive, found {}", key, v));
    if (v > kMaxDimension)
      throw InputError("--shape", "", fmt::format("{} must be at most {}, found {}", key, kMaxDimension, v));
    if (!out.emplace(key, v).second) throw InputError("--shape", "", fmt::format("{} given twice", key));
    pos = end + 1;
  }
  return out;
}

}  // namespace

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
             .s = get("s", 1), .stride = get("stride", 1), .pad_h = get("pad", 0), .pad_w = get("pad", 0), .groups = get("groups", 1)};
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
  if (k.max_operand_elements() > kMaxElements || k.macs() > kMaxElements * 1e3)
    throw InputError("--shape", "", fmt::format("a tensor of this shape has more than {:g} elements", kMaxElements));
  return k;
}

}  // namespace xpusim

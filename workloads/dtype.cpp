#include "workloads/dtype.hpp"

#include <stdexcept>

namespace xpusim {

std::size_t dtype_bytes(DType t) {
  switch (t) {
    case DType::s8: case DType::u8: return 1;
    case DType::bf16: case DType::f16: return 2;
    case DType::s32: case DType::f32: case DType::tf32: return 4;  // tf32 is stored as fp32
  }
  throw std::logic_error("dtype_bytes: bad dtype");
}

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::s8: return "s8";
    case DType::u8: return "u8";
    case DType::s32: return "s32";
    case DType::bf16: return "bf16";
    case DType::f16: return "f16";
    case DType::f32: return "f32";
    case DType::tf32: return "tf32";
  }
  throw std::logic_error("dtype_name: bad dtype");
}

std::string_view precision_name(Precision p) {
  switch (p) {
    case Precision::int8: return "int8";
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
  }
  throw std::logic_error("precision_name: bad precision");
}

const std::vector<Precision>& all_precisions() {
  static const std::vector<Precision> all = {Precision::int8, Precision::bf16, Precision::fp16,
                                             Precision::fp32, Precision::tf32};
  return all;
}

std::optional<Precision> parse_precision(std::string_view name) {
  for (auto p : all_precisions())
    if (precision_name(p) == name) return p;
  return std::nullopt;
}

DType matmul_dtype(Precision p) {
  switch (p) {
    case Precision::int8: return DType::s8;
    case Precision::bf16: return DType::bf16;
    case Precision::fp16: return DType::f16;
    case Precision::fp32: return DType::f32;
    case Precision::tf32: return DType::tf32;
  }
  throw std::logic_error("matmul_dtype: bad precision");
}

}  // namespace xpusim

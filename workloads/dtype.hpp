#pragma once
// Element types of tensors and the precisions a model runs in.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xpusim {

// Storage types. `s8` on a GEMM/conv means the quantized int8 path: u8 activations x s8
// weights accumulated in s32 (VPDPBUSD semantics), one byte per element in memory.
enum class DType : uint8_t { s8, u8, s32, bf16, f16, f32, tf32 };

std::size_t dtype_bytes(DType t);
std::string_view dtype_name(DType t);

// The precision a whole model runs in, as users name it.
enum class Precision : uint8_t { int8, bf16, fp16, fp32, tf32 };

std::string_view precision_name(Precision p);
std::optional<Precision> parse_precision(std::string_view name);
const std::vector<Precision>& all_precisions();
// Type of GEMM/conv operands at this precision.
DType matmul_dtype(Precision p);

}  // namespace xpusim

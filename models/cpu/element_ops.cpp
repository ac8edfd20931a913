#include "models/cpu/element_ops.hpp"

#include <algorithm>

#include "sim/engine/overloaded.hpp"

namespace xpusim {

namespace {
bool is_int8(DType t) { return t == DType::u8 || t == DType::s8; }
}  // namespace

std::string_view element_op_name(ElementOp op) {
  static constexpr std::string_view names[kElementOpCount] = {
      "streaming", "streaming_int8", "transcendental", "softmax", "norm", "pool", "pool_int8",
      "reduction", "gather", "sgd_update", "adam_update", "depthwise", "depthwise_int8"};
  return names[static_cast<std::size_t>(op)];
}

std::optional<ElementOp> element_op_of(const Kernel& k) {
  return std::visit(overloaded{
      [&](const Elementwise& e) -> std::optional<ElementOp> {
        switch (e.op) {
          case EltwiseOp::relu: case EltwiseOp::add: case EltwiseOp::add_relu: case EltwiseOp::cast:
          case EltwiseOp::copy: case EltwiseOp::scale: case EltwiseOp::mask:
            return is_int8(k.dtype) ? ElementOp::streaming_int8 : ElementOp::streaming;
          case EltwiseOp::gelu: case EltwiseOp::tanh: return ElementOp::transcendental;
          case EltwiseOp::sgd_momentum: return ElementOp::sgd_update;
          case EltwiseOp::adam: return ElementOp::adam_update;
        }
        return ElementOp::streaming;
      },
      [](const Softmax&) -> std::optional<ElementOp> { return ElementOp::softmax; },
      [](const Norm&) -> std::optional<ElementOp> { return ElementOp::norm; },
      [&](const Pool&) -> std::optional<ElementOp> { return is_int8(k.dtype) ? ElementOp::pool_int8 : ElementOp::pool; },
      [](const Reduction&) -> std::optional<ElementOp> { return ElementOp::reduction; },
      [](const Embedding&) -> std::optional<ElementOp> { return ElementOp::gather; },
      [&](const Conv2d& c) -> std::optional<ElementOp> {
        if (!c.depthwise()) return std::nullopt;
        return is_int8(k.dtype) ? ElementOp::depthwise_int8 : ElementOp::depthwise;
      },
      [](const auto&) -> std::optional<ElementOp> { return std::nullopt; }}, k.shape);
}

double valid_taps(const Conv2d& c) {
  auto along = [&](int64_t in, int64_t out, int64_t taps, int64_t pad) {
    int64_t total = 0;
    for (int64_t o = 0; o < out; ++o) {
      const int64_t first = o * c.stride - pad;
      total += std::max<int64_t>(0, std::min<int64_t>(taps, in - first) - std::max<int64_t>(0, -first));
    }
    return double(total);
  };
  return along(c.h, c.out_h(), c.r, c.pad_h) * along(c.w, c.out_w(), c.s, c.pad_w);
}

double element_work(const Kernel& k) {
  const double backward = (k.pass == Pass::backward_data || k.pass == Pass::backward_weights) ? 2 : 1;
  return backward * std::visit(overloaded{
      [](const Elementwise& e) { return double(e.elements); },
      [](const Softmax& s) { return double(s.rows) * s.cols; },
      [](const Norm& n) { return double(n.rows) * n.cols; },
      [](const Pool& p) { return double(p.n) * p.c * p.out_h() * p.out_w() * p.r * p.s; },
      [](const Reduction& r) { return double(r.outer) * r.inner; },
      [](const Embedding& m) { return double(m.tokens) * m.dim; },
      // Depthwise: one MAC per output element and valid tap (k = c x multiplier outputs).
      [](const Conv2d& c) { return c.depthwise() ? double(c.n) * c.k * valid_taps(c) : 0.0; },
      [](const auto&) { return 0.0; }}, k.shape);
}

double vector_ops_per_unit(ElementOp op) {
  switch (op) {
    case ElementOp::streaming: case ElementOp::streaming_int8: return 1.0;
    case ElementOp::transcendental: return 4.8;
    case ElementOp::softmax: return 4.2;
    case ElementOp::norm: return 1.6;
    case ElementOp::pool: case ElementOp::pool_int8: return 0.26;
    case ElementOp::reduction: case ElementOp::gather: return 0.5;
    case ElementOp::sgd_update: return 2.0;
    case ElementOp::adam_update: return 4.0;
    // Per 16 MACs one FMA, whose input and weight vectors are both loads: at two loads a cycle,
    // the loads bind it (measured on Zen 5: 0.07 cycles per MAC, near one FMA a cycle). Then
    // each output register's epilogue (2 vector ops, 6 for int8: see cpu_cost.cpp) over its 3x3
    // filter's 9 taps.
    case ElementOp::depthwise: return 0.125 + 2.0 / 16 / 9;
    case ElementOp::depthwise_int8: return 0.125 + 6.0 / 16 / 9;
  }
  return 1.0;
}

std::optional<Kernel> probe_kernel(ElementOp op) {
  // Sizes keep every operand in L2 (<= 256 KiB) and the run well above the call overhead.
  const Pool window{PoolOp::max, 1, 64, 32, 32, 3, 3, 2, 1};
  switch (op) {
    case ElementOp::streaming: return Kernel{"probe", Elementwise{EltwiseOp::add, 16384}, DType::f32};
    case ElementOp::streaming_int8: return Kernel{"probe", Elementwise{EltwiseOp::add_relu, 65536}, DType::u8};
    case ElementOp::transcendental: return Kernel{"probe", Elementwise{EltwiseOp::gelu, 16384}, DType::f32};
    case ElementOp::softmax: return Kernel{"probe", Softmax{128, 128}, DType::f32};
    case ElementOp::norm: return Kernel{"probe", Norm{NormOp::layer_norm, 32, 768}, DType::f32};
    case ElementOp::pool: return Kernel{"probe", window, DType::f32};
    case ElementOp::pool_int8: return Kernel{"probe", window, DType::u8};
    case ElementOp::reduction: return Kernel{"probe", Reduction{ReduceOp::sum, 128, 512}, DType::f32};
    case ElementOp::depthwise: case ElementOp::depthwise_int8:
      return Kernel{"probe", Conv2d{.n = 1, .c = 64, .h = 32, .w = 32, .k = 64, .r = 3, .s = 3, .pad_h = 1, .pad_w = 1, .groups = 64},
                    op == ElementOp::depthwise ? DType::f32 : DType::s8};
    case ElementOp::gather: case ElementOp::sgd_update: case ElementOp::adam_update: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace xpusim

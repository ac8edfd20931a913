#include "models/cpu/element_ops.hpp"

#include <algorithm>
#include <cmath>

#include "sim/engine/overloaded.hpp"

namespace xpusim {

namespace {
bool is_int8(DType t) { return t == DType::u8 || t == DType::s8; }
ElementOp pool_vector_op(PoolOp op, DType t) {
  if (op == PoolOp::max) return is_int8(t) ? ElementOp::pool_max_vector_int8 : ElementOp::pool_max_vector;
  return is_int8(t) ? ElementOp::pool_avg_vector_int8 : ElementOp::pool_avg_vector;
}
}  // namespace

std::string_view element_op_name(ElementOp op) {
  static constexpr std::string_view names[kElementOpCount] = {
      "streaming", "streaming_int8", "transcendental", "softmax", "norm", "pool_max_vector",
      "pool_max_vector_int8", "pool_avg_vector", "pool_avg_vector_int8", "pool_output", "pool_output_int8",
      "reduction", "gather", "sgd_update", "adam_update", "depthwise", "depthwise_int8"};
  return names[static_cast<std::size_t>(op)];
}

std::optional<ElementOp> element_op_of(const Kernel& k) {
  return std::visit(overloaded{
      [&](const Elementwise& e) -> std::optional<ElementOp> {
        switch (e.op) {
          case EltwiseOp::relu: case EltwiseOp::add: case EltwiseOp::add_relu: case EltwiseOp::cast:
          case EltwiseOp::copy: case EltwiseOp::scale: case EltwiseOp::mask: case EltwiseOp::leaky_relu:
            return is_int8(k.dtype) ? ElementOp::streaming_int8 : ElementOp::streaming;
          case EltwiseOp::gelu: case EltwiseOp::tanh: case EltwiseOp::mish: case EltwiseOp::sigmoid:
            return ElementOp::transcendental;
          case EltwiseOp::sgd_momentum: return ElementOp::sgd_update;
          case EltwiseOp::adam: return ElementOp::adam_update;
        }
        return ElementOp::streaming;
      },
      [](const Softmax&) -> std::optional<ElementOp> { return ElementOp::softmax; },
      [](const Norm&) -> std::optional<ElementOp> { return ElementOp::norm; },
      [&](const Pool& p) -> std::optional<ElementOp> { return pool_vector_op(p.op, k.dtype); },
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

namespace {
double backward_factor(const Kernel& k) {
  return (k.pass == Pass::backward_data || k.pass == Pass::backward_weights) ? 2 : 1;
}
}  // namespace

double pool_outputs(const Pool& p) { return double(p.n) * p.out_h() * p.out_w(); }

double pool_vector_taps(const Pool& p, DType t) {
  return pool_outputs(p) * double(p.r * p.s) * std::ceil(double(p.c) * double(dtype_bytes(t)) / 64);
}

double element_cycles_of(const Kernel& k, const ElementCosts& costs) {
  const auto op = element_op_of(k);
  if (!op) return 0;
  auto cost = [&](ElementOp o) { return costs[static_cast<std::size_t>(o)]; };
  if (const auto* p = std::get_if<Pool>(&k.shape))
    return backward_factor(k) * (pool_vector_taps(*p, k.dtype) * cost(*op) +
                                 pool_outputs(*p) * cost(is_int8(k.dtype) ? ElementOp::pool_output_int8 : ElementOp::pool_output));
  return element_work(k) * cost(*op);
}

double element_work(const Kernel& k) {
  return backward_factor(k) * std::visit(overloaded{
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
    // The host probe's cycles on Zen 5 times its four vector instructions per cycle. An output's
    // loop set-up and addressing are scalar work, but cores that issue fewer vector instructions are
    // older and slower at those too.
    case ElementOp::pool_max_vector: return 4.5;
    case ElementOp::pool_max_vector_int8: return 6.4;
    case ElementOp::pool_avg_vector: return 3.5;
    case ElementOp::pool_avg_vector_int8: return 10.2;
    case ElementOp::pool_output: return 0.004;
    case ElementOp::pool_output_int8: return 180;
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
  switch (op) {
    case ElementOp::streaming: return Kernel{"probe", Elementwise{EltwiseOp::add, 16384}, DType::f32};
    case ElementOp::streaming_int8: return Kernel{"probe", Elementwise{EltwiseOp::add_relu, 65536}, DType::u8};
    case ElementOp::transcendental: return Kernel{"probe", Elementwise{EltwiseOp::gelu, 16384}, DType::f32};
    case ElementOp::softmax: return Kernel{"probe", Softmax{128, 128}, DType::f32};
    case ElementOp::norm: return Kernel{"probe", Norm{NormOp::layer_norm, 32, 768}, DType::f32};
    case ElementOp::reduction: return Kernel{"probe", Reduction{ReduceOp::sum, 128, 512}, DType::f32};
    case ElementOp::depthwise: case ElementOp::depthwise_int8:
      return Kernel{"probe", Conv2d{.n = 1, .c = 64, .h = 32, .w = 32, .k = 64, .r = 3, .s = 3, .pad_h = 1, .pad_w = 1, .groups = 64},
                    op == ElementOp::depthwise ? DType::f32 : DType::s8};
    case ElementOp::pool_max_vector: case ElementOp::pool_max_vector_int8: case ElementOp::pool_avg_vector:
    case ElementOp::pool_avg_vector_int8: case ElementOp::pool_output: case ElementOp::pool_output_int8:
    case ElementOp::gather: case ElementOp::sgd_update: case ElementOp::adam_update: return std::nullopt;
  }
  return std::nullopt;
}

std::array<Kernel, 3> pool_probe_kernels(DType t) {
  // For the outputs a max pool 3x3, stride 2 of 64 channels (ResNet's first, in L2). For the
  // vectors Inception's last branch pool, 3x3, stride 1 of 2,048 channels on 8x8, max and
  // average: the three input rows it reads at a time (192 KiB in floats) outgrow L1, as wide
  // layers' do (with 512 channels they fit, and a float vector cost 30% less).
  const Pool wide{PoolOp::max, 1, 2048, 8, 8, 3, 3, 1, 1};
  Pool wide_avg = wide;
  wide_avg.op = PoolOp::avg;
  return {Kernel{"probe", Pool{PoolOp::max, 1, 64, 32, 32, 3, 3, 2, 1}, t}, Kernel{"probe", wide, t},
          Kernel{"probe", wide_avg, t}};
}

bool host_probes(ElementOp op) {
  switch (op) {
    case ElementOp::pool_max_vector: case ElementOp::pool_max_vector_int8: case ElementOp::pool_avg_vector:
    case ElementOp::pool_avg_vector_int8: case ElementOp::pool_output: case ElementOp::pool_output_int8: return true;
    default: return probe_kernel(op).has_value();
  }
}

}  // namespace xpusim

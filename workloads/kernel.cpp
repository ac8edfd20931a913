#include "workloads/kernel.hpp"
#include "sim/engine/overloaded.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace xpusim {

namespace {
// Arithmetic per element of the non-matmul operators (forward pass); these are the usual
// operation counts used by roofline tools (max/exp/div count as one each).
double eltwise_flops_per_element(EltwiseOp op) {
  switch (op) {
    case EltwiseOp::relu: return 1;
    case EltwiseOp::add: return 1;
    case EltwiseOp::add_relu: return 2;
    case EltwiseOp::tanh: return 4;
    case EltwiseOp::gelu: return 8;          // tanh approximation: x * (1 + tanh(a(x + b x^3))) / 2
    case EltwiseOp::sgd_momentum: return 4;  // v = mu v + g (+ weight decay); p -= lr v
    case EltwiseOp::adam: return 12;
    case EltwiseOp::cast: return 1;
    case EltwiseOp::copy: return 0;
    case EltwiseOp::scale: case EltwiseOp::mask: return 1;
    case EltwiseOp::mish: return 8;        // x * tanh(ln(1 + e^x)): exp, add, log, tanh, multiply
    case EltwiseOp::leaky_relu: return 2;  // compare, multiply
    case EltwiseOp::sigmoid: return 4;     // 1 / (1 + e^-x)
  }
  return 1;
}
// Tensors read and written per element.
std::pair<int, int> eltwise_operands(EltwiseOp op) {
  switch (op) {
    case EltwiseOp::relu: case EltwiseOp::gelu: case EltwiseOp::tanh: case EltwiseOp::cast:
    case EltwiseOp::copy: case EltwiseOp::scale: case EltwiseOp::mask: case EltwiseOp::mish:
    case EltwiseOp::leaky_relu: case EltwiseOp::sigmoid: return {1, 1};
    case EltwiseOp::add: case EltwiseOp::add_relu: return {2, 1};
    case EltwiseOp::sgd_momentum: return {3, 2};  // reads param, grad, momentum; writes two
    case EltwiseOp::adam: return {4, 3};          // param, grad, m, v
  }
  return {1, 1};
}
bool is_backward(Pass p) { return p == Pass::backward_data || p == Pass::backward_weights; }
}  // namespace

std::string_view pass_name(Pass p) {
  switch (p) {
    case Pass::forward: return "fwd";
    case Pass::backward_data: return "bwd_data";
    case Pass::backward_weights: return "bwd_weights";
    case Pass::update: return "update";
  }
  return "?";
}

std::string_view eltwise_op_name(EltwiseOp op) {
  switch (op) {
    case EltwiseOp::relu: return "relu";
    case EltwiseOp::gelu: return "gelu";
    case EltwiseOp::tanh: return "tanh";
    case EltwiseOp::add: return "add";
    case EltwiseOp::add_relu: return "add_relu";
    case EltwiseOp::sgd_momentum: return "sgd_momentum";
    case EltwiseOp::adam: return "adam";
    case EltwiseOp::cast: return "cast";
    case EltwiseOp::copy: return "copy";
    case EltwiseOp::scale: return "scale";
    case EltwiseOp::mask: return "mask";
    case EltwiseOp::mish: return "mish";
    case EltwiseOp::leaky_relu: return "leaky_relu";
    case EltwiseOp::sigmoid: return "sigmoid";
  }
  return "?";
}

std::string_view Kernel::kind() const {
  static constexpr std::string_view names[] = {"gemm", "conv2d", "elementwise", "reduction",
                                               "norm", "softmax", "pool", "embedding", "memcpy",
                                               "collective"};
  return names[shape.index()];
}

bool Kernel::is_matmul() const {
  return std::holds_alternative<Gemm>(shape) || std::holds_alternative<Conv2d>(shape);
}

double Kernel::macs() const {
  return std::visit(overloaded{
      [](const Gemm& g) { return double(g.batch) * g.m * g.n * g.k; },
      [](const Conv2d& c) {
        return double(c.n) * c.k * c.out_h() * c.out_w() * (c.c / c.groups) * c.r * c.s;
      },
      [](const auto&) { return 0.0; }}, shape);
}

double Kernel::flops() const {
  if (is_matmul()) return 2 * macs();
  // Backward of a non-matmul op costs about twice its forward (gradient and recomputation).
  double factor = is_backward(pass) ? 2.0 : 1.0;
  return factor * std::visit(overloaded{
      [](const Elementwise& e) { return eltwise_flops_per_element(e.op) * e.elements; },
      [](const Reduction& r) { return double(r.outer) * r.inner; },
      [](const Norm& n) { return 7.0 * n.rows * n.cols; },
      [](const Softmax& s) { return 5.0 * s.rows * s.cols; },
      [](const Pool& p) { return double(p.n) * p.c * p.out_h() * p.out_w() * p.r * p.s; },
      [](const Collective& c) {
        // Reductions performed per rank: all-reduce and reduce-scatter add (n-1)/n of the buffer.
        if (c.op == CollectiveOp::all_reduce || c.op == CollectiveOp::reduce_scatter)
          return double(c.bytes) * (c.ranks - 1) / c.ranks;
        return 0.0;
      },
      [](const auto&) { return 0.0; }}, shape);
}

int64_t Kernel::bytes() const {
  const int64_t e = static_cast<int64_t>(dtype_bytes(dtype));
  // In backward, each forward tensor is matched by its gradient: a conv's dgrad reads dY and W and
  // writes dX, its wgrad reads X and dY and writes dW: the same three tensor sizes as forward.
  // Non-matmul backward reads the forward input and dY and writes dX: one tensor more.
  const int64_t extra_bwd = is_backward(pass) ? 1 : 0;
  return std::visit(overloaded{
      [&](const Gemm& g) {
        int64_t b_batch = g.b_is_weight ? 1 : g.batch;
        return e * (g.batch * g.m * g.k + b_batch * g.k * g.n + g.batch * g.m * g.n);
      },
      [&](const Conv2d& c) {
        return e * (c.n * c.c * c.h * c.w + c.k * (c.c / c.groups) * c.r * c.s +
                    c.n * c.k * c.out_h() * c.out_w());
      },
      [&](const Elementwise& x) {
        // A cast reads fp32 and writes its own type.
        if (x.op == EltwiseOp::cast) return (4 + e) * x.elements;
        auto [in, out] = eltwise_operands(x.op);
        // Optimizer state (momentum, Adam moments) and master weights are kept in fp32.
        int64_t bytes_per = (x.op == EltwiseOp::sgd_momentum || x.op == EltwiseOp::adam) ? 4 : e;
        return bytes_per * (in + out + extra_bwd) * x.elements;
      },
      [&](const Reduction& r) { return e * (r.outer * r.inner + r.outer); },
      [&](const Norm& n) { return e * (2 + extra_bwd) * n.rows * n.cols; },
      [&](const Softmax& s) { return e * (2 + extra_bwd) * s.rows * s.cols; },
      [&](const Pool& p) {
        return e * ((1 + extra_bwd) * p.n * p.c * p.h * p.w + p.n * p.c * p.out_h() * p.out_w());
      },
      [&](const Embedding& m) {
        // Gathered rows in, the same rows out, plus the int32 token ids.
        return 2 * e * m.tokens * m.dim + 4 * m.tokens;
      },
      [&](const Memcpy& m) { return m.bytes; },
      [&](const Collective& c) { return c.bytes; }}, shape);
}

int64_t Kernel::result_bytes() const {
  const int64_t e = static_cast<int64_t>(dtype_bytes(dtype));
  return std::visit(overloaded{
      [&](const Gemm& g) -> int64_t {
        if (pass == Pass::backward_data) return e * g.batch * g.m * g.k;
        if (pass == Pass::backward_weights) return e * (g.b_is_weight ? 1 : g.batch) * g.k * g.n;
        return e * g.batch * g.m * g.n;
      },
      [&](const Conv2d& c) -> int64_t {
        if (pass == Pass::backward_data) return e * c.n * c.c * c.h * c.w;
        if (pass == Pass::backward_weights) return e * c.k * (c.c / c.groups) * c.r * c.s;
        return e * c.n * c.k * c.out_h() * c.out_w();
      },
      [&](const Elementwise& x) -> int64_t { return e * x.elements; },
      [&](const Reduction& r) -> int64_t { return e * r.outer; },
      [&](const Norm& n) -> int64_t { return e * n.rows * n.cols; },
      [&](const Softmax& s) -> int64_t { return e * s.rows * s.cols; },
      [&](const Pool& p) -> int64_t {
        return pass == Pass::forward ? e * p.n * p.c * p.out_h() * p.out_w() : e * p.n * p.c * p.h * p.w;
      },
      [&](const Embedding& m) -> int64_t { return e * m.tokens * m.dim; },
      [](const Memcpy& m) -> int64_t { return m.bytes; },
      [](const Collective& c) -> int64_t { return c.bytes; }}, shape);
}

double Kernel::max_operand_elements() const {
  return std::visit(overloaded{
      [](const Gemm& g) {
        const double b = double(g.batch);
        return std::max({b * g.m * g.k, (g.b_is_weight ? 1 : b) * g.k * g.n, b * g.m * g.n});
      },
      [](const Conv2d& c) {
        return std::max({double(c.n) * c.c * c.h * c.w, double(c.k) * (c.c / std::max<int64_t>(c.groups, 1)) * c.r * c.s,
                         double(c.n) * c.k * c.out_h() * c.out_w()});
      },
      [](const Elementwise& x) { return double(x.elements); },
      [](const Reduction& r) { return double(r.outer) * r.inner; },
      [](const Norm& n) { return double(n.rows) * n.cols; },
      [](const Softmax& s) { return double(s.rows) * s.cols; },
      [](const Pool& p) { return double(p.n) * p.c * p.h * p.w; },
      [](const Embedding& m) { return std::max(double(m.tokens) * m.dim, double(m.vocab) * m.dim); },
      [](const Memcpy& m) { return double(m.bytes); },
      [](const Collective& c) { return double(c.bytes); }}, shape);
}

int64_t Kernel::parameters() const { return pass == Pass::forward ? weight_count() : 0; }

int64_t Kernel::weight_count() const {
  return std::visit(overloaded{
      [](const Gemm& g) -> int64_t { return g.b_is_weight && !g.tied ? g.k * g.n + (g.bias ? g.n : 0) : 0; },
      [](const Conv2d& c) -> int64_t {
        return c.k * (c.c / c.groups) * c.r * c.s + (c.bias ? c.k : 0);
      },
      // Norms learn a scale and a shift per normalized feature.
      [](const Norm& n) -> int64_t { return 2 * n.cols; },
      [](const Embedding& m) -> int64_t { return m.vocab * m.dim; },
      [](const auto&) -> int64_t { return 0; }}, shape);
}

Kernel::Key Kernel::key() const {
  Key k{};
  k[0] = static_cast<int64_t>(shape.index());
  k[1] = static_cast<int64_t>(dtype) | (static_cast<int64_t>(pass) << 8) | (int64_t(fused_relu) << 16);
  std::visit(overloaded{
      [&](const Gemm& g) {
        k[2] = g.batch; k[3] = g.m; k[4] = g.n; k[5] = g.k; k[6] = g.b_is_weight; k[7] = g.bias; k[8] = g.cold_weights;
      },
      [&](const Conv2d& c) {
        k[2] = c.n; k[3] = c.c; k[4] = c.h; k[5] = c.w; k[6] = c.k; k[7] = c.r; k[8] = c.s;
        k[9] = c.stride; k[10] = c.pad_h; k[11] = c.groups; k[12] = c.bias; k[13] = c.pad_w;
      },
      [&](const Elementwise& x) { k[2] = static_cast<int64_t>(x.op); k[3] = x.elements; },
      [&](const Reduction& r) { k[2] = static_cast<int64_t>(r.op); k[3] = r.outer; k[4] = r.inner; },
      [&](const Norm& n) { k[2] = static_cast<int64_t>(n.op); k[3] = n.rows; k[4] = n.cols; },
      [&](const Softmax& s) { k[3] = s.rows; k[4] = s.cols; },
      [&](const Pool& p) {
        k[2] = static_cast<int64_t>(p.op); k[3] = p.n; k[4] = p.c; k[5] = p.h; k[6] = p.w;
        k[7] = p.r; k[8] = p.s; k[9] = p.stride; k[10] = p.pad;
      },
      [&](const Embedding& m) { k[3] = m.tokens; k[4] = m.vocab; k[5] = m.dim; },
      [&](const Memcpy& m) { k[2] = static_cast<int64_t>(m.direction); k[3] = m.bytes; },
      [&](const Collective& c) { k[2] = static_cast<int64_t>(c.op); k[3] = c.bytes; k[4] = c.ranks; }},
      shape);
  return k;
}

std::string Kernel::signature() const {
  std::string shape_text = std::visit(overloaded{
      [](const Gemm& g) {
        return fmt::format("b{} m{} n{} k{}{}", g.batch, g.m, g.n, g.k, g.b_is_weight ? " w" : "");
      },
      [](const Conv2d& c) {
        const std::string pad = c.pad_h == c.pad_w ? fmt::format("{}", c.pad_h) : fmt::format("{}x{}", c.pad_h, c.pad_w);
        return fmt::format("n{} c{} h{} w{} k{} r{} s{} st{} p{} g{}", c.n, c.c, c.h, c.w, c.k, c.r,
                           c.s, c.stride, pad, c.groups);
      },
      [](const Elementwise& x) { return fmt::format("{} e{}", eltwise_op_name(x.op), x.elements); },
      [](const Reduction& r) { return fmt::format("op{} outer{} inner{}", int(r.op), r.outer, r.inner); },
      [](const Norm& n) {
        return fmt::format("{} rows{} cols{}", n.op == NormOp::layer_norm ? "ln" : "bn", n.rows, n.cols);
      },
      [](const Softmax& s) { return fmt::format("rows{} cols{}", s.rows, s.cols); },
      [](const Pool& p) {
        return fmt::format("{} n{} c{} h{} w{} r{} s{} st{} p{}", p.op == PoolOp::max ? "max" : "avg",
                           p.n, p.c, p.h, p.w, p.r, p.s, p.stride, p.pad);
      },
      [](const Embedding& m) { return fmt::format("t{} v{} d{}", m.tokens, m.vocab, m.dim); },
      [](const Memcpy& m) { return fmt::format("dir{} bytes{}", int(m.direction), m.bytes); },
      [](const Collective& c) { return fmt::format("op{} bytes{} ranks{}", int(c.op), c.bytes, c.ranks); }},
      shape);
  return fmt::format("{} {} {} {}{}", kind(), shape_text, dtype_name(dtype), pass_name(pass),
                     fused_relu ? " relu" : "");
}

}  // namespace xpusim

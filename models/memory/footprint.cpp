#include "models/memory/footprint.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace xpusim {

namespace {

// Results that take no memory of their own: ReLU and the residual add run in place (torchvision's
// ResNet does both), layout copies are transient, weight casts are counted with the weights, and
// autograd keeps nothing of attention's scale and mask (their gradients need only the constant or
// the mask; the softmax after them keeps its own output).
bool stored(const Kernel& k) {
  const auto* e = std::get_if<Elementwise>(&k.shape);
  if (!e) return true;
  switch (e->op) {
    case EltwiseOp::relu: case EltwiseOp::add: case EltwiseOp::add_relu: case EltwiseOp::copy: case EltwiseOp::cast:
    case EltwiseOp::scale: case EltwiseOp::mask:
      return false;
    default: return true;
  }
}

}  // namespace

Footprint footprint(const Graph& g) {
  Footprint f;
  const int64_t params = g.parameters();
  const bool mixed = g.precision == Precision::fp16 || g.precision == Precision::bf16;
  int64_t largest_result = 0, largest_live = 0, kept = 0;
  for (const auto& k : g.kernels) {
    largest_result = std::max(largest_result, k.result_bytes());
    // A kernel's operands and result, less the weights counted apart.
    const int64_t weights = k.parameters() * static_cast<int64_t>(dtype_bytes(k.dtype));
    largest_live = std::max(largest_live, k.bytes() - weights);
    if (k.pass == Pass::forward && stored(k)) kept += k.result_bytes();
  }
  if (g.mode == Mode::training) {
    f.weights = params * (4 + (mixed ? 2 : 0));
    f.gradients = params * 4;
    const bool adam = !g.kernels.empty() && std::holds_alternative<Elementwise>(g.kernels.back().shape) &&
                      std::get<Elementwise>(g.kernels.back().shape).op == EltwiseOp::adam;
    f.optimizer_state = params * (adam ? 8 : 4);
    f.activations = kept;
    f.workspace = 2 * largest_result;  // a gradient arriving and the one being produced
  } else {
    f.weights = params * static_cast<int64_t>(dtype_bytes(matmul_dtype(g.precision)));
    f.activations = largest_live + g.kv_cache_bytes;
  }
  return f;
}

std::string fit_message(int64_t needed, int64_t available) {
  constexpr double kGiB = 1024.0 * 1024 * 1024;
  return fmt::format("needs {:.1f} GiB, has {:.1f} GiB", double(needed) / kGiB, double(available) / kGiB);
}

}  // namespace xpusim

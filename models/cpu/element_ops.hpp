#pragma once
// Classes of non-matmul kernels by how a CPU executes them. Each class has a cost in core cycles
// per unit of work (an element, or for pooling an output element times a window tap). Catalog
// parts derive it from the vector instructions oneDNN's kernels spend per unit and the core's
// vector instruction rate; the host probe measures it by running a small, cache-resident oneDNN
// kernel of the class (probe_kernel), because kernels with transcendentals, reductions or
// window loops do not all scale with the vector rate alike.
#include <array>
#include <optional>
#include <string_view>

#include "workloads/kernel.hpp"

namespace xpusim {

enum class ElementOp : uint8_t {
  streaming,       // relu, add, add+relu on floats
  streaming_int8,  // the same on u8 activations (converted to f32 and back)
  transcendental,  // gelu, tanh
  softmax,
  norm,            // layer norm, batch norm
  pool,            // per output element and window tap, floats
  pool_int8,       // the same on u8
  reduction,
  gather,          // embedding rows
  sgd_update,      // optimizer steps (fp32 master weights and state)
  adam_update,
  depthwise,       // depthwise convolution, per multiply-accumulate (output element and valid tap),
                   // its epilogue included
  depthwise_int8,  // the same on u8 activations and s8 filters (requantized to u8)
};
inline constexpr std::size_t kElementOpCount = 13;
using ElementCosts = std::array<double, kElementOpCount>;  // cycles per unit of work

std::string_view element_op_name(ElementOp op);
// nullopt for GEMM, convolution (but depthwise), memcpy and collectives.
std::optional<ElementOp> element_op_of(const Kernel& k);
// Units of work of a non-matmul kernel (backward passes count twice: gradient and recompute).
double element_work(const Kernel& k);
// Filter taps a convolution applies, summed over its output positions: oneDNN skips the taps that
// land on the zero padding, so border outputs cost less than interior ones.
double valid_taps(const Conv2d& c);
// 512-bit vector instructions per unit of work in oneDNN's kernels, counted with `xpusim
// calibrate` on a core that issues two per cycle (Zen 4). A property of the software.
double vector_ops_per_unit(ElementOp op);
// The cache-resident kernel the host probe runs to measure a class; nullopt where oneDNN has no
// primitive for it (embedding gathers, optimizer updates): those keep the derived cost.
std::optional<Kernel> probe_kernel(ElementOp op);

}  // namespace xpusim

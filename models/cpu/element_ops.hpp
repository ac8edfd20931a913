#pragma once
// Classes of non-matmul kernels by how a CPU executes them. Each class has a cost in core cycles
// per unit of work (an element; pooling pays two classes, below). Catalog
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
  // Pooling's kernels loop over output positions, and for each over its window's taps and at
  // each tap over the channels a vector at a time: one class per 64 bytes of channels at a tap (a
  // vector on AVX-512, two on AVX2), max and average apart (an average of u8 widens each vector
  // to four of 32-bit sums: on AVX2 it costs 2.5x a max), and one per output position whatever its
  // channels and window (its loop set-up, window bounds and store: VGG's 2x2 max pools cost the
  // same per output as ResNet's 3x3). On Zen 5 a u8 output costs ~45 cycles and each average
  // vector ~2.6 more, so one cost per channel and tap, probed at 64 channels, priced Inception's
  // 768 to 2,048 channels 1.8-2.9x too high and VGG's 2x2 pools 2x too low.
  pool_max_vector,       // max pools, per window tap and 64 bytes of channels, floats
  pool_max_vector_int8,  // the same on u8
  pool_avg_vector,       // average pools, the same
  pool_avg_vector_int8,
  pool_output,           // per output position, floats
  pool_output_int8,      // the same on u8
  reduction,
  gather,          // embedding rows
  sgd_update,      // optimizer steps (fp32 master weights and state)
  adam_update,
  depthwise,       // depthwise convolution, per multiply-accumulate (output element and valid tap),
                   // its epilogue included
  depthwise_int8,  // the same on u8 activations and s8 filters (requantized to u8)
};
inline constexpr std::size_t kElementOpCount = 17;
using ElementCosts = std::array<double, kElementOpCount>;  // cycles per unit of work

std::string_view element_op_name(ElementOp op);
// nullopt for GEMM, convolution (but depthwise), memcpy and collectives.
std::optional<ElementOp> element_op_of(const Kernel& k);
// Units of work of a non-matmul kernel (backward passes count twice: gradient and recompute); a
// pool's are its channels times its window taps (what its threads share).
double element_work(const Kernel& k);
// Cycles of a non-matmul kernel on one core at these costs per unit (0 for matmuls).
double element_cycles_of(const Kernel& k, const ElementCosts& costs);
// A pool's output positions (over its images), and its window taps times its 64-byte channel
// vectors.
double pool_outputs(const Pool& p);
double pool_vector_taps(const Pool& p, DType t);
// Filter taps a convolution applies, summed over its output positions: oneDNN skips the taps that
// land on the zero padding, so border outputs cost less than interior ones.
double valid_taps(const Conv2d& c);
// 512-bit vector instructions per unit of work in oneDNN's kernels, counted with `xpusim
// calibrate` on a core that issues two per cycle (Zen 4). A property of the software.
double vector_ops_per_unit(ElementOp op);
// The cache-resident kernel the host probe runs to measure a class alone; nullopt where oneDNN has
// no primitive for it (embedding gathers, optimizer updates: those keep the derived cost) and for
// the pooling classes, measured together (pool_probe_kernels).
std::optional<Kernel> probe_kernel(ElementOp op);
// The three pools of type `t` the probe runs to split pooling's cost: a max pool of 64 channels
// on 32x32, where the outputs weigh most, then a max and an average pool of 2,048 on 8x8, where
// the vectors do.
std::array<Kernel, 3> pool_probe_kernels(DType t);
// Whether the host probe measures the class (a profile without it is from an older probe).
bool host_probes(ElementOp op);

}  // namespace xpusim

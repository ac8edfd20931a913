#pragma once
// Kernel IR: one operation with its real shape and element type. Every kernel knows its FLOPs,
// its compulsory memory traffic (each operand read or written once) and its parameter count.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "workloads/dtype.hpp"

namespace xpusim {

// C[batch][m][n] = A[batch][m][k] x B[batch][k][n]. `b_is_weight`: B is a learned parameter shared
// by the whole batch (a Linear layer) rather than an activation (attention's Q.K^T, P.V). `tied`:
// that weight belongs to another kernel (a language model's output layer reusing its token
// embedding): training computes its gradient here, but the parameters are counted, exchanged and
// updated once, with their owner.
struct Gemm {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  bool b_is_weight = true;
  bool bias = true;
  bool tied = false;
  // The weight comes from main memory, whatever its own size: a step that reads every layer's
  // weights once, more of them than the caches hold (a decoder's generation step on a CPU).
  bool cold_weights = false;
};

// NCHW convolution with a KCRS filter. Output size follows the usual floor formula.
struct Conv2d {
  // pad_h rows and pad_w columns of zeros on each side (they differ for 1x7 and 7x1 filters).
  int64_t n = 1, c = 0, h = 0, w = 0, k = 0, r = 1, s = 1, stride = 1, pad_h = 0, pad_w = 0, groups = 1;
  bool bias = false;
  int64_t out_h() const { return (h + 2 * pad_h - r) / stride + 1; }
  int64_t out_w() const { return (w + 2 * pad_w - s) / stride + 1; }
  // One input channel per group (MobileNet's depthwise filters): no reduction across channels,
  // so libraries run it as a vector loop over channels, not as a matrix multiply.
  bool depthwise() const { return groups > 1 && groups == c; }
};

// `cast` converts an fp32 tensor to the kernel's type (mixed precision's per-step weight copies);
// `copy` rewrites a tensor in another layout (NCHW <-> NHWC around tensor-core convolutions);
// `scale` multiplies by a constant; `mask` adds or selects a broadcast mask (attention's padding or
// causal mask: the mask is small next to the tensor, so one tensor is read and one written).
enum class EltwiseOp : uint8_t {
  relu, gelu, tanh, add, add_relu, sgd_momentum, adam, cast, copy, scale, mask,
  mish, leaky_relu, sigmoid  // leaky_relu: darknet's slope of 0.1 below zero
};
struct Elementwise {
  EltwiseOp op = EltwiseOp::relu;
  int64_t elements = 0;
};

enum class ReduceOp : uint8_t { sum, mean, max };
struct Reduction {  // reduces `inner` contiguous elements to one, `outer` times
  ReduceOp op = ReduceOp::sum;
  int64_t outer = 0, inner = 0;
};

// layer_norm normalizes each of `rows` over `cols`; batch_norm normalizes each of `cols`
// channels over `rows` = N*H*W positions. Both carry a scale and a shift per normalized feature.
enum class NormOp : uint8_t { layer_norm, batch_norm };
struct Norm {
  NormOp op = NormOp::layer_norm;
  int64_t rows = 0, cols = 0;
};

struct Softmax {  // along `cols`, for each of `rows`
  int64_t rows = 0, cols = 0;
};

enum class PoolOp : uint8_t { max, avg };
struct Pool {
  PoolOp op = PoolOp::max;
  int64_t n = 1, c = 0, h = 0, w = 0, r = 1, s = 1, stride = 1, pad = 0;
  int64_t out_h() const { return (h + 2 * pad - r) / stride + 1; }
  int64_t out_w() const { return (w + 2 * pad - s) / stride + 1; }
};

struct Embedding {  // gathers `tokens` rows of a [vocab][dim] table
  int64_t tokens = 0, vocab = 0, dim = 0;
};

enum class CopyDirection : uint8_t { host_to_device, device_to_host, peer_to_peer, device_to_device };
struct Memcpy {
  CopyDirection direction = CopyDirection::host_to_device;
  int64_t bytes = 0;
};

enum class CollectiveOp : uint8_t { all_reduce, all_gather, reduce_scatter, all_to_all, broadcast };
struct Collective {
  CollectiveOp op = CollectiveOp::all_reduce;
  int64_t bytes = 0;  // per-rank buffer size
  int64_t ranks = 2;
};

using KernelShape = std::variant<Gemm, Conv2d, Elementwise, Reduction, Norm, Softmax, Pool,
                                 Embedding, Memcpy, Collective>;

// Which computation of a layer this kernel is: forward, the two halves of backward (gradient
// with respect to the input, and to the weights), or the optimizer's parameter update.
enum class Pass : uint8_t { forward, backward_data, backward_weights, update };

std::string_view pass_name(Pass p);
std::string_view eltwise_op_name(EltwiseOp op);

struct Kernel {
  std::string name;  // layer name in its model, e.g. "layer2.0.conv2"
  KernelShape shape;
  DType dtype = DType::f32;
  Pass pass = Pass::forward;
  bool fused_relu = false;  // ReLU applied to the output in the same kernel (a post-op)

  std::string_view kind() const;  // "gemm", "conv2d", ...
  double flops() const;           // multiply and add count as two
  double macs() const;            // multiply-accumulates of GEMM/conv, else 0
  int64_t bytes() const;          // compulsory traffic: every operand touched once
  // Elements of the largest operand, computed in floating point: inputs can check that a shape's
  // sizes fit in int64 before anything multiplies them as integers.
  double max_operand_elements() const;
  int64_t parameters() const;     // learned parameters this layer owns (forward kernels only)
  int64_t weight_count() const;   // the same, whatever the pass (a wgrad produces this many gradients)
  int64_t result_bytes() const;   // the tensor the kernel writes (its output, or input gradient)
  bool is_matmul() const;         // GEMM or convolution

  // Compact identity of everything that determines cost (not the name): equal keys, equal cost.
  using Key = std::array<int64_t, 14>;
  Key key() const;
  // Human-readable form of key(), e.g. "conv2d n1 c64 h56 w56 k64 r3 s3 st1 p1 g1 s8 fwd relu".
  std::string signature() const;
};

}  // namespace xpusim

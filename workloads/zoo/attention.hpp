#pragma once
// Multi-head self-attention's activation x activation part, shared by the transformer models: the
// scores Q.K^T of every head, their softmax and the context P.V.
#include <string>

#include "workloads/graph.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

// `eager`: every operator its own kernel (training, and inference as eager frameworks run it).
// Then the scores are scaled by 1/sqrt(head_dim) and masked (padding, or causal) in passes of their
// own over the [batch x heads, s, s] scores, each as large as the softmax and, at long sequences,
// larger than anything else in the layer. Fused inference engines fold both into the softmax.
inline void add_self_attention(Graph& g, const std::string& prefix, int64_t batch, int64_t heads, int64_t s,
                               int64_t head_dim, DType mm, DType aux, bool eager) {
  const int64_t rows = batch * heads * s;
  g.kernels.push_back(Kernel{prefix + ".scores", Gemm{.batch = batch * heads, .m = s, .n = s, .k = head_dim,
                                                      .b_is_weight = false, .bias = false}, mm});
  if (eager) {
    g.kernels.push_back(Kernel{prefix + ".scale", Elementwise{EltwiseOp::scale, rows * s}, aux});
    g.kernels.push_back(Kernel{prefix + ".mask", Elementwise{EltwiseOp::mask, rows * s}, aux});
  }
  g.kernels.push_back(Kernel{prefix + ".softmax", Softmax{rows, s}, aux});
  g.kernels.push_back(Kernel{prefix + ".context", Gemm{.batch = batch * heads, .m = s, .n = head_dim, .k = s,
                                                       .b_is_weight = false, .bias = false}, mm});
}

inline bool runs_eagerly(const ModelOptions& o) { return o.unfused || o.mode == Mode::training; }

}  // namespace xpusim

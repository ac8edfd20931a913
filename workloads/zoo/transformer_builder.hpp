#pragma once
// The layers transformer models are made of (BERT, GPT-2), emitted as kernels in execution order.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

class TransformerBuilder {
 public:
  // `model` names the family in errors; sequences longer than its position table are refused. A
  // decode step runs one new token per sequence against the seq_len cached before it.
  TransformerBuilder(const ModelOptions& o, const char* model, int64_t positions, int64_t hidden, int64_t heads)
      : batch(o.batch), seq(o.decode ? 1 : o.seq_len), keys(o.decode ? o.seq_len + 1 : o.seq_len), hidden(hidden),
        tokens(o.batch * seq), heads(heads), head_dim(hidden / heads), matmul(matmul_dtype(o.precision)),
        aux(auxiliary_dtype(o.precision)), eager_(o.unfused || o.mode == Mode::training), decode_(o.decode) {
    if (keys > positions)
      throw std::invalid_argument(o.decode ? fmt::format("{} decodes at most {} cached tokens", model, positions - 1)
                                           : fmt::format("{} sequence length must be <= {}", model, positions));
  }

  void add(std::string name, KernelShape shape, DType dtype) {
    graph_.kernels.push_back(Kernel{std::move(name), std::move(shape), dtype});
  }
  // A Linear layer with bias on `m` rows.
  void linear(std::string name, int64_t m, int64_t n, int64_t k) {
    add(std::move(name), Gemm{.batch = 1, .m = m, .n = n, .k = k, .b_is_weight = true, .bias = true}, matmul);
  }
  // Multi-head self-attention's activation x activation part: the scores Q.K^T of every head
  // (`seq` queries against `keys` keys), their softmax and the context P.V. Run eagerly (training, and inference as eager frameworks
  // run it, every operator its own kernel), the scores are scaled by 1/sqrt(head_dim) and masked
  // (padding, or causal) in passes of their own over the [batch x heads, s, s] scores, each as
  // large as the softmax and, at long sequences, larger than anything else in the layer. Fused
  // inference engines fold both into the softmax.
  void self_attention(const std::string& prefix) {
    const int64_t rows = batch * heads * seq;
    add(prefix + ".scores", Gemm{.batch = batch * heads, .m = seq, .n = keys, .k = head_dim, .b_is_weight = false, .bias = false},
        matmul);
    if (eager_) {
      add(prefix + ".scale", Elementwise{EltwiseOp::scale, rows * keys}, aux);
      add(prefix + ".mask", Elementwise{EltwiseOp::mask, rows * keys}, aux);
    }
    add(prefix + ".softmax", Softmax{rows, keys}, aux);
    add(prefix + ".context", Gemm{.batch = batch * heads, .m = seq, .n = head_dim, .k = keys, .b_is_weight = false, .bias = false},
        matmul);
  }
  void layer_norm(std::string name) { add(std::move(name), Norm{NormOp::layer_norm, tokens, hidden}, aux); }

  // The attention sublayer: the Q, K, V projection (named `prefix.qkv`), attention, the output
  // projection (`prefix.output`) and the residual add. A decode step also writes its token's key
  // and value into the cache the scores then read.
  void attention_sublayer(const std::string& prefix, const char* qkv, const char* output) {
    linear(prefix + "." + qkv, tokens, 3 * hidden, hidden);
    if (decode_) add(prefix + ".kv_append", Elementwise{EltwiseOp::copy, 2 * tokens * hidden}, aux);
    self_attention(prefix);
    linear(prefix + "." + output, tokens, hidden, hidden);
    add(prefix + ".residual", Elementwise{EltwiseOp::add, tokens * hidden}, aux);
  }
  // The feed-forward sublayer: up to 4 x hidden (`prefix.up`), GELU, back down (`prefix.down`) and
  // the residual add.
  void feed_forward_sublayer(const std::string& prefix, const char* up, const char* down) {
    linear(prefix + "." + up, tokens, 4 * hidden, hidden);
    add(prefix + ".gelu", Elementwise{EltwiseOp::gelu, tokens * 4 * hidden}, aux);
    linear(prefix + "." + down, tokens, hidden, 4 * hidden);
    add(prefix + ".residual", Elementwise{EltwiseOp::add, tokens * hidden}, aux);
  }

  Graph finish() { return std::move(graph_); }

  const int64_t batch, seq, keys, hidden, tokens, heads, head_dim;
  const DType matmul, aux;

 private:
  bool eager_, decode_;
  Graph graph_;
};

}  // namespace xpusim

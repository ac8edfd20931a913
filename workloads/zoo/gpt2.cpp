// GPT-2 (Radford et al. 2019), the decoder-only language models, at OpenAI's four released sizes:
// 124M L=12 H=768 A=12, medium L=24 H=1024 A=16, large L=36 H=1280 A=20, xl L=48 H=1600 A=25.
// Feed-forward 4H, byte-level BPE vocabulary 50257, 1024 positions. Pre-LayerNorm blocks (a norm
// before attention and before the MLP, one more after the last block) and the output layer tied
// to the token embedding, as in OpenAI's release and Hugging Face's GPT2LMHeadModel.
//
// The forward pass covers every position of the sequence (a training step, or the prompt of a
// generation). The causal mask does not change the kernels' shapes: the scores of every pair are
// computed and the masked ones discarded, as PyTorch's eager attention does.
#include <fmt/format.h>

#include "workloads/zoo/transformer_builder.hpp"

namespace xpusim {

namespace {

struct Gpt2Config {
  int64_t layers, hidden, heads;
};
constexpr int64_t kVocab = 50257, kPositions = 1024;
// nanoGPT's reproduction of GPT-2 124M on OpenWebText (config/train_gpt2.py): 600,000 steps of
// 491,520 tokens (480 sequences of 1,024), ~300 B tokens.
constexpr double kTrainingSequences = 600000.0 * 480;
constexpr const char* kTrainingSource =
    "nanoGPT's GPT-2 reproduction on OpenWebText (config/train_gpt2.py): 600,000 steps of 480 sequences of 1,024 tokens";

Graph build_gpt2(const Gpt2Config& cfg, const ModelOptions& o) {
  TransformerBuilder b(o, "GPT-2", kPositions, cfg.hidden, cfg.heads);
  const int64_t t = b.tokens, h = b.hidden;
  b.add("wte", Embedding{t, kVocab, h}, b.aux);
  b.add("wpe", Embedding{t, kPositions, h}, b.aux);
  b.add("embeddings.sum", Elementwise{EltwiseOp::add, t * h}, b.aux);
  // Pre-norm: each sublayer's input normalized before it, and the last block's output once more.
  for (int64_t l = 0; l < cfg.layers; ++l) {
    const std::string p = fmt::format("h{}", l);
    b.layer_norm(p + ".ln_1");
    b.attention_sublayer(p + ".attn", "c_attn", "c_proj");
    b.layer_norm(p + ".ln_2");
    b.feed_forward_sublayer(p + ".mlp", "c_fc", "c_proj");
  }
  b.layer_norm("ln_f");
  // Logits for every position, through the token embedding's own table (no bias).
  b.add("lm_head", Gemm{.batch = 1, .m = t, .n = kVocab, .k = h, .b_is_weight = true, .bias = false, .tied = true}, b.matmul);
  if (o.mode == Mode::training) b.add("loss.softmax", Softmax{t, kVocab}, DType::f32);
  Graph g = b.finish();
  if (o.decode) g.kv_cache_bytes = 2 * cfg.layers * b.batch * b.keys * h * int64_t(dtype_bytes(b.aux));
  return g;
}

ModelInfo gpt2_info(std::string description, Gpt2Config cfg) {
  return ModelInfo{
      .description = std::move(description),
      .default_seq_len = kPositions,
      .optimizer = Optimizer::adam,
      .training_batch = 8,
      .training_samples = kTrainingSequences,
      .training_samples_source = kTrainingSource,
      .input_bytes_per_sample = 0,
      .input_bytes_per_token = 8,  // int64 token ids (positions are generated on the device)
      .output_bytes_per_sample = 4 * kVocab,  // the next token's fp32 logits (the last position's)
      .build_forward = [cfg](const ModelOptions& o) { return build_gpt2(cfg, o); },
      .decoder = true};
}

const ModelRegistrar small("gpt2", gpt2_info("GPT-2 124M: 12 layers, hidden 768, 12 heads", {12, 768, 12}));
const ModelRegistrar medium("gpt2-medium", gpt2_info("GPT-2 medium (355M): 24 layers, hidden 1024, 16 heads", {24, 1024, 16}));
const ModelRegistrar large("gpt2-large", gpt2_info("GPT-2 large (774M): 36 layers, hidden 1280, 20 heads", {36, 1280, 20}));
const ModelRegistrar xl("gpt2-xl", gpt2_info("GPT-2 xl (1.5B): 48 layers, hidden 1600, 25 heads", {48, 1600, 25}));

}  // namespace
}  // namespace xpusim

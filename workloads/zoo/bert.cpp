// BERT (Devlin et al. 2019) encoder with pooler and a 2-way classification head, as fine-tuned
// for GLUE/SQuAD-style tasks. Sizes from the paper: base L=12 H=768 A=12, large L=24 H=1024 A=16,
// feed-forward 4H, vocabulary 30522 (WordPiece), 512 positions, 2 token types.
#include <utility>

#include <fmt/format.h>

#include "workloads/zoo/transformer_builder.hpp"

namespace xpusim {

namespace {

struct BertConfig {
  int64_t layers, hidden, heads;
};
constexpr int64_t kVocab = 30522, kPositions = 512, kTokenTypes = 2, kLabels = 2;
// Phase 1 of NVIDIA's LAMB pre-training recipe: 7,038 steps of 65,536 sequences.
constexpr double kPretrainingSequences = 7038.0 * 65536;
constexpr const char* kPretrainingSource =
    "phase 1 of NVIDIA's BERT pre-training (DeepLearningExamples, LAMB): 7,038 steps of 65,536 sequences";

Graph build_bert(const BertConfig& cfg, const ModelOptions& o) {
  TransformerBuilder b(o, "BERT", kPositions, cfg.hidden, cfg.heads);
  for (const auto& [name, rows] : {std::pair{"word", kVocab}, {"position", kPositions}, {"token_type", kTokenTypes}})
    b.add(fmt::format("embeddings.{}", name), Embedding{b.tokens, rows, b.hidden}, b.aux);
  b.add("embeddings.sum", Elementwise{EltwiseOp::add, 2 * b.tokens * b.hidden}, b.aux);  // three tables: two adds
  b.layer_norm("embeddings.norm");
  // Post-norm: each sublayer's sum normalized after it.
  for (int64_t l = 0; l < cfg.layers; ++l) {
    const std::string p = fmt::format("layer{}", l);
    b.attention_sublayer(p + ".attention", "qkv", "output");
    b.layer_norm(p + ".attention.norm");
    b.feed_forward_sublayer(p + ".ffn", "up", "down");
    b.layer_norm(p + ".ffn.norm");
  }
  b.linear("pooler", b.batch, b.hidden, b.hidden);  // on the [CLS] token of each sequence
  b.add("pooler.tanh", Elementwise{EltwiseOp::tanh, b.batch * b.hidden}, b.aux);
  b.linear("classifier", b.batch, kLabels, b.hidden);
  if (o.mode == Mode::training) b.add("loss.softmax", Softmax{b.batch, kLabels}, DType::f32);
  return b.finish();
}

const ModelRegistrar base("bert-base", ModelInfo{
    .description = "BERT-base uncased: 12 layers, hidden 768, 12 heads",
    .default_seq_len = 128,
    .optimizer = Optimizer::adam,
    .training_batch = 32,
    .training_samples = kPretrainingSequences,
    .training_samples_source = kPretrainingSource,
    .input_bytes_per_sample = 0,
    .input_bytes_per_token = 3 * 8,  // int64 token ids, segment ids and attention mask
    .output_bytes_per_sample = kLabels * 4,
    .build_forward = [](const ModelOptions& o) { return build_bert({12, 768, 12}, o); }});

const ModelRegistrar large("bert-large", ModelInfo{
    .description = "BERT-large uncased: 24 layers, hidden 1024, 16 heads",
    .default_seq_len = 128,
    .optimizer = Optimizer::adam,
    .training_batch = 32,
    .training_samples = kPretrainingSequences,
    .training_samples_source = kPretrainingSource,
    .input_bytes_per_sample = 0,
    .input_bytes_per_token = 3 * 8,  // int64 token ids, segment ids and attention mask
    .output_bytes_per_sample = kLabels * 4,
    .build_forward = [](const ModelOptions& o) { return build_bert({24, 1024, 16}, o); }});

}  // namespace
}  // namespace xpusim

#include "workloads/zoo/model_zoo.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace xpusim {

DType auxiliary_dtype(Precision p) {
  switch (p) {
    case Precision::int8: case Precision::fp32: case Precision::tf32: return DType::f32;
    case Precision::bf16: return DType::bf16;
    case Precision::fp16: return DType::f16;
  }
  throw std::logic_error("auxiliary_dtype: bad precision");
}

namespace {
std::string decoder_names() {
  std::string out;
  for (const auto& name : ModelRegistry::instance().names())
    if (ModelRegistry::instance().find(name)->decoder) out += (out.empty() ? "" : ", ") + name;
  return out;
}
}  // namespace

Graph build_model(std::string_view name, ModelOptions options) {
  const ModelInfo* info = ModelRegistry::instance().find(name);
  if (!info) throw std::invalid_argument(ModelRegistry::instance().unknown(name, "model"));
  if (options.batch <= 0) throw std::invalid_argument("batch must be a positive integer");
  // Larger batches would overflow int64 tensor sizes in the zoo's largest layers.
  if (options.batch > kMaxBatch)
    throw std::invalid_argument(fmt::format("batch must be at most {}, found {}", kMaxBatch, options.batch));
  if (info->default_seq_len == 0 && options.seq_len != 0)
    throw std::invalid_argument("model \"" + std::string(name) + "\" has no sequence length");
  if (options.seq_len == 0) options.seq_len = info->default_seq_len;
  if (options.seq_len < 0) throw std::invalid_argument("sequence length must be positive");
  if (options.decode && !info->decoder)
    throw std::invalid_argument("model \"" + std::string(name) + "\" generates no tokens: decode is for decoder models (" +
                                decoder_names() + ")");
  if (options.decode && options.mode == Mode::training) throw std::invalid_argument("decode is an inference step, not training");
  Graph g = info->build_forward(options);
  g.model = std::string(name);
  g.precision = options.precision;
  g.batch = options.batch;
  g.seq_len = options.seq_len;
  g.decode = options.decode;
  g.mode = Mode::inference;
  if (options.mode == Mode::training) g = expand_training(g, info->optimizer);
  return g;
}

StepTransfers step_transfers(std::string_view name, int64_t batch, int64_t seq_len, Mode mode) {
  const ModelInfo* info = ModelRegistry::instance().find(name);
  if (!info) throw std::invalid_argument(ModelRegistry::instance().unknown(name, "model"));
  if (seq_len == 0) seq_len = info->default_seq_len;
  const double b = static_cast<double>(batch);
  StepTransfers t;
  t.to_device = b * (info->input_bytes_per_sample + info->input_bytes_per_token * static_cast<double>(seq_len));
  t.from_device = mode == Mode::training ? 4 : b * info->output_bytes_per_sample;
  return t;
}

}  // namespace xpusim

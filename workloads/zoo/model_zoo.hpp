#pragma once
// The model zoo: graphs with the true layer shapes of published networks, by name.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "sim/engine/registry.hpp"
#include "workloads/graph.hpp"
#include "workloads/training.hpp"

namespace xpusim {

struct ModelOptions {
  int64_t batch = 1;
  Precision precision = Precision::fp32;
  Mode mode = Mode::inference;
  int64_t seq_len = 0;  // 0: the model's default (sequence models only)
  // Inference as eager frameworks run it: every layer its own kernel (batch norm not folded into
  // the convolution, ReLU and residual add apart). Training graphs are always unfused.
  bool unfused = false;
  // Decoder models, inference: one generation step, the token after `seq_len` tokens whose keys
  // and values are cached (the prompt and the tokens generated so far).
  bool decode = false;
};

struct ModelInfo {
  std::string description;
  int64_t default_seq_len = 0;  // 0 for models without a sequence dimension
  Optimizer optimizer = Optimizer::sgd_momentum;
  int64_t training_batch = 32;  // per device, when `xpusim train` is not told
  double training_samples = 0;  // a full training run, with where the figure comes from
  std::string training_samples_source;
  // What crosses from host to device and back each step (what a remote GPU's memcpys carry): the
  // input tensors as the data loader hands them over, and the inference outputs.
  double input_bytes_per_sample = 0;
  double input_bytes_per_token = 0;  // sequence models: added per token of the sequence
  double output_bytes_per_sample = 0;
  // Builds the forward graph: fused as inference engines run it, or unfused for training.
  std::function<Graph(const ModelOptions&)> build_forward;
  bool decoder = false;  // generates tokens one at a time (ModelOptions::decode)
};

using ModelRegistry = Registry<ModelInfo>;

struct ModelRegistrar {
  ModelRegistrar(const std::string& name, ModelInfo info) {
    ModelRegistry::instance().add(name, std::move(info));
  }
};

// Bytes copied to the device for one step's batch, and back from it (inference: the outputs;
// training: the loss, one fp32).
struct StepTransfers {
  double to_device = 0, from_device = 0;
};
StepTransfers step_transfers(std::string_view name, int64_t batch, int64_t seq_len, Mode mode);

// The largest batch a graph can be built with: every tensor size stays far inside int64.
inline constexpr int64_t kMaxBatch = 1'000'000'000;

// Builds `name` (inference graph, or forward + backward + optimizer for training).
// Throws std::invalid_argument for an unknown model or impossible options.
Graph build_model(std::string_view name, ModelOptions options);

// Storage type of non-matmul operators: int8 models keep them in fp32 except where a quantized
// CNN keeps its activations in u8; tf32 is a matmul mode only.
DType auxiliary_dtype(Precision p);

}  // namespace xpusim

#pragma once
// A model instantiated at one batch size and precision: its kernels in execution order.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/dtype.hpp"
#include "workloads/kernel.hpp"

namespace xpusim {

enum class Mode : uint8_t { inference, training };

struct Graph {
  std::string model;
  Precision precision = Precision::fp32;
  Mode mode = Mode::inference;
  int64_t batch = 1;
  int64_t seq_len = 0;  // sequence models only
  bool decode = false;  // one generation step after seq_len cached tokens
  // Activations kept from step to step, beyond any one kernel's operands: a decoder's cache of
  // every layer's keys and values.
  int64_t kv_cache_bytes = 0;
  std::vector<Kernel> kernels;

  double flops() const {
    double total = 0;
    for (const auto& k : kernels) total += k.flops();
    return total;
  }
  int64_t parameters() const {
    int64_t total = 0;
    for (const auto& k : kernels) total += k.parameters();
    return total;
  }
};

}  // namespace xpusim

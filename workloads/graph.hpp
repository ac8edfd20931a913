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

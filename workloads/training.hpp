#pragma once
// Expands a forward graph (built unfused, as frameworks train) into a training step:
// forward, then backward in reverse order (dgrad + wgrad for layers with weights), then one
// fused optimizer update over all parameters in fp32.
#include "workloads/graph.hpp"

namespace xpusim {

enum class Optimizer : uint8_t { sgd_momentum, adam };

Graph expand_training(const Graph& forward, Optimizer optimizer);

}  // namespace xpusim

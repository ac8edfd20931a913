#pragma once
// What a model needs in device memory to run, against what the device has. Training keeps the
// weights (fp32 masters, plus their half-precision copies under mixed precision), a gradient per
// weight, the optimizer's state (momentum: one value per weight; Adam: two), every forward
// result that backward reads (all of them, as frameworks keep them by default, but for results
// written in place: ReLU and residual adds) and a workspace for the largest kernel. Inference keeps the weights at the run's precision and, because layers
// run one after another, only the largest input-and-output pair live at once.
#include <cstdint>
#include <string>

#include "workloads/graph.hpp"

namespace xpusim {

struct Footprint {
  int64_t weights = 0, gradients = 0, optimizer_state = 0, activations = 0, workspace = 0;
  int64_t total() const { return weights + gradients + optimizer_state + activations + workspace; }
};

Footprint footprint(const Graph& graph);

// "needs 41.3 GiB, has 16.0 GiB"
std::string fit_message(int64_t needed, int64_t available);

}  // namespace xpusim

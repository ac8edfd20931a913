#include "workloads/training.hpp"

namespace xpusim {


Graph expand_training(const Graph& forward, Optimizer optimizer) {
  Graph out = forward;
  out.mode = Mode::training;
  // Data gradients flow back only to the first layer with parameters: its input is data.
  std::size_t first_weighted = forward.kernels.size();
  for (std::size_t i = 0; i < forward.kernels.size() && first_weighted == forward.kernels.size(); ++i)
    if (forward.kernels[i].parameters() > 0) first_weighted = i;
  for (std::size_t i = forward.kernels.size(); i-- > 0;) {
    const Kernel& f = forward.kernels[i];
    if (f.pass != Pass::forward) continue;
    const bool has_weights = f.parameters() > 0;
    if (i > first_weighted && !std::holds_alternative<Embedding>(f.shape)) {
      Kernel dgrad = f;
      dgrad.name += ".dgrad";
      dgrad.pass = Pass::backward_data;
      dgrad.fused_relu = false;
      out.kernels.push_back(dgrad);
    }
    // Attention's activation x activation GEMMs need the gradient of both operands; a tied
    // weight's gradient is computed where it is used (and added to its owner's).
    const auto* gemm = std::get_if<Gemm>(&f.shape);
    const bool tied = gemm && gemm->tied;
    if (has_weights || tied || (gemm && !gemm->b_is_weight)) {
      Kernel wgrad = f;
      wgrad.name += has_weights || tied ? ".wgrad" : ".dgrad_b";
      wgrad.pass = Pass::backward_weights;
      wgrad.fused_relu = false;
      out.kernels.push_back(wgrad);
    }
  }
  Kernel update;
  update.name = "optimizer";
  update.dtype = DType::f32;
  update.pass = Pass::update;
  update.shape = Elementwise{optimizer == Optimizer::adam ? EltwiseOp::adam : EltwiseOp::sgd_momentum,
                             forward.parameters()};
  out.kernels.push_back(update);
  return out;
}

}  // namespace xpusim

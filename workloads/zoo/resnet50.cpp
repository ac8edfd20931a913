// ResNet-50 v1.5 (He et al. 2016, with the stride on the 3x3 convolution of each downsampling
// bottleneck as in torchvision and NVIDIA's v1.5), 224x224 RGB input, 1000 classes.
// Inference: batch norm folded into the convolutions (bias), ReLU fused as a post-op, the
// residual add + ReLU as one elementwise kernel, as oneDNN/OpenVINO run it; or unfused, as eager
// frameworks run it.
// Training: unfused conv -> batch norm -> ReLU, as frameworks train it. Batch norm takes two
// passes over its input: the batch statistics (a reduction), then the normalization.
#include <fmt/format.h>

#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

namespace {

class ResNetBuilder {
 public:
  explicit ResNetBuilder(const ModelOptions& o)
      : batch_(o.batch),
        training_(o.mode == Mode::training),
        unfused_(training_ || o.unfused),
        conv_dtype_(matmul_dtype(o.precision)),
        // Quantized CNNs keep activations in u8 between layers; others in their precision.
        act_dtype_(o.precision == Precision::int8 ? DType::u8 : auxiliary_dtype(o.precision)) {}

  // conv (+ BN) (+ ReLU); returns the output spatial size.
  int64_t conv(const std::string& name, int64_t c, int64_t hw, int64_t k, int64_t rs,
               int64_t stride, bool relu) {
    Conv2d shape{.n = batch_, .c = c, .h = hw, .w = hw, .k = k, .r = rs, .s = rs,
                 .stride = stride, .pad = rs / 2, .groups = 1, .bias = !unfused_};
    Kernel kernel{name, shape, conv_dtype_, Pass::forward, relu && !unfused_};
    graph_.kernels.push_back(kernel);
    const int64_t out = shape.out_h();
    if (unfused_) {
      if (training_) push(name + ".bn_stats", Reduction{ReduceOp::mean, k, batch_ * out * out});
      push(name + ".bn", Norm{NormOp::batch_norm, batch_ * out * out, k});
      if (relu) push(name + ".relu", Elementwise{EltwiseOp::relu, batch_ * k * out * out});
    }
    return out;
  }

  void bottleneck(const std::string& name, int64_t in_c, int64_t width, int64_t hw, int64_t stride) {
    const int64_t out_c = 4 * width;
    conv(name + ".conv1", in_c, hw, width, 1, 1, true);
    int64_t out_hw = conv(name + ".conv2", width, hw, width, 3, stride, true);
    conv(name + ".conv3", width, out_hw, out_c, 1, 1, false);
    if (stride != 1 || in_c != out_c) conv(name + ".downsample", in_c, hw, out_c, 1, stride, false);
    const int64_t elements = batch_ * out_c * out_hw * out_hw;
    if (unfused_) {
      push(name + ".add", Elementwise{EltwiseOp::add, elements});
      push(name + ".relu", Elementwise{EltwiseOp::relu, elements});
    } else {
      push(name + ".add_relu", Elementwise{EltwiseOp::add_relu, elements});
    }
  }

  Graph build() {
    int64_t hw = conv("conv1", 3, 224, 64, 7, 2, true);  // 112
    push("maxpool", Pool{PoolOp::max, batch_, 64, hw, hw, 3, 3, 2, 1});
    hw = (hw + 2 - 3) / 2 + 1;  // 56
    const int64_t blocks[] = {3, 4, 6, 3};
    int64_t in_c = 64;
    for (int stage = 0; stage < 4; ++stage) {
      const int64_t width = 64 << stage;
      for (int64_t b = 0; b < blocks[stage]; ++b) {
        const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
        bottleneck(fmt::format("layer{}.{}", stage + 1, b), in_c, width, hw, stride);
        hw /= stride;
        in_c = 4 * width;
      }
    }
    push("avgpool", Pool{PoolOp::avg, batch_, in_c, hw, hw, hw, hw, 1, 0});
    Kernel fc{"fc", Gemm{.batch = 1, .m = batch_, .n = 1000, .k = in_c, .b_is_weight = true, .bias = true},
              conv_dtype_};
    graph_.kernels.push_back(fc);
    if (training_) push("softmax", Softmax{batch_, 1000}, DType::f32);
    return std::move(graph_);
  }

 private:
  void push(const std::string& name, KernelShape shape) { push(name, std::move(shape), act_dtype_); }
  void push(const std::string& name, KernelShape shape, DType dtype) {
    graph_.kernels.push_back(Kernel{name, std::move(shape), dtype});
  }

  int64_t batch_;
  bool training_, unfused_;
  DType conv_dtype_, act_dtype_;
  Graph graph_;
};

const ModelRegistrar registrar("resnet50", ModelInfo{
    .description = "ResNet-50 v1.5, 224x224, ImageNet-1k",
    .default_seq_len = 0,
    .optimizer = Optimizer::sgd_momentum,
    .training_batch = 256,
    .training_samples = 90.0 * 1'281'167,
    .training_samples_source = "90 epochs of ImageNet-1k's 1,281,167 images (the NVIDIA DeepLearningExamples schedule)",
    .input_bytes_per_sample = 3 * 224 * 224 * 4,  // the normalized fp32 image PyTorch loaders deliver
    .input_bytes_per_token = 0,
    .output_bytes_per_sample = 1000 * 4,          // fp32 logits
    .build_forward = [](const ModelOptions& o) { return ResNetBuilder(o).build(); }});

}  // namespace
}  // namespace xpusim

#pragma once
// The layers image classifiers are made of, emitted as kernels in execution order.
// Inference: batch norm folded into the convolution (a bias), ReLU fused as a post-op, as
// oneDNN/OpenVINO/TensorRT run it; or unfused, as eager frameworks run it. Training: unfused
// conv -> batch norm -> ReLU, as frameworks train it. Batch norm takes two passes over its input:
// the batch statistics (a reduction), then the normalization.
#include <functional>
#include <string>

#include <fmt/format.h>

#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

// The zoo entry of an ImageNet-1k classifier: side x side RGB images in (the normalized fp32
// tensors PyTorch loaders deliver), fp32 logits of its 1000 classes out, trained for `epochs` of
// the 1,281,167 training images with SGD and momentum (`recipe` says whose schedule).
inline ModelInfo imagenet_classifier(std::string description, int64_t side, int64_t training_batch, double epochs,
                                     const std::string& recipe, std::function<Graph(const ModelOptions&)> build) {
  return ModelInfo{
      .description = std::move(description),
      .default_seq_len = 0,
      .optimizer = Optimizer::sgd_momentum,
      .training_batch = training_batch,
      .training_samples = epochs * 1'281'167,
      .training_samples_source = fmt::format("{:g} epochs of ImageNet-1k's 1,281,167 images ({})", epochs, recipe),
      .input_bytes_per_sample = double(3 * side * side * 4),
      .input_bytes_per_token = 0,
      .output_bytes_per_sample = 1000 * 4,
      .build_forward = std::move(build)};
}

// Square feature maps and square pooling windows (every classifier in the zoo has them); filters
// may be 1xN or Nx1.
class CnnBuilder {
 public:
  explicit CnnBuilder(const ModelOptions& o)
      : batch_(o.batch),
        training_(o.mode == Mode::training),
        unfused_(training_ || o.unfused),
        conv_dtype_(matmul_dtype(o.precision)),
        // Quantized CNNs keep activations in u8 between layers; others in their precision.
        act_dtype_(o.precision == Precision::int8 ? DType::u8 : auxiliary_dtype(o.precision)),
        float_dtype_(auxiliary_dtype(o.precision)) {}

  struct Filter {
    int64_t r, s;            // height x width
    int64_t stride = 1;
    int64_t pad_h = -1, pad_w = -1;  // -1: "same" padding for stride 1 (r / 2, s / 2)
    int64_t groups = 1;              // c: depthwise
  };

  // conv (+ batch norm, or a bias where the network has no batch norm) (+ ReLU) on an hw x hw
  // input of c channels; returns the output size.
  int64_t conv(const std::string& name, int64_t c, int64_t hw, int64_t k, Filter f, bool relu,
               bool batch_norm = true) {
    Conv2d shape{.n = batch_, .c = c, .h = hw, .w = hw, .k = k, .r = f.r, .s = f.s, .stride = f.stride,
                 .pad_h = f.pad_h < 0 ? f.r / 2 : f.pad_h, .pad_w = f.pad_w < 0 ? f.s / 2 : f.pad_w,
                 .groups = f.groups, .bias = !batch_norm || !unfused_};
    graph_.kernels.push_back(Kernel{name, shape, conv_dtype_, Pass::forward, relu && !unfused_});
    const int64_t out = shape.out_h();
    if (unfused_) {
      if (batch_norm) {
        if (training_) push(name + ".bn_stats", Reduction{ReduceOp::mean, k, batch_ * out * out});
        push(name + ".bn", Norm{NormOp::batch_norm, batch_ * out * out, k});
      }
      if (relu) push(name + ".relu", Elementwise{EltwiseOp::relu, batch_ * k * out * out});
    }
    return out;
  }

  // A pooling window of `size` over an hw x hw map of c channels; returns the output size.
  int64_t pool(const std::string& name, PoolOp op, int64_t c, int64_t hw, int64_t size, int64_t stride,
               int64_t pad) {
    const Pool p{op, batch_, c, hw, hw, size, size, stride, pad};
    push(name, p);
    return p.out_h();
  }

  // Branch outputs written side by side: eager frameworks copy them into one tensor, inference
  // engines have each branch write its slice in place.
  void concat(const std::string& name, int64_t c, int64_t hw) {
    if (unfused_) push(name, Elementwise{EltwiseOp::copy, batch_ * c * hw * hw});
  }

  void eltwise(const std::string& name, EltwiseOp op, int64_t elements_per_sample) {
    push(name, Elementwise{op, batch_ * elements_per_sample});
  }
  // The same on values that are not quantized in an int8 network (a detector's output logits).
  void eltwise_unquantized(const std::string& name, EltwiseOp op, int64_t elements_per_sample) {
    push(name, Elementwise{op, batch_ * elements_per_sample}, float_dtype_);
  }

  // A fully connected layer (with bias) on `in` features per sample.
  void linear(const std::string& name, int64_t in, int64_t out, bool relu) {
    graph_.kernels.push_back(Kernel{name, Gemm{.batch = 1, .m = batch_, .n = out, .k = in, .b_is_weight = true, .bias = true},
                                    conv_dtype_, Pass::forward, relu && !unfused_});
    if (relu && unfused_) eltwise(name + ".relu", EltwiseOp::relu, out);
  }

  // Global average pooling, the classifier and (training) the softmax of the loss.
  Graph head(int64_t c, int64_t hw, int64_t classes) {
    pool("avgpool", PoolOp::avg, c, hw, hw, 1, 0);
    linear("fc", c, classes, false);
    return finish(classes);
  }

  // Ends the graph after a classifier of `classes` outputs.
  Graph finish(int64_t classes) {
    if (training_) push("softmax", Softmax{batch_, classes}, DType::f32);
    return release();
  }

  // Ends the graph as it is (a network whose loss is not a softmax over classes).
  Graph release() { return std::move(graph_); }

  bool unfused() const { return unfused_; }

 private:
  void push(const std::string& name, KernelShape shape) { push(name, std::move(shape), act_dtype_); }
  void push(const std::string& name, KernelShape shape, DType dtype) {
    graph_.kernels.push_back(Kernel{name, std::move(shape), dtype});
  }

  int64_t batch_;
  bool training_, unfused_;
  DType conv_dtype_, act_dtype_, float_dtype_;
  Graph graph_;
};

}  // namespace xpusim

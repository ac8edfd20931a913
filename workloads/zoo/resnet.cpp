// ResNet v1.5 (He et al. 2016, with the stride on the 3x3 convolution of each downsampling
// bottleneck as in torchvision and NVIDIA's v1.5): 50, 101 and 152 layers, 224x224 RGB input,
// 1000 classes. Layers as cnn_builder.hpp emits them; the residual add + ReLU is one elementwise
// kernel in inference, two unfused.
#include <array>

#include <fmt/format.h>

#include "workloads/zoo/cnn_builder.hpp"

namespace xpusim {

namespace {

using Stages = std::array<int64_t, 4>;  // bottleneck blocks per stage

void bottleneck(CnnBuilder& b, const std::string& name, int64_t in_c, int64_t width, int64_t hw, int64_t stride) {
  const int64_t out_c = 4 * width;
  b.conv(name + ".conv1", in_c, hw, width, {1, 1}, true);
  const int64_t out_hw = b.conv(name + ".conv2", width, hw, width, {3, 3, stride}, true);
  b.conv(name + ".conv3", width, out_hw, out_c, {1, 1}, false);
  if (stride != 1 || in_c != out_c) b.conv(name + ".downsample", in_c, hw, out_c, {1, 1, stride}, false);
  const int64_t elements = out_c * out_hw * out_hw;
  if (b.unfused()) {
    b.eltwise(name + ".add", EltwiseOp::add, elements);
    b.eltwise(name + ".relu", EltwiseOp::relu, elements);
  } else {
    b.eltwise(name + ".add_relu", EltwiseOp::add_relu, elements);
  }
}

Graph build_resnet(const Stages& blocks, const ModelOptions& o) {
  CnnBuilder b(o);
  int64_t hw = b.conv("conv1", 3, 224, 64, {7, 7, 2}, true);  // 112
  hw = b.pool("maxpool", PoolOp::max, 64, hw, 3, 2, 1);        // 56
  int64_t in_c = 64;
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t width = 64 << stage;
    for (int64_t i = 0; i < blocks[static_cast<std::size_t>(stage)]; ++i) {
      const int64_t stride = (stage > 0 && i == 0) ? 2 : 1;
      bottleneck(b, fmt::format("layer{}.{}", stage + 1, i), in_c, width, hw, stride);
      hw /= stride;
      in_c = 4 * width;
    }
  }
  return b.head(in_c, hw, 1000);
}

ModelInfo resnet(const char* description, Stages blocks) {
  return imagenet_classifier(description, 224, 256, 90, "the NVIDIA DeepLearningExamples schedule",
                             [blocks](const ModelOptions& o) { return build_resnet(blocks, o); });
}

const ModelRegistrar resnet50("resnet50", resnet("ResNet-50 v1.5, 224x224, ImageNet-1k", {3, 4, 6, 3}));
const ModelRegistrar resnet101("resnet101", resnet("ResNet-101 v1.5, 224x224, ImageNet-1k", {3, 4, 23, 3}));
const ModelRegistrar resnet152("resnet152", resnet("ResNet-152 v1.5, 224x224, ImageNet-1k", {3, 8, 36, 3}));

}  // namespace
}  // namespace xpusim

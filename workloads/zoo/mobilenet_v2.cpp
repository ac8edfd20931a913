// MobileNetV2 (Sandler et al. 2018), width 1.0, 224x224 RGB input, 1000 classes, as torchvision
// builds it: a 3x3 stride-2 stem, seventeen inverted residual blocks (a 1x1 expansion by t, a 3x3
// depthwise convolution, a linear 1x1 projection; the input added back where the shape allows),
// a 1x1 convolution to 1280 channels and the classifier. Every convolution has batch norm; ReLU6
// (a ReLU clamped at 6, the same cost) follows all but the projections. Dropout before the
// classifier (training only, 1280 features per sample) is not modelled.
#include <fmt/format.h>

#include "workloads/zoo/cnn_builder.hpp"

namespace xpusim {

namespace {

struct Stage {
  int64_t expansion, channels, blocks, stride;
};
// The paper's Table 2.
constexpr Stage kStages[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                             {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

Graph build_mobilenet_v2(const ModelOptions& o) {
  CnnBuilder b(o);
  int64_t hw = b.conv("features.0", 3, 224, 32, {3, 3, 2, 1, 1}, true);  // 112
  int64_t in_c = 32, index = 1;
  for (const Stage& s : kStages) {
    for (int64_t i = 0; i < s.blocks; ++i, ++index) {
      const std::string name = fmt::format("features.{}", index);
      const int64_t stride = i == 0 ? s.stride : 1, hidden = in_c * s.expansion;
      if (s.expansion != 1) b.conv(name + ".expand", in_c, hw, hidden, {1, 1}, true);
      const int64_t out_hw = b.conv(name + ".depthwise", hidden, hw, hidden, {3, 3, stride, 1, 1, hidden}, true);
      b.conv(name + ".project", hidden, out_hw, s.channels, {1, 1}, false);
      if (stride == 1 && in_c == s.channels) b.eltwise(name + ".add", EltwiseOp::add, s.channels * out_hw * out_hw);
      in_c = s.channels;
      hw = out_hw;
    }
  }
  b.conv("features.18", in_c, hw, 1280, {1, 1}, true);
  return b.head(1280, hw, 1000);
}

const ModelRegistrar mobilenet_v2("mobilenet-v2", imagenet_classifier("MobileNetV2 1.0, 224x224, ImageNet-1k", 224, 256, 300,
                                                                     "torchvision's MobileNetV2 recipe", build_mobilenet_v2));

}  // namespace
}  // namespace xpusim

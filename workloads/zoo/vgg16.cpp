// VGG-16 (Simonyan & Zisserman 2015, configuration D): thirteen 3x3 convolutions with biases and
// no batch norm, five 2x2 max pools, three fully connected layers; 224x224 RGB input, 1000
// classes. Dropout (training only) is not modelled: two masks over 4,096 features per sample.
#include <fmt/format.h>

#include "workloads/zoo/cnn_builder.hpp"

namespace xpusim {

namespace {

Graph build_vgg16(const ModelOptions& o) {
  CnnBuilder b(o);
  const int64_t stages[5][2] = {{2, 64}, {2, 128}, {3, 256}, {3, 512}, {3, 512}};  // convs, channels
  int64_t c = 3, hw = 224;
  for (int s = 0; s < 5; ++s) {
    for (int64_t i = 0; i < stages[s][0]; ++i) {
      b.conv(fmt::format("conv{}_{}", s + 1, i + 1), c, hw, stages[s][1], {3, 3}, true, false);
      c = stages[s][1];
    }
    hw = b.pool(fmt::format("pool{}", s + 1), PoolOp::max, c, hw, 2, 2, 0);
  }
  b.linear("fc6", c * hw * hw, 4096, true);  // 512 x 7 x 7 features
  b.linear("fc7", 4096, 4096, true);
  b.linear("fc8", 4096, 1000, false);
  return b.finish(1000);
}

// Training batch 64: tf_cnn_benchmarks' default for VGG-16.
const ModelRegistrar registrar("vgg16", imagenet_classifier("VGG-16 (configuration D), 224x224, ImageNet-1k", 224, 64, 74,
                                                            "370K iterations of 256, Simonyan & Zisserman 2015", build_vgg16));

}  // namespace
}  // namespace xpusim

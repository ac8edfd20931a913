// Inception V3 (Szegedy et al. 2016, "Rethinking the Inception Architecture"), with the module
// shapes of torchvision's and TensorFlow-slim's implementations: 299x299 RGB input, 1000 classes,
// every convolution followed by batch norm and ReLU. Without the auxiliary classifier, as it is
// served (in training it adds ~3.3M parameters and under 0.1% of the work).
#include <fmt/format.h>

#include "workloads/zoo/cnn_builder.hpp"

namespace xpusim {

namespace {

using Filter = CnnBuilder::Filter;
const Filter k1x1{1, 1}, k3x3{3, 3}, k5x5{5, 5}, k1x7{1, 7}, k7x1{7, 1}, k1x3{1, 3}, k3x1{3, 1};
const Filter k3x3_down{3, 3, 2, 0, 0};  // stride 2, no padding

class InceptionV3 {
 public:
  explicit InceptionV3(const ModelOptions& o) : b_(o) {}

  Graph build() {
    int64_t hw = conv("Conv2d_1a_3x3", 3, 299, 32, k3x3_down);   // 149
    hw = conv("Conv2d_2a_3x3", 32, hw, 32, {3, 3, 1, 0, 0});     // 147
    hw = conv("Conv2d_2b_3x3", 32, hw, 64, k3x3);                // 147
    hw = b_.pool("maxpool1", PoolOp::max, 64, hw, 3, 2, 0);      // 73
    hw = conv("Conv2d_3b_1x1", 64, hw, 80, k1x1);
    hw = conv("Conv2d_4a_3x3", 80, hw, 192, {3, 3, 1, 0, 0});    // 71
    hw = b_.pool("maxpool2", PoolOp::max, 192, hw, 3, 2, 0);     // 35
    int64_t c = module_a("Mixed_5b", 192, hw, 32);
    c = module_a("Mixed_5c", c, hw, 64);
    c = module_a("Mixed_5d", c, hw, 64);
    c = module_b("Mixed_6a", c, hw);
    hw = (hw - 3) / 2 + 1;  // 17
    for (auto [name, c7] : {std::pair{"Mixed_6b", 128}, {"Mixed_6c", 160}, {"Mixed_6d", 160}, {"Mixed_6e", 192}})
      c = module_c(name, c, hw, c7);
    c = module_d("Mixed_7a", c, hw);
    hw = (hw - 3) / 2 + 1;  // 8
    c = module_e("Mixed_7b", c, hw);
    c = module_e("Mixed_7c", c, hw);
    return b_.head(c, hw, 1000);
  }

 private:
  int64_t conv(const std::string& name, int64_t c, int64_t hw, int64_t k, Filter f) {
    return b_.conv(name, c, hw, k, f, true);
  }
  // 3x3 average pool (stride 1, padded) then a 1x1 convolution to `k` channels.
  void pool_branch(const std::string& name, int64_t c, int64_t hw, int64_t k) {
    b_.pool(name + ".branch_pool.avg", PoolOp::avg, c, hw, 3, 1, 1);
    conv(name + ".branch_pool", c, hw, k, k1x1);
  }
  int64_t join(const std::string& name, int64_t c, int64_t hw) {
    b_.concat(name + ".concat", c, hw);
    return c;
  }

  // 35x35: 1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | pool -> 1x1.
  int64_t module_a(const std::string& n, int64_t c, int64_t hw, int64_t pool_features) {
    conv(n + ".branch1x1", c, hw, 64, k1x1);
    conv(n + ".branch5x5_1", c, hw, 48, k1x1);
    conv(n + ".branch5x5_2", 48, hw, 64, k5x5);
    conv(n + ".branch3x3dbl_1", c, hw, 64, k1x1);
    conv(n + ".branch3x3dbl_2", 64, hw, 96, k3x3);
    conv(n + ".branch3x3dbl_3", 96, hw, 96, k3x3);
    pool_branch(n, c, hw, pool_features);
    return join(n, 64 + 64 + 96 + pool_features, hw);
  }
  // 35x35 -> 17x17: 3x3/2 | 1x1 -> 3x3 -> 3x3/2 | max pool/2.
  int64_t module_b(const std::string& n, int64_t c, int64_t hw) {
    const int64_t out = conv(n + ".branch3x3", c, hw, 384, k3x3_down);
    conv(n + ".branch3x3dbl_1", c, hw, 64, k1x1);
    conv(n + ".branch3x3dbl_2", 64, hw, 96, k3x3);
    conv(n + ".branch3x3dbl_3", 96, hw, 96, k3x3_down);
    b_.pool(n + ".branch_pool", PoolOp::max, c, hw, 3, 2, 0);
    return join(n, 384 + 96 + c, out);
  }
  // 17x17 with factorized 7x7 convolutions: 1x1 | 1x1 -> 1x7 -> 7x1 | 1x1 -> (7x1 -> 1x7) x 2 |
  // pool -> 1x1.
  int64_t module_c(const std::string& n, int64_t c, int64_t hw, int64_t c7) {
    conv(n + ".branch1x1", c, hw, 192, k1x1);
    conv(n + ".branch7x7_1", c, hw, c7, k1x1);
    conv(n + ".branch7x7_2", c7, hw, c7, k1x7);
    conv(n + ".branch7x7_3", c7, hw, 192, k7x1);
    conv(n + ".branch7x7dbl_1", c, hw, c7, k1x1);
    conv(n + ".branch7x7dbl_2", c7, hw, c7, k7x1);
    conv(n + ".branch7x7dbl_3", c7, hw, c7, k1x7);
    conv(n + ".branch7x7dbl_4", c7, hw, c7, k7x1);
    conv(n + ".branch7x7dbl_5", c7, hw, 192, k1x7);
    pool_branch(n, c, hw, 192);
    return join(n, 4 * 192, hw);
  }
  // 17x17 -> 8x8: 1x1 -> 3x3/2 | 1x1 -> 1x7 -> 7x1 -> 3x3/2 | max pool/2.
  int64_t module_d(const std::string& n, int64_t c, int64_t hw) {
    conv(n + ".branch3x3_1", c, hw, 192, k1x1);
    const int64_t out = conv(n + ".branch3x3_2", 192, hw, 320, k3x3_down);
    conv(n + ".branch7x7x3_1", c, hw, 192, k1x1);
    conv(n + ".branch7x7x3_2", 192, hw, 192, k1x7);
    conv(n + ".branch7x7x3_3", 192, hw, 192, k7x1);
    conv(n + ".branch7x7x3_4", 192, hw, 192, k3x3_down);
    b_.pool(n + ".branch_pool", PoolOp::max, c, hw, 3, 2, 0);
    return join(n, 320 + 192 + c, out);
  }
  // 8x8 with expanded filter banks: 1x1 | 1x1 -> (1x3, 3x1) | 1x1 -> 3x3 -> (1x3, 3x1) |
  // pool -> 1x1.
  int64_t module_e(const std::string& n, int64_t c, int64_t hw) {
    conv(n + ".branch1x1", c, hw, 320, k1x1);
    conv(n + ".branch3x3_1", c, hw, 384, k1x1);
    conv(n + ".branch3x3_2a", 384, hw, 384, k1x3);
    conv(n + ".branch3x3_2b", 384, hw, 384, k3x1);
    conv(n + ".branch3x3dbl_1", c, hw, 448, k1x1);
    conv(n + ".branch3x3dbl_2", 448, hw, 384, k3x3);
    conv(n + ".branch3x3dbl_3a", 384, hw, 384, k1x3);
    conv(n + ".branch3x3dbl_3b", 384, hw, 384, k3x1);
    pool_branch(n, c, hw, 192);
    return join(n, 320 + 2 * 384 + 2 * 384 + 192, hw);
  }

  CnnBuilder b_;
};

// The paper trains with RMSProp, which keeps one moving average per weight as momentum keeps its
// velocity: the same optimizer cost. Training batch 32: the paper's per replica.
const ModelRegistrar registrar("inception-v3",
                               imagenet_classifier("Inception V3, 299x299, ImageNet-1k", 299, 32, 100,
                                                   "Szegedy et al. 2016: 50 replicas of batch 32",
                                                   [](const ModelOptions& o) { return InceptionV3(o).build(); }));

}  // namespace
}  // namespace xpusim

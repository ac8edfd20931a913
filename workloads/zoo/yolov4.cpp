// YOLOv4 (Bochkovskiy, Wang & Liao 2020, arXiv:2004.10934) as darknet's cfg/yolov4.cfg builds it:
// COCO's 80 classes at 608x608; a CSPDarknet53 backbone (Mish), an SPP block and a PANet neck
// (leaky ReLU), and three YOLO heads at strides 8, 16 and 32, each a 1x1 convolution to 3 anchors
// x 85 outputs (with a bias, no batch norm, no activation) whose outputs pass a sigmoid. Layer
// for layer the table darknet prints when it loads the network (tests/unit/workloads_test.cpp).
//
// The activations are kernels of their own, as darknet and PyTorch run them: the cost model's
// fused epilogue is ReLU's, and Mish costs far more (engines that fuse it, such as TensorRT with
// its plugin, save one pass over each activation). Darknet's nearest-neighbour 2x upsampling is
// modelled as a copy of its output (it reads a quarter of that). Concatenations ("route" layers)
// copy only in unfused graphs, as for Inception V3.
#include <fmt/format.h>

#include "workloads/zoo/cnn_builder.hpp"

namespace xpusim {

namespace {

using Filter = CnnBuilder::Filter;
const Filter k1x1{1, 1}, k3x3{3, 3}, k3x3_down{3, 3, 2};
constexpr int64_t kSide = 608, kHeadOutputs = 3 * (80 + 5);

class YoloV4 {
 public:
  explicit YoloV4(const ModelOptions& o) : b_(o) {}

  Graph build() {
    int64_t hw = conv("conv0", 3, kSide, 32, k3x3, EltwiseOp::mish);
    // CSPDarknet53: five stages, each halving the grid; their outputs at strides 8, 16, 32 feed
    // the neck.
    const int64_t c1 = csp_stage("stage1", 32, hw, 64, 1, false);
    hw /= 2;
    const int64_t c2 = csp_stage("stage2", c1, hw, 128, 2, true);
    hw /= 2;
    const int64_t c8 = csp_stage("stage3", c2, hw, 256, 8, true);  // 76x76, route 54
    const int64_t hw8 = hw /= 2;
    const int64_t c16 = csp_stage("stage4", c8, hw, 512, 8, true);  // 38x38, route 85
    const int64_t hw16 = hw /= 2;
    const int64_t c32 = csp_stage("stage5", c16, hw, 1024, 4, true);  // 19x19
    const int64_t hw32 = hw /= 2;

    // SPP: three max pools of the same map (5, 9, 13, stride 1), concatenated with it.
    conv("neck.conv0", c32, hw32, 512, k1x1);
    conv("neck.conv1", 512, hw32, 1024, k3x3);
    conv("neck.conv2", 1024, hw32, 512, k1x1);
    for (int64_t size : {5, 9, 13}) b_.pool(fmt::format("spp.max{}", size), PoolOp::max, 512, hw32, size, 1, size / 2);
    b_.concat("spp.concat", 2048, hw32);
    conv("neck.conv3", 2048, hw32, 512, k1x1);
    conv("neck.conv4", 512, hw32, 1024, k3x3);
    conv("neck.conv5", 1024, hw32, 512, k1x1);  // route 116
    // Top-down: upsample and join the finer backbone outputs.
    const int64_t p16 = top_down("up16", 512, hw32, c16);  // 256 at 38x38, route 126
    const int64_t p8 = top_down("up8", p16, hw16, c8);     // 128 at 76x76, route 136
    head("head8", p8, hw8);
    // Bottom-up: down-sample each head's input and join the coarser neck outputs.
    const int64_t q16 = bottom_up("down16", p8, hw8, p16);  // 256 at 38x38
    head("head16", q16, hw16);
    const int64_t q32 = bottom_up("down32", q16, hw16, 512);  // 512 at 19x19
    head("head32", q32, hw32);
    return b_.release();
  }

 private:
  // A convolution with batch norm and its activation; returns the output size.
  int64_t conv(const std::string& name, int64_t c, int64_t hw, int64_t k, Filter f,
               EltwiseOp act = EltwiseOp::leaky_relu) {
    const int64_t out = b_.conv(name, c, hw, k, f, false);
    b_.eltwise(name + (act == EltwiseOp::mish ? ".mish" : ".leaky"), act, k * out * out);
    return out;
  }

  // A cross-stage-partial stage: a 3x3 stride-2 convolution to `c`, then two 1x1 halves (both
  // `c` in the first stage), `blocks` residual blocks on one of them, and a 1x1 convolution of
  // the two joined. Returns its channels (`c`).
  int64_t csp_stage(const std::string& n, int64_t c_in, int64_t hw, int64_t c, int blocks, bool halve) {
    const EltwiseOp mish = EltwiseOp::mish;
    hw = conv(n + ".down", c_in, hw, c, k3x3_down, mish);
    const int64_t part = halve ? c / 2 : c;
    conv(n + ".split0", c, hw, part, k1x1, mish);
    conv(n + ".split1", c, hw, part, k1x1, mish);
    for (int i = 0; i < blocks; ++i) {
      const std::string p = fmt::format("{}.block{}", n, i);
      conv(p + ".conv1", part, hw, halve ? part : part / 2, k1x1, mish);
      conv(p + ".conv2", halve ? part : part / 2, hw, part, k3x3, mish);
      b_.eltwise(p + ".add", EltwiseOp::add, part * hw * hw);
    }
    conv(n + ".conv", part, hw, part, k1x1, mish);
    b_.concat(n + ".concat", 2 * part, hw);
    conv(n + ".transition", 2 * part, hw, c, k1x1, mish);
    return c;
  }

  // Five convolutions alternating 1x1 to `c` and 3x3 to 2c, on an input of 2c.
  void five_convs(const std::string& n, int64_t c, int64_t hw) {
    for (int i = 0; i < 5; ++i) conv(fmt::format("{}.conv{}", n, i + 2), i % 2 ? c : 2 * c, hw, i % 2 ? 2 * c : c,
                                     i % 2 ? k3x3 : k1x1);
  }

  // The coarse map (c channels at hw) halved to c/2, upsampled to 2hw and joined with the
  // backbone's map of `skip` channels there, reduced to c/2 first. Returns c/2.
  int64_t top_down(const std::string& n, int64_t c, int64_t hw, int64_t skip) {
    const int64_t half = c / 2;
    conv(n + ".conv0", c, hw, half, k1x1);
    b_.eltwise(n + ".upsample", EltwiseOp::copy, half * 4 * hw * hw);
    conv(n + ".conv1", skip, 2 * hw, half, k1x1);
    b_.concat(n + ".concat", 2 * half, 2 * hw);
    five_convs(n, half, 2 * hw);
    return half;
  }

  // The fine map (c channels at hw) down-sampled to 2c at hw/2 and joined with the neck's map of
  // `coarse` channels there. Returns 2c.
  int64_t bottom_up(const std::string& n, int64_t c, int64_t hw, int64_t coarse) {
    const int64_t out = conv(n + ".conv0", c, hw, 2 * c, k3x3_down);
    b_.concat(n + ".concat", 2 * c + coarse, out);
    conv(n + ".conv1", 2 * c + coarse, out, 2 * c, k1x1);
    for (int i = 0; i < 4; ++i) conv(fmt::format("{}.conv{}", n, i + 2), i % 2 ? 4 * c : 2 * c, out, i % 2 ? 2 * c : 4 * c,
                                     i % 2 ? k1x1 : k3x3);
    return 2 * c;
  }

  // A YOLO head on the c-channel map: a 3x3 convolution to 2c, the 1x1 output convolution and the
  // sigmoid of the detection layer.
  void head(const std::string& n, int64_t c, int64_t hw) {
    conv(n + ".conv", c, hw, 2 * c, k3x3);
    b_.conv(n + ".output", 2 * c, hw, kHeadOutputs, k1x1, false, false);
    b_.eltwise_unquantized(n + ".sigmoid", EltwiseOp::sigmoid, kHeadOutputs * hw * hw);
  }

  CnnBuilder b_;
};

// darknet trains it for max_batches = 500,500 of 64 images (32,032 K images, as darknet reports
// when it loads the released weights), each batch in 8 passes of 8 (subdivisions = 8).
const ModelRegistrar registrar(
    "yolov4", ModelInfo{.description = "YOLOv4 (darknet cfg/yolov4.cfg), 608x608, COCO's 80 classes",
                        .default_seq_len = 0,
                        .optimizer = Optimizer::sgd_momentum,
                        .training_batch = 8,
                        .training_samples = 500'500.0 * 64,
                        .training_samples_source = "darknet's yolov4.cfg: max_batches = 500,500 of batch = 64 images",
                        .input_bytes_per_sample = double(3 * kSide * kSide * 4),
                        .input_bytes_per_token = 0,
                        // The three heads' fp32 outputs, decoded into boxes on the host.
                        .output_bytes_per_sample = double(kHeadOutputs * 4 * (76 * 76 + 38 * 38 + 19 * 19)),
                        .build_forward = [](const ModelOptions& o) { return YoloV4(o).build(); }});

}  // namespace
}  // namespace xpusim

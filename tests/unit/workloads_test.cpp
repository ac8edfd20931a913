#include <stdexcept>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "workloads/zoo/model_zoo.hpp"

using namespace xpusim;

namespace {
int count_kind(const Graph& g, std::string_view kind, Pass pass) {
  int n = 0;
  for (const auto& k : g.kernels) n += (k.kind() == kind && k.pass == pass);
  return n;
}
}  // namespace

TEST(Kernel, ConvOutputShapeFlopsAndBytes) {
  Kernel k{"c", Conv2d{.n = 2, .c = 64, .h = 56, .w = 56, .k = 128, .r = 3, .s = 3, .stride = 2, .pad_h = 1, .pad_w = 1}, DType::f32};
  const auto& c = std::get<Conv2d>(k.shape);
  EXPECT_EQ(c.out_h(), 28);
  EXPECT_DOUBLE_EQ(k.macs(), 2.0 * 128 * 28 * 28 * 64 * 9);
  EXPECT_DOUBLE_EQ(k.flops(), 2 * k.macs());
  EXPECT_EQ(k.bytes(), 4 * (2 * 64 * 56 * 56 + 128 * 64 * 9 + 2 * 128 * 28 * 28));
}

TEST(Kernel, GroupedConvAndBatchedGemm) {
  Kernel dw{"dw", Conv2d{.n = 1, .c = 32, .h = 8, .w = 8, .k = 32, .r = 3, .s = 3, .pad_h = 1, .pad_w = 1, .groups = 32}, DType::f32};
  EXPECT_DOUBLE_EQ(dw.macs(), 32.0 * 8 * 8 * 9);
  EXPECT_EQ(dw.parameters(), 32 * 9);
  Kernel g{"g", Gemm{.batch = 12, .m = 128, .n = 128, .k = 64, .b_is_weight = false, .bias = false}, DType::s8};
  EXPECT_DOUBLE_EQ(g.macs(), 12.0 * 128 * 128 * 64);
  EXPECT_EQ(g.parameters(), 0);
  EXPECT_EQ(g.bytes(), 12 * (128 * 64 + 64 * 128 + 128 * 128));
}

TEST(Kernel, KeyIgnoresNameButNotShape) {
  Kernel a{"x", Gemm{.m = 8, .n = 16, .k = 32}, DType::f32};
  Kernel b{"y", Gemm{.m = 8, .n = 16, .k = 32}, DType::f32};
  Kernel c{"x", Gemm{.m = 8, .n = 16, .k = 33}, DType::f32};
  EXPECT_EQ(a.key(), b.key());
  EXPECT_NE(a.key(), c.key());
  EXPECT_EQ(a.signature(), b.signature());
}

// torchvision's resnet50 (v1.5): 25,557,032 parameters and 4.09 GMACs at 224x224.
TEST(ResNet50, ParametersAndMacsMatchPublishedFigures) {
  const Graph train = build_model("resnet50", {1, Precision::fp32, Mode::training, 0});
  EXPECT_EQ(train.parameters(), 25'557'032);
  const Graph infer = build_model("resnet50", {1, Precision::int8, Mode::inference, 0});
  double macs = 0;
  for (const auto& k : infer.kernels) macs += k.macs();
  EXPECT_NEAR(macs / 1e9, 4.089, 0.002);
  EXPECT_EQ(count_kind(infer, "conv2d", Pass::forward), 53);
  EXPECT_EQ(count_kind(infer, "gemm", Pass::forward), 1);
  EXPECT_EQ(count_kind(infer, "elementwise", Pass::forward), 16);  // residual add+ReLU
}

// Independent oracle: torchvision's model table (parameters with batch norm's scale and shift;
// "GFLOPS" there are multiply-accumulates at the model's input size, counted in eval mode, and
// rounded to two decimals). Inception V3's parameters are torchvision's 27,161,264 less its
// auxiliary classifier's 3,326,696, which the zoo leaves out (eval mode does not run it).
TEST(ModelZoo, CnnParametersAndMacsMatchTorchvision) {
  struct Published {
    const char* model;
    int64_t parameters;
    double gmacs;
  };
  for (const auto& p : {Published{"resnet101", 44'549'160, 7.80}, Published{"resnet152", 60'192'808, 11.51},
                        Published{"vgg16", 138'357'544, 15.47}, Published{"inception-v3", 23'834'568, 5.71},
                        Published{"mobilenet-v2", 3'504'872, 0.30}}) {
    SCOPED_TRACE(p.model);
    const Graph train = build_model(p.model, {1, Precision::fp32, Mode::training, 0});
    EXPECT_EQ(train.parameters(), p.parameters);
    // Inference folds batch norm into a bias: the same weights, one parameter per channel fewer.
    const Graph infer = build_model(p.model, {1, Precision::fp32, Mode::inference, 0});
    double macs = 0;
    for (const auto& k : infer.kernels) macs += k.macs();
    EXPECT_NEAR(macs / 1e9, p.gmacs, 0.006);
    EXPECT_LE(infer.parameters(), train.parameters());
  }
}

// MobileNetV2's seventeen inverted residual blocks each run one 3x3 depthwise convolution; ten
// keep their shape and add their input back.
TEST(ModelZoo, MobileNetV2DepthwiseBlocks) {
  const Graph g = build_model("mobilenet-v2", {2, Precision::int8, Mode::inference, 0});
  int depthwise = 0, adds = 0;
  for (const auto& k : g.kernels) {
    if (const auto* c = std::get_if<Conv2d>(&k.shape); c && c->depthwise()) {
      ++depthwise;
      EXPECT_EQ(c->k, c->c) << k.name;
      EXPECT_EQ(c->r * c->s, 9) << k.name;
    }
    adds += k.name.ends_with(".add");
  }
  EXPECT_EQ(depthwise, 17);
  EXPECT_EQ(adds, 10);
}

// Inception V3's factorized filters: a 1x7 convolution pads only its width, so the 17x17 grid
// keeps its size, and it costs 7/9 of a 3x3 one.
TEST(ModelZoo, InceptionFactorizedFiltersKeepTheGrid) {
  const Graph g = build_model("inception-v3", {2, Precision::fp32, Mode::inference, 0});
  int factorized = 0;
  for (const auto& k : g.kernels) {
    const auto* c = std::get_if<Conv2d>(&k.shape);
    if (!c || c->r == c->s) continue;
    ++factorized;
    EXPECT_EQ(c->out_h(), c->h) << k.name;
    EXPECT_EQ(c->out_w(), c->w) << k.name;
    EXPECT_EQ(c->pad_h, c->r / 2) << k.name;
    EXPECT_EQ(c->pad_w, c->s / 2) << k.name;
    EXPECT_NE(k.signature().find(fmt::format(" p{}x{} ", c->pad_h, c->pad_w)), std::string::npos) << k.signature();
  }
  EXPECT_EQ(factorized, 4 * 6 + 2 + 2 * 4);  // Mixed_6b-6e, Mixed_7a, Mixed_7b-7c
  const auto& fc = std::get<Gemm>(g.kernels.back().shape);
  EXPECT_EQ(fc.k, 2048);  // the 8x8x2048 map, pooled
}

namespace {
const Kernel& named(const Graph& g, const std::string& name) {
  for (const auto& k : g.kernels)
    if (k.name == name) return k;
  throw std::runtime_error("no kernel " + name);
}
}  // namespace

// Independent oracle: the table darknet prints when it loads cfg/yolov4.cfg (608x608): 162 layers,
// 110 of them convolutions, "Total BFLOPS 128.459", counted darknet's way: 2 per convolution MAC,
// 1 per residual add's output, and the window's taps per max pool output; and rows of its table
// (input channels, filters, BF as it rounds them).
TEST(YoloV4, LayersMatchDarknetsTable) {
  const Graph g = build_model("yolov4", {1, Precision::fp32, Mode::inference, 0});
  double flops = 0;
  int convs = 0;
  for (const auto& k : g.kernels) {
    if (std::holds_alternative<Conv2d>(k.shape)) flops += 2 * k.macs(), ++convs;
    if (const auto* e = std::get_if<Elementwise>(&k.shape); e && e->op == EltwiseOp::add) flops += double(e->elements);
    if (const auto* p = std::get_if<Pool>(&k.shape)) flops += double(p->r * p->s * p->c * p->out_h() * p->out_w());
  }
  EXPECT_EQ(convs, 110);
  EXPECT_NEAR(flops / 1e9, 128.459, 0.0005);
  struct Row {
    int darknet_layer;
    const char* kernel;
    int64_t c, k;
    double bf;
  };
  for (const Row& row : {Row{1, "stage1.down", 32, 64, 3.407}, Row{5, "stage1.block0.conv1", 64, 32, 0.379},
                         Row{10, "stage1.transition", 128, 64, 1.514}, Row{114, "neck.conv3", 2048, 512, 0.757},
                         Row{123, "up16.conv3", 256, 512, 3.407}, Row{138, "head8.output", 256, 255, 0.754},
                         Row{141, "down16.conv0", 128, 256, 0.852}, Row{144, "down16.conv2", 256, 512, 3.407},
                         Row{147, "down16.conv5", 512, 256, 0.379}, Row{158, "down32.conv5", 1024, 512, 0.379},
                         Row{160, "head32.output", 1024, 255, 0.189}}) {
    const Kernel& k = named(g, row.kernel);
    const auto& c = std::get<Conv2d>(k.shape);
    EXPECT_EQ(c.c, row.c) << "darknet layer " << row.darknet_layer;
    EXPECT_EQ(c.k, row.k) << "darknet layer " << row.darknet_layer;
    EXPECT_NEAR(2 * k.macs() / 1e9, row.bf, 0.0005) << "darknet layer " << row.darknet_layer;
  }
  // The three detection layers: 3 anchors x (80 classes + 5) at strides 8, 16 and 32.
  for (const auto& [head, side] : {std::pair{"head8.output", 76}, {"head16.output", 38}, {"head32.output", 19}}) {
    const auto& c = std::get<Conv2d>(named(g, head).shape);
    EXPECT_EQ(c.k, 255) << head;
    EXPECT_EQ(c.out_h(), side) << head;
  }
}

// Independent oracle: the released yolov4.weights is 257,717,640 bytes, a 20-byte header and then
// per convolution its biases (with batch norm also scales, running means and variances) and its
// weights, as 32-bit floats. Training parameters count the batch norm's scale and shift, not its
// running statistics.
TEST(YoloV4, ParametersFillTheReleasedWeightsFile) {
  const Graph g = build_model("yolov4", {1, Precision::fp32, Mode::training, 0});
  int64_t normalized_channels = 0;
  for (const auto& k : g.kernels)
    if (const auto* n = std::get_if<Norm>(&k.shape); n && k.pass == Pass::forward) normalized_channels += n->cols;
  EXPECT_EQ(g.parameters() + 2 * normalized_channels, (257'717'640 - 20) / 4);
}

TEST(ResNet50, BatchScalesWorkLinearly) {
  const Graph b1 = build_model("resnet50", {1, Precision::fp32, Mode::inference, 0});
  const Graph b8 = build_model("resnet50", {8, Precision::fp32, Mode::inference, 0});
  EXPECT_NEAR(b8.flops() / b1.flops(), 8.0, 1e-9);
}

// bert-base-uncased with its pooler has 109,482,240 parameters; the 2-way classifier adds 1,538.
TEST(Bert, ParametersMatchPublishedCounts) {
  EXPECT_EQ(build_model("bert-base", {1, Precision::fp32, Mode::inference, 128}).parameters(),
            109'482'240 + 768 * 2 + 2);
  // BERT-large from the architecture: embeddings + norm, 24 x (attention, FFN, two norms), pooler.
  const int64_t h = 1024, f = 4096;
  const int64_t layer = 4 * (h * h + h) + (h * f + f) + (f * h + h) + 2 * 2 * h;
  EXPECT_EQ(build_model("bert-large", {1, Precision::fp32, Mode::inference, 128}).parameters(),
            (30522 + 512 + 2) * h + 2 * h + 24 * layer + (h * h + h) + (h * 2 + 2));
}

TEST(Bert, AttentionScalesQuadraticallyWithSequence) {
  auto attention_macs = [](int64_t s) {
    double m = 0;
    for (const auto& k : build_model("bert-base", {1, Precision::fp32, Mode::inference, s}).kernels)
      if (k.name.find("scores") != std::string::npos) m += k.macs();
    return m;
  };
  EXPECT_NEAR(attention_macs(256) / attention_macs(128), 4.0, 1e-9);
  EXPECT_THROW(build_model("bert-base", {1, Precision::fp32, Mode::inference, 513}), std::invalid_argument);
}

// Eager frameworks scale and mask the attention scores in passes of their own; fused inference
// engines fold both into the softmax. Autograd needs neither pass's result.
TEST(Bert, EagerAttentionScalesAndMasksTheScores) {
  auto count = [](const Graph& g, std::string_view suffix) {
    int n = 0;
    for (const auto& k : g.kernels) n += k.pass == Pass::forward && k.name.ends_with(suffix);
    return n;
  };
  const Graph fused = build_model("bert-base", {2, Precision::fp32, Mode::inference, 128});
  const Graph eager = build_model("bert-base", {2, Precision::fp32, Mode::inference, 128, true});
  const Graph train = build_model("bert-base", {2, Precision::fp32, Mode::training, 128});
  EXPECT_EQ(count(fused, ".scale") + count(fused, ".mask"), 0);
  EXPECT_EQ(count(eager, ".attention.scale"), 12);
  EXPECT_EQ(count(eager, ".attention.mask"), 12);
  EXPECT_EQ(count(train, ".attention.mask"), 12);
  for (const auto& k : eager.kernels)
    if (k.name.ends_with(".mask")) {
      EXPECT_EQ(std::get<Elementwise>(k.shape).elements, 2 * 12 * 128 * 128) << k.name;
      EXPECT_EQ(k.bytes(), 2 * 4 * (2 * 12 * 128 * 128)) << k.name;  // one read, one write
    }
  EXPECT_DOUBLE_EQ(eager.parameters(), fused.parameters());
}

// Published parameter counts of OpenAI's four GPT-2 checkpoints (Hugging Face num_parameters(): the
// output layer is the token embedding, counted once).
TEST(Gpt2, ParametersMatchPublishedCounts) {
  auto params = [](const char* name) { return build_model(name, {1, Precision::fp32, Mode::inference, 1024}).parameters(); };
  EXPECT_EQ(params("gpt2"), 124'439'808);
  EXPECT_EQ(params("gpt2-medium"), 354'823'168);
  EXPECT_EQ(params("gpt2-large"), 774'030'080);
  EXPECT_EQ(params("gpt2-xl"), 1'557'611'200);
  EXPECT_THROW(build_model("gpt2", {1, Precision::fp32, Mode::inference, 1025}), std::invalid_argument);
}

// Forward multiply-accumulates per token in closed form (Kaplan et al. 2020, with the output layer):
// 12 L h^2 in the linear layers, 2 L s h in attention's scores and context, V h in the logits.
TEST(Gpt2, MacsPerTokenMatchTheClosedForm) {
  const int64_t b = 3, s = 512, L = 24, h = 1024, V = 50257;
  const Graph g = build_model("gpt2-medium", {b, Precision::bf16, Mode::inference, s});
  double macs = 0;
  for (const auto& k : g.kernels) macs += k.macs();
  EXPECT_DOUBLE_EQ(macs, double(b * s) * (12.0 * L * h * h + 2.0 * L * s * h + double(V) * h));
}

// A generation step: one new token per sequence against seq_len cached keys and values. Per
// sequence its MACs are the linear layers' 12 L h^2 for one token, attention over seq_len + 1
// keys (2 L (s + 1) h) and the logits (V h); the cache holds every layer's keys and values.
TEST(Gpt2, DecodeStepAttendsToTheCache) {
  const int64_t b = 4, s = 300, L = 12, h = 768, V = 50257;
  ModelOptions o{b, Precision::fp16, Mode::inference, s};
  o.decode = true;
  const Graph g = build_model("gpt2", o);
  double macs = 0;
  for (const auto& k : g.kernels) macs += k.macs();
  EXPECT_DOUBLE_EQ(macs, double(b) * (12.0 * L * h * h + 2.0 * L * (s + 1) * h + double(V) * h));
  EXPECT_EQ(g.kv_cache_bytes, 2 * L * b * (s + 1) * h * 2);
  EXPECT_EQ(g.parameters(), 124'439'808);
  o.seq_len = 1023;
  EXPECT_NO_THROW(build_model("gpt2", o));
  o.seq_len = 1024;  // the 1,025th position does not exist
  EXPECT_THROW(build_model("gpt2", o), std::invalid_argument);
  o.seq_len = 128;
  EXPECT_THROW(build_model("bert-base", o), std::invalid_argument);  // an encoder generates nothing
  o.mode = Mode::training;
  EXPECT_THROW(build_model("gpt2", o), std::invalid_argument);
}

// The tied output layer computes its weight gradient (adding it to the embedding's) but the weight is
// exchanged and updated once: the gradients the backward pass produces are the parameters, each once.
TEST(Gpt2, TiedOutputLayerHasAGradientButNoParametersOfItsOwn) {
  for (const char* name : {"gpt2", "bert-base"}) {
    const Graph g = build_model(name, {2, Precision::bf16, Mode::training, 128});
    int64_t gradients = 0;
    for (const auto& k : g.kernels)
      if (k.pass == Pass::backward_weights) gradients += k.weight_count();
    EXPECT_EQ(gradients, g.parameters()) << name;
    EXPECT_EQ(std::get<Elementwise>(g.kernels.back().shape).elements, g.parameters()) << name;
  }
  const Graph g = build_model("gpt2", {2, Precision::bf16, Mode::training, 128});
  int head_wgrad = 0;
  for (const auto& k : g.kernels) head_wgrad += k.name == "lm_head.wgrad";
  EXPECT_EQ(head_wgrad, 1);
}

TEST(Training, BackwardDoublesMatmulWorkExceptFirstLayerDgrad) {
  const Graph fwd = build_model("resnet50", {4, Precision::bf16, Mode::inference, 0});
  const Graph train = build_model("resnet50", {4, Precision::bf16, Mode::training, 0});
  double fwd_macs = 0, bwd_macs = 0, first = 0;
  for (const auto& k : train.kernels) {
    if (k.pass == Pass::forward) fwd_macs += k.macs();
    else bwd_macs += k.macs();
    if (k.name == "conv1") first = k.macs();
  }
  // Every matmul layer has a wgrad and a dgrad of the same MACs, except conv1 (no dgrad).
  EXPECT_DOUBLE_EQ(bwd_macs, 2 * fwd_macs - first);
  EXPECT_EQ(train.kernels.back().pass, Pass::update);
  EXPECT_EQ(std::get<Elementwise>(train.kernels.back().shape).elements, 25'557'032);
  (void)fwd;
}

TEST(ModelZoo, UnknownModelAndBadBatchAreRejected) {
  EXPECT_THROW(build_model("resnet51", {1, Precision::fp32, Mode::inference, 0}), std::invalid_argument);
  EXPECT_THROW(build_model("resnet50", {0, Precision::fp32, Mode::inference, 0}), std::invalid_argument);
  EXPECT_THROW(build_model("resnet50", {1, Precision::fp32, Mode::inference, 128}), std::invalid_argument);
}

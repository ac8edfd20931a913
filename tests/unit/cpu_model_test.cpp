#include <gtest/gtest.h>

#include "models/catalog/catalog.hpp"
#include "models/cpu/cpu_cost.hpp"
#include "models/cpu/element_ops.hpp"
#include "models/cpu/host_profile.hpp"
#include "workloads/zoo/model_zoo.hpp"

using namespace xpusim;

namespace {
CpuCostModel model_for(const std::string& instance) { return CpuCostModel(Catalog::builtin().device(instance)); }
Kernel conv(int64_t c, int64_t hw, int64_t k, int64_t rs, int64_t stride, DType t) {
  return Kernel{"conv", Conv2d{.n = 1, .c = c, .h = hw, .w = hw, .k = k, .r = rs, .s = rs, .stride = stride, .pad_h = rs / 2, .pad_w = rs / 2}, t};
}
}  // namespace

TEST(CpuSpec, PeakRatesFollowTheIsa) {
  const auto& cpus = Catalog::builtin().cpus();
  const CpuSpec& clx = cpus.at("xeon-8275cl");
  EXPECT_EQ(clx.macs_per_cycle(DType::s8), 128);   // 2 ports x 16 lanes x 4 (VPDPBUSD)
  EXPECT_EQ(clx.macs_per_cycle(DType::f32), 32);   // 2 ports x 16 lanes
  const CpuSpec& spr = cpus.at("xeon-8488c");
  EXPECT_EQ(spr.macs_per_cycle(DType::s8), 1024);  // AMX
  EXPECT_EQ(spr.macs_per_cycle(DType::bf16), 512);
  CpuSpec no_vnni = clx;
  no_vnni.vnni = false;
  no_vnni.derive_rates();
  EXPECT_NEAR(no_vnni.macs_per_cycle(DType::s8), 128.0 / 3, 1e-9);  // three-instruction sequence
  EXPECT_EQ(clx.vector_ops_per_cycle, 2);  // two 512-bit ports
  // Zen 4 runs 512-bit code on 256-bit pipes: half the rate per instruction.
  CpuSpec zen4 = clx;
  zen4.simd_datapath_bits = 256;
  zen4.vector_alu_ports = 4;
  zen4.derive_rates();
  EXPECT_EQ(zen4.macs_per_cycle(DType::s8), 64);
  EXPECT_EQ(zen4.macs_per_cycle(DType::f32), 16);
  EXPECT_EQ(zen4.vector_ops_per_cycle, 2);
}

// A large, cache-resident 3x3 convolution with 16-aligned channels is compute bound: its time is
// MACs / (MACs per cycle x clock) plus the epilogue and call overhead, nothing else.
TEST(CpuCost, ClosedFormForComputeBoundConvolution) {
  auto m = model_for("c6i.large");
  const CpuSpec& s = m.device().spec;
  Kernel k = conv(256, 14, 256, 1, 1, DType::s8);  // 1x1: no border taps
  auto c = m.evaluate(k, 1);
  const double hz = s.freq_ghz_avx512 * 1e9;
  const double expected = k.macs() / 128 / hz + (14.0 * 14 * 256 / 16) * 6 / 2 / hz + s.kernel_overhead_us * 1e-6;
  EXPECT_NEAR(c.total_s, expected, expected * 1e-9);
  EXPECT_EQ(c.bound(), "compute");
}

// Where the host probe measured what an int8 output costs beyond its MACs (and what a fused ReLU
// adds), every output element pays that instead of the epilogue's counted vector instructions,
// in convolutions and GEMMs alike; depthwise ones pay the ReLU on top of their class's cost.
TEST(CpuCost, MeasuredInt8OutputCostsReplaceTheCountedEpilogue) {
  CpuDevice measured = Catalog::builtin().device("c6i.large");
  measured.spec.int8_output_cycles = 0.3;
  measured.spec.int8_relu_cycles = 0.2;
  const CpuCostModel m(measured);
  const CpuSpec& s = measured.spec;
  const double hz = s.freq_ghz_avx512 * 1e9;
  Kernel k = conv(16, 32, 128, 1, 1, DType::s8);
  const double outputs = 32.0 * 32 * 128;
  EXPECT_NEAR(m.evaluate(k, 1).compute_s, (k.macs() / 128 + outputs * 0.3) / hz, 1e-15);
  k.fused_relu = true;
  EXPECT_NEAR(m.evaluate(k, 1).compute_s, (k.macs() / 128 + outputs * 0.5) / hz, 1e-15);
  const Kernel gemm{"fc", Gemm{.m = 64, .n = 1024, .k = 256}, DType::s8};
  EXPECT_NEAR(m.evaluate(gemm, 1).compute_s, (64.0 * 1024 * 256 / 128 + 64.0 * 1024 * 0.3) / hz, 1e-15);
  // fp32 keeps its counted epilogue (2 vector ops per 16-lane register).
  const Kernel f32 = conv(16, 32, 128, 1, 1, DType::f32);
  EXPECT_NEAR(m.evaluate(f32, 1).compute_s, (f32.macs() / s.f32_macs_per_cycle + outputs / 16 * 2 / s.vector_ops_per_cycle) / hz,
              1e-15);
  Kernel dw{"dw", Conv2d{.n = 1, .c = 64, .h = 32, .w = 32, .k = 64, .r = 3, .s = 3, .pad_h = 1, .pad_w = 1, .groups = 64},
            DType::s8};
  const double plain = m.evaluate(dw, 1).compute_s;
  dw.fused_relu = true;
  EXPECT_NEAR(m.evaluate(dw, 1).compute_s - plain, 32.0 * 32 * 64 * 0.2 / hz, 1e-15);
}

// On AMX every 16 x 16 result tile costs its chain of tile multiplies (one per 64 bytes of
// reduction), a tile store and the vector epilogue of its 16 rows: closed form from the catalog
// part's tile costs.
TEST(CpuCost, AmxConvolutionsCostTheirResultTiles) {
  auto m = model_for("c7i.large");
  const CpuSpec& s = m.device().spec;
  ASSERT_TRUE(s.amx);
  const double hz = s.freq_ghz_avx512 * 1e9;
  // The epilogue: 6 vector ops per row of int8 results (requantize, bias, ReLU, pack), 2 of bf16.
  auto tile = [&](double steps, double epilogue_ops = 6) {
    return steps * s.amx_tile_multiply_cycles + s.amx_tile_store_cycles + 16 * epilogue_ops / s.vector_ops_per_cycle;
  };
  // 56 x 56 pixels are 196 row tiles; 64 output channels 4 column tiles; 256 int8 channels 4 steps.
  Kernel k = conv(256, 56, 64, 1, 1, DType::s8);
  auto c = m.evaluate(k, 1);
  EXPECT_NEAR(c.compute_s, 196 * 4 * tile(4) / hz, 1e-15);
  EXPECT_DOUBLE_EQ(c.effective_macs, k.macs());  // nothing padded
  // 100 channels pad to 2 steps of 64; 20 output channels to 2 tiles of 16; 7 x 7 = 49 pixels to 4.
  auto padded = m.evaluate(conv(100, 7, 20, 1, 1, DType::s8), 1);
  EXPECT_NEAR(padded.compute_s, 4 * 2 * tile(2) / hz, 1e-15);
  // bf16 steps hold 32 values: 256 channels take 8.
  EXPECT_NEAR(m.evaluate(conv(256, 56, 64, 1, 1, DType::bf16), 1).compute_s, 196 * 4 * tile(8, 2) / hz, 1e-15);
  // The first layer's 3 channels: a filter row's 7 taps (21 bytes) share one step, 7 rows.
  Kernel first = conv(3, 224, 64, 7, 2, DType::s8);
  EXPECT_NEAR(m.evaluate(first, 1).compute_s, 112 * 112 / 16 * 4 * tile(7) / hz, 1e-15);
  // fp32 stays on the vector units.
  EXPECT_NEAR(m.evaluate(conv(256, 56, 64, 1, 1, DType::f32), 1).effective_macs, k.macs(), 1e-6);
}

TEST(CpuCost, PaddedChannelsAndSkippedBorderTaps) {
  auto m = model_for("c5.large");
  // 3 input channels are padded to the VNNI granularity of 4.
  auto first = m.evaluate(conv(3, 224, 64, 7, 2, DType::s8), 1);
  auto padded = m.evaluate(conv(4, 224, 64, 7, 2, DType::s8), 1);
  EXPECT_DOUBLE_EQ(first.effective_macs, padded.effective_macs);
  // A 3x3 conv on 7x7 with padding 1 executes (19/21)^2 of its nominal taps.
  Kernel k = conv(512, 7, 512, 3, 1, DType::f32);
  EXPECT_NEAR(m.evaluate(k, 1).effective_macs / k.macs(), (19.0 / 21) * (19.0 / 21), 1e-12);
}

// A depthwise convolution is a vector loop over channels (oneDNN's brdgmm_dw), not a GEMM per
// channel padded to the vector width: its time is its MACs (each output element's valid taps)
// times its class's cycles per MAC (epilogue included; int8 a class of its own), whatever the
// data type and even past L2.
TEST(CpuCost, DepthwiseConvolutionCostsItsMacsAtTheDepthwiseRate) {
  auto m = model_for("c6i.large");
  const CpuSpec& s = m.device().spec;
  const double hz = s.freq_ghz_avx512 * 1e9;
  for (DType t : {DType::f32, DType::s8}) {
    const auto op = t == DType::s8 ? ElementOp::depthwise_int8 : ElementOp::depthwise;
    const double cycles_per_mac = s.element_cycles[static_cast<std::size_t>(op)];
    const Kernel k{"dw", Conv2d{.n = 2, .c = 144, .h = 56, .w = 56, .k = 144, .r = 3, .s = 3, .pad_h = 1, .pad_w = 1, .groups = 144}, t};
    const auto c = m.evaluate(k, 1);
    const double valid_taps = (3.0 * 56 - 2) * (3.0 * 56 - 2);  // each border row and column loses one tap
    EXPECT_DOUBLE_EQ(c.effective_macs, 2 * 144 * valid_taps);
    EXPECT_NEAR(c.compute_s, 2 * 144 * valid_taps * cycles_per_mac / hz, 1e-15);
    // The grouped-GEMM formulation would pad each group's one channel to 16 lanes (64 for int8).
    EXPECT_LT(c.compute_s * 5, k.macs() * 16 / s.macs_per_cycle(DType::f32) / hz) << dtype_name(t);
  }
  // A catalog part derives them: the int8 class pays its requantizing epilogue (6 vector ops per
  // output register against 2) over the 9 taps.
  EXPECT_NEAR(s.element_cycles[static_cast<std::size_t>(ElementOp::depthwise_int8)] -
                  s.element_cycles[static_cast<std::size_t>(ElementOp::depthwise)],
              4.0 / 16 / 9 / s.vector_ops_per_cycle, 1e-12);
}

// A pool pays each output position once and each 64 bytes of channels at each window tap once,
// at its operation's rate: 65 u8 channels cost two vectors a tap, a 2x2 window four vector taps
// an output against a 3x3's nine, and an average's vector costs what the class of averages does.
TEST(CpuCost, PoolPaysItsOutputsAndItsChannelVectorsAtEachTap) {
  auto m = model_for("c6i.large");
  const CpuSpec& s = m.device().spec;
  const double hz = s.freq_ghz_avx512 * 1e9;
  auto cost = [&](ElementOp op) { return s.element_cycles[static_cast<std::size_t>(op)]; };
  for (DType t : {DType::f32, DType::u8})
    for (PoolOp op : {PoolOp::max, PoolOp::avg}) {
      const bool int8 = t == DType::u8;
      const double per_vector = op == PoolOp::max ? cost(int8 ? ElementOp::pool_max_vector_int8 : ElementOp::pool_max_vector)
                                                  : cost(int8 ? ElementOp::pool_avg_vector_int8 : ElementOp::pool_avg_vector);
      const double per_output = cost(int8 ? ElementOp::pool_output_int8 : ElementOp::pool_output);
      for (int64_t window : {2, 3})
        for (int64_t c : {64, 65, 768}) {
          const Kernel k{"pool", Pool{op, 2, c, 16, 16, window, window, 2, 0}, t};
          const int64_t out = window == 2 ? 8 : 7;
          const double vectors = std::ceil(double(c) * double(dtype_bytes(t)) / 64);
          const double cycles = 2.0 * out * out * (per_output + double(window * window) * vectors * per_vector);
          EXPECT_NEAR(m.evaluate(k, 1).compute_s, cycles / hz, 1e-15) << dtype_name(t) << " c" << c << " r" << window;
        }
    }
  // Catalog parts derive the classes: an average of u8 (widened to 32-bit sums) costs more per
  // vector than a max.
  EXPECT_GT(cost(ElementOp::pool_avg_vector_int8), cost(ElementOp::pool_max_vector_int8));
}

// A generation step reads every layer's weights once, 124 MB in int8 for GPT-2 124M, more than
// any cache holds: its weight GEMMs stream from DRAM, though each layer's alone would fit in L2 or
// L3, and the whole step cannot beat DRAM's bandwidth. A prompt's forward pass keeps the levels
// its operands fit.
TEST(CpuCost, DecodeStepStreamsEveryWeightFromDram) {
  const auto device = Catalog::builtin().make_device("c6i.large", 0);
  ModelOptions o{1, Precision::int8, Mode::inference, 256};
  o.decode = true;
  const Graph step = device->lower(build_model("gpt2", o), SoftwareSetup{});
  double seconds = 0, weight_bytes = 0;
  for (const auto& k : step.kernels) {
    seconds += device->cost(k).total_s;
    if (const auto* g = std::get_if<Gemm>(&k.shape); g && g->b_is_weight) {
      EXPECT_EQ(device->cost(k).memory_level, "DRAM") << k.name;
      weight_bytes += double(g->k) * double(g->n);
    }
  }
  EXPECT_GE(seconds, weight_bytes / device->memory_bytes_per_s());
  o.decode = false;
  const Graph prompt = device->lower(build_model("gpt2", o), SoftwareSetup{});
  for (const auto& k : prompt.kernels) {
    if (k.name == "h0.attn.c_proj") {
      EXPECT_NE(device->cost(k).memory_level, "DRAM");
    }
  }
}

TEST(CpuCost, ThreadsSplitWorkWithImbalance) {
  auto m = model_for("c5.9xlarge");  // 18 cores
  Kernel k = conv(64, 56, 64, 3, 1, DType::s8);
  auto one = m.evaluate(k, 1), two = m.evaluate(k, 2), seven = m.evaluate(k, 7);
  EXPECT_NEAR(one.compute_s / two.compute_s, 2.0, 1e-9);  // 56 rows split evenly
  EXPECT_NEAR(one.compute_s / seven.compute_s, 7.0, 1e-9);
  auto five = m.evaluate(k, 5);  // 56 rows over 5 threads: the slowest does 12
  EXPECT_NEAR(one.compute_s / five.compute_s, 56.0 / 12, 1e-9);
}

TEST(CpuCost, StreamingKernelIsBoundByItsMemoryLevel) {
  auto m = model_for("c5.large");
  Kernel big{"add", Elementwise{EltwiseOp::add, 64 << 20}, DType::f32};  // 768 MiB: DRAM
  auto c = m.evaluate(big, 1);
  EXPECT_EQ(c.level, MemoryLevel::dram);
  EXPECT_EQ(c.bound(), "memory");
  EXPECT_NEAR(c.memory_s, double(big.bytes()) / (m.device().spec.dram_gbps_per_core * 1e9), 1e-12);
}

// Past L2 a GEMM or convolution loses MAC rate in proportion to the share of its working set L2
// cannot hold, down to `matmul_beyond_l2_efficiency` with none of it held: its compute time grows
// by exactly 1 + (1 / efficiency - 1) x that share. Within L2, and for non-matmul kernels,
// nothing changes.
TEST(CpuCost, MatmulPastL2LosesWithTheShareOutsideL2) {
  CpuDevice full = Catalog::builtin().device("c6i.large"), slowed = full;
  slowed.spec.matmul_beyond_l2_efficiency = 0.8;
  const CpuCostModel a(full), b(slowed);
  Kernel far = conv(256, 28, 256, 1, 1, DType::s8), near = far;
  std::get<Conv2d>(far.shape).n = 32;  // 13 MB
  std::get<Conv2d>(near.shape).n = 4;  // 1.7 MB
  const Kernel within = conv(256, 14, 256, 1, 1, DType::s8);  // 0.2 MB
  const Kernel add{"add", Elementwise{EltwiseOp::add, 64 << 20}, DType::f32};
  ASSERT_EQ(a.evaluate(within, 1).level, MemoryLevel::l2);
  for (const Kernel& k : {far, near}) {
    ASSERT_NE(a.evaluate(k, 1).level, MemoryLevel::l2);
    const double share = 1 - double(full.spec.l2_bytes) / double(k.bytes());
    EXPECT_NEAR(b.evaluate(k, 1).compute_s, a.evaluate(k, 1).compute_s * (1 + 0.25 * share), 1e-15);
  }
  EXPECT_EQ(b.evaluate(within, 1).total_s, a.evaluate(within, 1).total_s);
  EXPECT_EQ(b.evaluate(add, 1).total_s, a.evaluate(add, 1).total_s);
}

// The probe's figure, taken to a working set wholly past L2, is the one under which the model
// reproduces what the probe measured: the probe's convolution per image at 32 images keeps 0.9
// of its rate at one (on c6i.large's 1.25 MB L2 one image fits, 32 do not).
TEST(CpuCost, ProbedPastL2EfficiencyReproducesTheProbe) {
  CpuDevice d = Catalog::builtin().device("c6i.large");
  const Kernel one = conv(256, 28, 256, 1, 1, DType::s8);
  Kernel many = one;
  std::get<Conv2d>(many.shape).n = 32;
  auto share = [&](const Kernel& k) { return std::max(0.0, 1 - double(d.spec.l2_bytes) / double(k.bytes())); };
  ASSERT_EQ(share(one), 0.0);
  d.spec.matmul_beyond_l2_efficiency = matmul_efficiency_all_past_l2(0.9, share(one), share(many));
  EXPECT_LT(d.spec.matmul_beyond_l2_efficiency, 0.9);  // 32 images still hold a little in L2
  const CpuCostModel m(d);
  EXPECT_NEAR(m.evaluate(one, 1).compute_s / (m.evaluate(many, 1).compute_s / 32), 0.9, 1e-12);
  // With part of the smaller run past L2 too, the same holds.
  EXPECT_NEAR((1 + (1 / matmul_efficiency_all_past_l2(0.9, 0.3, 0.9) - 1) * 0.3) /
                  (1 + (1 / matmul_efficiency_all_past_l2(0.9, 0.3, 0.9) - 1) * 0.9),
              0.9, 1e-12);
  // No loss measured, or runs that could not show one: fully hidden.
  EXPECT_EQ(matmul_efficiency_all_past_l2(1.02, 0, 0.9), 1.0);
  EXPECT_EQ(matmul_efficiency_all_past_l2(0.9, 0.5, 0.5), 1.0);
}

TEST(CpuCost, MemoizedEqualsFreshAndVnniBeatsFp32) {
  auto m = model_for("c6i.large");
  const Graph g = build_model("resnet50", {1, Precision::int8, Mode::inference, 0});
  for (const auto& k : g.kernels) EXPECT_EQ(m.cost(k, 1).total_s, m.evaluate(k, 1).total_s);
  Kernel i8 = conv(256, 28, 256, 3, 1, DType::s8), f32 = conv(256, 28, 256, 3, 1, DType::f32);
  EXPECT_GT(m.evaluate(f32, 1).total_s / m.evaluate(i8, 1).total_s, 3.0);
}

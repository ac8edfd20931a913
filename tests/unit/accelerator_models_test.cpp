// The GPU and Gaudi cost models against closed forms: a large aligned GEMM runs at the fitted
// fraction of the datasheet peak, a streaming kernel at the fitted fraction of HBM bandwidth,
// wave quantization steps where the tile count crosses a wave, MIG slices carry their share of
// the parent, and Gaudi's scheduler overlaps its two engines without ever beating either alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "models/catalog/catalog.hpp"
#include "models/gaudi/gaudi_cost.hpp"
#include "models/gaudi/gaudi_device.hpp"
#include "models/gpu/gpu_cost.hpp"
#include "models/gpu/gpu_device.hpp"
#include "models/gpu/gpu_spec.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {
namespace {

const GpuSpec& gpu(const std::string& name) {
  return dynamic_cast<const GpuSpec&>(DeviceCatalog::builtin().get(name));
}
const GaudiSpec& gaudi(const std::string& name) {
  return dynamic_cast<const GaudiSpec&>(DeviceCatalog::builtin().get(name));
}

Kernel gemm(int64_t m, int64_t n, int64_t k, DType t) {
  return Kernel{"gemm", Gemm{.batch = 1, .m = m, .n = n, .k = k, .b_is_weight = true, .bias = false}, t};
}
Kernel eltwise(int64_t elements, DType t) { return Kernel{"add", Elementwise{EltwiseOp::add, elements}, t}; }

TEST(GpuModel, LargeAlignedGemmRunsAtTheFittedFractionOfPeak) {
  const GpuSpec& a100 = gpu("a100-sxm4-80gb");
  const Kernel k = gemm(8192, 8192, 8192, DType::f16);
  const DeviceKernelCost c = gpu_kernel_cost(a100, k);
  const double peak = a100.tensor_rate(DType::f16) * a100.sm_count * a100.clock_ghz * 1e9;  // MAC/s
  const double ideal = k.macs() / (peak * a100.fitted.tensor_efficiency);
  // 64 x 32 tiles of 128 x 256 over 108 SMs: 19 waves for 18.96 waves' work, plus the
  // prologue of two K steps in 8192.
  EXPECT_EQ(c.bound(), "tensor cores");
  EXPECT_GT(c.compute_s, ideal);
  EXPECT_NEAR(c.compute_s / ideal, 1.0, 0.03);
}

TEST(GpuModel, StreamingKernelRunsAtTheFittedFractionOfHbmBandwidth) {
  const GpuSpec& v100 = gpu("v100-sxm2-16gb");
  const Kernel k = eltwise(int64_t(1) << 28, DType::f16);  // 3 x 512 MiB touched
  const DeviceKernelCost c = gpu_kernel_cost(v100, k);
  EXPECT_EQ(c.bound(), "HBM");
  EXPECT_NEAR(c.memory_s, double(k.bytes()) / (v100.hbm_bytes_per_s * v100.fitted.memory_efficiency), 1e-12);
  EXPECT_NEAR(c.total_s, c.memory_s + v100.launch_us * 1e-6, 1e-12);
}

TEST(GpuModel, WaveQuantizationStepsWhenTilesSpillIntoAnotherWave) {
  const GpuSpec& v100 = gpu("v100-sxm2-16gb");  // 80 SMs
  // With 128 x 128 tiles two per SM, a wave is 160 tiles. M = 128 x 160 fills it exactly; one
  // more row of tiles starts a second wave that costs as much as the first.
  auto seconds = [&](int64_t m) { return plan_gemm(v100, GemmView{1, double(m), 128, 4096}, DType::f16).compute_s; };
  const double one_wave = seconds(128 * 160), spill = seconds(128 * 161), two_waves = seconds(128 * 320);
  EXPECT_NEAR(two_waves / one_wave, 2.0, 0.01);
  EXPECT_GT(spill / one_wave, 1.3);  // a partial wave is not free
  EXPECT_LE(spill, two_waves * (1 + 1e-12));
  // Within one wave, fewer tiles take the same time: the SMs they leave idle are wasted.
  EXPECT_NEAR(seconds(128 * 100) / one_wave, 1.0, 0.26);
}

TEST(GpuModel, SplitKFillsTheMachineWhenTilesAreFew) {
  const GpuSpec& a100 = gpu("a100-sxm4-40gb");
  const TilePlan plan = plan_gemm(a100, GemmView{1, 128, 128, 65536}, DType::f16);
  EXPECT_GT(plan.splits, 1);
  EXPECT_GT(plan.partial_bytes, 0);
  // Split, the deep GEMM takes far less than one block running all of K.
  const TilePlan alone = plan_gemm(a100, GemmView{1, 128, 128, 1024}, DType::f16);
  EXPECT_LT(plan.compute_s, 64 * alone.compute_s / 4);
}

// Winograd: a VGG-sized 3x3 stride-1 FP32 convolution runs as the cheaper of F(2x2, 3x3) and
// F(4x4, 3x3), executing a quarter (4x4 tiles) or 1/2.25 (2x2 tiles) of the direct MACs when the
// output divides into whole tiles; a 1x1, a strided, or a tensor-core convolution runs direct.
TEST(GpuModel, WinogradRunsThreeByThreeFp32ConvolutionsOnFewerMacs) {
  const GpuSpec& v100 = gpu("v100-sxm2-16gb");
  auto conv = [](int64_t c, int64_t hw, int64_t r, int64_t stride, DType t, Pass pass = Pass::forward) {
    return Kernel{"conv", Conv2d{.n = 64, .c = c, .h = hw, .w = hw, .k = c, .r = r, .s = r, .stride = stride,
                                 .pad_h = r / 2, .pad_w = r / 2},
                  t, pass};
  };
  for (Pass pass : {Pass::forward, Pass::backward_data, Pass::backward_weights}) {
    const Kernel k = conv(256, 56, 3, 1, DType::f32, pass);
    const auto wino = plan_winograd(v100, k);
    ASSERT_TRUE(wino.has_value());
    const double tiles = 64.0 * (56 / wino->tile) * (56 / wino->tile);
    const double points = (wino->tile + 2) * (wino->tile + 2);
    EXPECT_NEAR(wino->gemms.executed_macs, points * tiles * 256 * 256, 1e-9 * k.macs());  // tiles fill whole blocks
    EXPECT_NEAR(k.macs() / wino->gemms.executed_macs, wino->tile == 4 ? 4.0 : 2.25, 1e-9);
    const DeviceKernelCost c = gpu_kernel_cost(v100, k);
    EXPECT_LT(c.total_s, 0.75 * plan_gemm(v100, gemm_view(k), DType::f32).compute_s);
    EXPECT_NE(c.compute_unit.find("Winograd"), std::string_view::npos);
  }
  EXPECT_FALSE(plan_winograd(v100, conv(256, 56, 1, 1, DType::f32)));
  EXPECT_FALSE(plan_winograd(v100, conv(256, 56, 3, 2, DType::f32)));
  EXPECT_FALSE(plan_winograd(v100, conv(256, 56, 3, 1, DType::f16)));  // tensor cores
  EXPECT_EQ(gpu_kernel_cost(v100, conv(256, 56, 1, 1, DType::f32)).compute_unit, "CUDA cores");
}

TEST(GpuModel, MigSlicesCarryTheirShareOfTheParent) {
  const GpuSpec& a100 = gpu("a100-sxm4-40gb");
  const GpuSpec& one = gpu("a100-40gb-mig-1g.5gb");
  const GpuSpec& three = gpu("a100-40gb-mig-3g.20gb");
  EXPECT_EQ(one.sm_count, 14);
  EXPECT_EQ(three.sm_count, 42);
  EXPECT_DOUBLE_EQ(one.hbm_bytes_per_s, a100.hbm_bytes_per_s / 8);
  EXPECT_DOUBLE_EQ(three.hbm_bytes_per_s, a100.hbm_bytes_per_s * 4 / 8);
  EXPECT_EQ(one.memory_bytes, int64_t(5) << 30);
  // A large GEMM runs 108/14 times slower on a 1g slice, give or take wave quantization.
  const Kernel k = gemm(8192, 8192, 4096, DType::f16);
  const double ratio = gpu_kernel_cost(one, k).compute_s / gpu_kernel_cost(a100, k).compute_s;
  EXPECT_NEAR(ratio, 108.0 / 14, 0.1 * 108 / 14);
}

TEST(GpuModel, EagerQueueHidesHostOverheadBehindLongKernels) {
  // Host 50 us per operator: short kernels wait for the host, long ones hide it.
  const auto short_ends = eager_queue({10e-6, 10e-6, 10e-6}, 50e-6);
  EXPECT_NEAR(short_ends.back(), 3 * 50e-6 + 10e-6, 1e-12);
  const auto long_ends = eager_queue({1e-3, 1e-3, 1e-3}, 50e-6);
  EXPECT_NEAR(long_ends.back(), 50e-6 + 3e-3, 1e-12);
}

TEST(GaudiModel, AlignedGemmRunsAtTheMmePeakTimesItsEfficiency) {
  const GaudiSpec& g = gaudi("gaudi1");
  const MmeShape* mme = g.mme_shape(DType::bf16);
  ASSERT_NE(mme, nullptr);
  // M and N multiples of the array, tiles a multiple of the cores: no padding, no idle core.
  const Kernel k = gemm(4096, 4096, 4096, DType::bf16);
  const GaudiNode n = gaudi_node(g, k);
  const double peak = mme->macs_per_cycle() * g.mme_clock_ghz * 1e9;
  EXPECT_NEAR(n.compute_s, k.macs() / (peak * g.fitted.mme_efficiency), 1e-9);
  EXPECT_DOUBLE_EQ(n.executed_macs, k.macs());
  // The datasheet peak: about 60 TFLOPS bf16 (hardware.md).
  EXPECT_NEAR(2 * peak / 1e12, 62, 1);
}

TEST(GaudiModel, PaddingAndIdleCoresCostWhatTheyWaste) {
  const GaudiSpec& g = gaudi("gaudi1");
  const MmeShape& mme = *g.mme_shape(DType::bf16);
  // One tile less than the cores: the same time as a full wave.
  const int64_t rows = mme.rows;
  const double full = gaudi_node(g, gemm(rows * mme.cores, mme.cols, 1024, DType::bf16)).compute_s;
  const double partial = gaudi_node(g, gemm(rows * (mme.cores - 1), mme.cols, 1024, DType::bf16)).compute_s;
  EXPECT_DOUBLE_EQ(full, partial);
  // N one past the array: twice the tiles.
  const double padded = gaudi_node(g, gemm(rows * mme.cores, mme.cols + 1, 1024, DType::bf16)).compute_s;
  EXPECT_DOUBLE_EQ(padded, 2 * full);
}

TEST(GaudiModel, TpcKernelsStreamThroughHbm) {
  const GaudiSpec& g = gaudi("gaudi1");
  const Kernel k = eltwise(int64_t(1) << 26, DType::bf16);
  const GaudiNode n = gaudi_node(g, k);
  EXPECT_EQ(n.engine, GaudiEngine::tpc);
  EXPECT_NEAR(n.memory_s(g), double(k.bytes()) / (g.hbm_bytes_per_s * g.fitted.memory_efficiency), 1e-12);
  EXPECT_GT(n.memory_s(g), n.compute_s);  // an add is memory bound on every Gaudi
}

// A depthwise convolution reduces over nine taps only: a GEMM per channel would pad that many
// times over on tensor cores or the MME. It runs as a direct loop, bound by HBM like a
// streaming kernel: CUDA cores on a GPU, the TPCs on Gaudi.
TEST(DepthwiseConvolution, RunsDirectAndBoundByHbm) {
  const Kernel k{"dw", Conv2d{.n = 32, .c = 144, .h = 56, .w = 56, .k = 144, .r = 3, .s = 3, .pad_h = 1, .pad_w = 1, .groups = 144},
                 DType::bf16};
  const GpuSpec& a100 = gpu("a100-sxm4-40gb");
  const DeviceKernelCost c = gpu_kernel_cost(a100, k);
  EXPECT_EQ(c.compute_unit, "CUDA cores (depthwise)");
  EXPECT_EQ(c.bound(), "HBM");
  EXPECT_NEAR(c.total_s, double(k.bytes()) / (a100.hbm_bytes_per_s * a100.fitted.memory_efficiency) + a100.launch_us * 1e-6,
              1e-12);
  const GaudiSpec& g = gaudi("gaudi1");
  const GaudiNode n = gaudi_node(g, k);
  EXPECT_EQ(n.engine, GaudiEngine::tpc);
  EXPECT_GT(n.memory_s(g), n.compute_s);
  // A dense 3x3 convolution of the same tensors stays on the tensor cores and the MME.
  Kernel dense = k;
  std::get<Conv2d>(dense.shape).groups = 1;
  EXPECT_EQ(gpu_kernel_cost(a100, dense).compute_unit, "tensor cores");
  EXPECT_EQ(gaudi_node(g, dense).engine, GaudiEngine::mme);
}

TEST(GaudiModel, FusedElementwiseRunKeepsIntermediatesOnChip) {
  const GaudiSpec& g = gaudi("gaudi1");
  Graph graph;
  for (int i = 0; i < 3; ++i) graph.kernels.push_back(eltwise(1 << 24, DType::bf16));
  const auto nodes = compile_graph(g, graph);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].kernels, 3u);
  // Three adds alone touch 3 x 3 tensors; fused, each intermediate is neither written nor read
  // back: 9 - 2 x 2 = 5 tensors.
  EXPECT_DOUBLE_EQ(nodes[0].hbm_bytes, 5.0 * 2 * (1 << 24));
}

TEST(GaudiModel, TwoEnginesOverlapButNeverBeatEitherAlone) {
  auto device = Catalog::builtin().make_device("gaudi1");
  auto& gd = dynamic_cast<GaudiDevice&>(*device);
  const Graph graph = device->lower(build_model("resnet50", {64, Precision::bf16, Mode::training, 0, true}), {});
  const auto nodes = compile_graph(gd.spec(), graph);
  double mme = 0, tpc = 0, serial = 0;
  for (const auto& n : nodes) {
    const double busy = n.busy_s(gd.spec()) + gd.spec().node_overhead_us * 1e-6;
    (n.engine == GaudiEngine::mme ? mme : tpc) += n.busy_s(gd.spec());
    serial += busy;
  }
  const double total = device->graph_seconds(graph);
  EXPECT_GE(total, mme);        // the MME's own work is a lower bound
  EXPECT_LT(total, serial);     // overlap saves time
  // The timeline has one finishing time per kernel, none after the graph's end.
  const auto ends = device->graph_timeline(graph);
  ASSERT_EQ(ends.size(), graph.kernels.size());
  EXPECT_DOUBLE_EQ(*std::max_element(ends.begin(), ends.end()), total);
  (void)tpc;
}

TEST(DeviceInterface, CostIsMemoizedAndPure) {
  for (const char* name : {"gaudi1", "v100-sxm2-16gb", "a100-40gb-mig-2g.10gb"}) {
    auto device = Catalog::builtin().make_device(name);
    const Kernel k = gemm(1000, 1000, 1000, DType::bf16);
    Kernel renamed = k;
    renamed.name = "another name";
    const DeviceKernelCost& first = device->cost(k);
    EXPECT_EQ(&first, &device->cost(renamed)) << name;  // same key, same entry
    EXPECT_DOUBLE_EQ(first.total_s, device->evaluate(k).total_s) << name;
  }
}

}  // namespace
}  // namespace xpusim

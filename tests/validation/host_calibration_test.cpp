// The host model against the same kernels run for real through oneDNN on this machine, every
// figure of the model from the host profile the suite measured first. Each kernel is predicted
// at the clock measured around it (cloud hosts drift by several percent). Bounds are looser than
// what a quiet machine gives (median 2-8%, see the README) because CI machines are shared: a
// 2-core Intel guest gave 7-8% when quiet and 12-19% while a neighbour slowed its kernels, at the
// same clock readings. A model that is wrong fails them still: a peak-rate AMX model was 40% off,
// a clock read through chained immediate adds 55%. The figures themselves are reported by
// `xpusim calibrate`.
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "models/cpu/calibration.hpp"
#include "models/cpu/onednn_runner.hpp"

using namespace xpusim;

namespace {
// Timings of instrumented code say nothing about the model: under AddressSanitizer (BUILD_TYPE=asan)
// these tests are skipped, not loosened.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

class HostCalibration : public ::testing::Test {
 protected:
  void SetUp() override {
    if (kSanitized) GTEST_SKIP() << "timings under AddressSanitizer are not the host's";
  }
};

CalibrationResult calibrate(int64_t batch, int threads, const char* model = "resnet50") {
  CalibrationOptions o;
  o.measure.min_repeats = 5;
  o.measure.min_seconds = 0.02;
  return calibrate_host(model, Precision::int8, batch, threads, o);
}

bool within(const CalibrationResult& r, double median, double whole) {
  return r.median_abs_error <= median && std::abs(r.predicted_total_s / r.measured_total_s - 1) <= whole;
}

void expect_within(const CalibrationResult& r, double median, double whole) {
  ASSERT_GE(r.rows.size(), 25u);  // every distinct conv, pool, add and the FC
  EXPECT_LE(r.median_abs_error, median) << "p90 " << r.p90_abs_error;
  EXPECT_NEAR(r.predicted_total_s / r.measured_total_s, 1.0, whole);
}

// A neighbour on a shared machine can slow every kernel for seconds (on one cloud guest the whole
// model ran 9% slower for minutes at the same clock readings), and no model can be right about
// that: the model has to meet the bounds in one of three calibrations.
void expect_calibrated(const std::function<CalibrationResult()>& calibration, double median, double whole) {
  CalibrationResult r;
  for (int attempt = 0; attempt < 3; ++attempt)
    if (within(r = calibration(), median, whole)) break;
  expect_within(r, median, whole);
}
}  // namespace

TEST_F(HostCalibration, ResNet50Int8Batch1OneThread) {
  expect_calibrated([] { return calibrate(1, 1); }, 0.20, 0.25);
}

TEST_F(HostCalibration, ResNet50Int8Batch32OneThread) {
  expect_calibrated([] { return calibrate(32, 1); }, 0.25, 0.25);
}

// Inception V3: the 1x7 and 7x1 filters (padded in one dimension only) and 5x5 filters ResNet-50
// lacks, and a pool in every module.
TEST_F(HostCalibration, InceptionV3Int8Batch1OneThread) {
  expect_calibrated([] { return calibrate(1, 1, "inception-v3"); }, 0.20, 0.25);
}

// Inception V3's eleven pools, 64 to 2,048 channels, 3x3 max and average and the global 8x8
// average: a cost per output and one per channel vector at each tap, max and average apart. How
// a pool's cost grows with its channels is what is checked: predicted over measured of the wide
// pools (768 channels and more) against that of the narrow ones (288 and fewer), which one cost
// per channel and tap put at 1.25-1.43 (its wide pools 1.8-2.9x over). The level itself moves
// with the machine's load: a neighbour slowed these pools by up to 1.5x between a probe and a
// calibration on the Zen 5 VM, though not the convolutions, so its bound is loose.
TEST_F(HostCalibration, InceptionV3PoolsInt8Batch1OneThread) {
  struct Ratios {
    std::vector<double> narrow, wide, errors;
  };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
  };
  auto pools = [] {
    Ratios r;
    for (const auto& row : calibrate(1, 1, "inception-v3").rows) {
      if (row.signature.rfind("pool", 0) != 0) continue;
      const bool wide = row.signature.find(" c768 ") != std::string::npos ||
                        row.signature.find(" c1280 ") != std::string::npos ||
                        row.signature.find(" c2048 ") != std::string::npos;
      (wide ? r.wide : r.narrow).push_back(row.predicted_s / row.measured_s);
      r.errors.push_back(std::abs(row.error()));
    }
    return r;
  };
  auto growth = [&](const Ratios& r) { return median(r.wide) / median(r.narrow); };
  Ratios r;
  for (int attempt = 0; attempt < 3; ++attempt)
    if (r = pools(); r.narrow.size() == 6 && std::abs(growth(r) - 1) <= 0.15 && median(r.errors) <= 0.6) break;
  ASSERT_EQ(r.narrow.size(), 6u);
  ASSERT_EQ(r.wide.size(), 5u);
  EXPECT_NEAR(growth(r), 1.0, 0.15) << "median |error| " << median(r.errors);
  EXPECT_LE(median(r.errors), 0.6) << "wide over narrow " << growth(r);
}

// MobileNetV2: seventeen depthwise convolutions (a class of their own, measured by the host probe),
// stride-2 ones among them, and the 1x1 expansions and projections around them.
TEST_F(HostCalibration, MobileNetV2Int8Batch1OneThread) {
  expect_calibrated([] { return calibrate(1, 1, "mobilenet-v2"); }, 0.20, 0.25);
}

// YOLOv4 at 608x608: 3x3 convolutions on large maps, leaky ReLUs, residual adds, the SPP block's
// wide max pools and the heads' sigmoids (its Mish kernels have no u8 form in oneDNN: not run).
TEST_F(HostCalibration, YoloV4Int8Batch1OneThread) {
  expect_calibrated([] { return calibrate(1, 1, "yolov4"); }, 0.20, 0.25);
}

// Two threads need two free cores. On a shared machine another process often holds one; then the
// measured two-thread run is no faster than one thread and says nothing about the model. Measure
// again a few times and skip, saying so, if the second core never frees up.
TEST_F(HostCalibration, ResNet50Int8Batch1TwoThreads) {
  std::optional<CalibrationResult> last;  // the last calibration with both cores free
  double speedup = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const CalibrationResult one = calibrate(1, 1), two = calibrate(1, 2);
    speedup = one.measured_total_s / two.measured_total_s;
    if (speedup < 1.4) continue;
    last = two;
    if (within(two, 0.20, 0.25)) break;
  }
  if (!last) GTEST_SKIP() << "second core busy: two threads ran only " << speedup << "x faster than one";
  expect_within(*last, 0.20, 0.25);
}

// Where oneDNN runs AMX tiles (a CPU with them, and oneDNN not held below them: the ctest
// HostCalibrationOnAmxTiles lifts the cap the rest of the suite runs under), the host model's
// probed tile costs against oneDNN's AMX kernels. Looser than on the vector units (measured on
// a Granite Rapids-class guest: median 11-18%, whole model 12-14% fast; the peak-rate model it
// replaced was 40% / 35% off): the model has no term for the time oneDNN spends outside its tile
// loop (stride-2 layers run 30-50% slower than modelled, 1x1 layers 15-20%).
TEST_F(HostCalibration, ResNet50Int8Batch1OneThreadOnAmxTiles) {
  if (!onednn_runs_amx()) GTEST_SKIP() << "oneDNN does not run AMX tiles here";
  expect_calibrated([] { return calibrate(1, 1); }, 0.25, 0.25);
}

// The host model against the same kernels run for real through oneDNN on this machine. The
// bound is loose (median |error| <= 30%) because CI machines are shared and noisy; the figure
// itself is reported by `xpusim calibrate` and the benchmark.
#include <gtest/gtest.h>

#include "models/cpu/calibration.hpp"

using namespace xpusim;

namespace {
void expect_calibrated(int threads) {
  MeasureOptions m;
  m.min_repeats = 5;
  m.min_seconds = 0.02;
  auto r = calibrate_host("resnet50", Precision::int8, 1, threads, m);
  ASSERT_GE(r.rows.size(), 25u);  // every distinct conv, pool, add and the FC
  EXPECT_LE(r.median_abs_error, 0.30) << "p90 " << r.p90_abs_error;
  EXPECT_NEAR(r.predicted_total_s / r.measured_total_s, 1.0, 0.30);
}
}  // namespace

TEST(HostCalibration, ResNet50Int8Batch1OneThread) { expect_calibrated(1); }
TEST(HostCalibration, ResNet50Int8Batch1TwoThreads) { expect_calibrated(2); }

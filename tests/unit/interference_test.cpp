// The GPU-sharing interference model against the measured pairs it was fitted to (Gavel,
// ../shared/data/interference/gavel): the kept fits are what fitting the data gives now, and they
// reproduce the data's distribution (Kolmogorov-Smirnov distance and quantiles). Also the
// incomplete-beta arithmetic on closed forms, and how several partners combine.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "models/remote/interference.hpp"
#include "tests/shared_data.hpp"

namespace xpusim {
namespace {

// Each job's throughput beside a partner over its throughput alone, for every pair that fits.
std::vector<double> measured_rates(const std::string& gpu) {
  std::ifstream in(std::string(XPUSIM_SHARED_DIR) + "/data/interference/gavel/simulation_throughputs.json");
  const auto doc = nlohmann::json::parse(in);
  std::vector<double> rates;
  for (const auto& [job, row] : doc.at(gpu).items()) {
    const double solo = row.at("null").get<double>();
    for (const auto& [partner, pair] : row.items())
      if (partner != "null" && pair.at(0).get<double>() > 0) rates.push_back(std::min(pair.at(0).get<double>() / solo, 1.0));
  }
  return rates;
}

double empirical_quantile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

TEST(Interference, KeptFitsAreTheFitsOfTheMeasuredPairsAndReproduceThem) {
  XPUSIM_REQUIRE_SHARED_DATA();
  for (const std::string gpu : {"k80", "p100", "v100"}) {
    const std::vector<double> rates = measured_rates(gpu);
    const InterferenceFit fresh = fit_interference(gpu, rates), &kept = interference_for(gpu);
    EXPECT_EQ(kept.pairs, static_cast<int>(rates.size())) << gpu;
    EXPECT_NEAR(kept.unaffected, fresh.unaffected, 1e-4) << gpu;
    EXPECT_NEAR(kept.alpha, fresh.alpha, 1e-3 * fresh.alpha) << gpu;
    EXPECT_NEAR(kept.beta, fresh.beta, 1e-3 * fresh.beta) << gpu;
    // Three parameters for 589-656 pairs: the whole distribution within 0.06 (KS), and its
    // deciles within 0.05 of a rate.
    EXPECT_LT(ks_distance(kept, rates), 0.06) << gpu;
    for (double p : {0.1, 0.25, 0.5, 0.75, 0.9})
      EXPECT_NEAR(kept.quantile(p), empirical_quantile(rates, p), 0.05) << gpu << " p" << p;
  }
  // hardware.md: V100 pairs run at a median 0.68 of solo (p10 0.31, p90 1.00).
  EXPECT_NEAR(interference_for("v100-16gb").median(), 0.68, 0.02);
}

TEST(Interference, IncompleteBetaClosedForms) {
  // Beta(a, 1) has CDF r^a; Beta(1, 1) is uniform.
  InterferenceFit f;
  f.alpha = 2.5;
  f.beta = 1;
  for (double r : {0.1, 0.5, 0.9}) EXPECT_NEAR(f.cdf(r), std::pow(r, 2.5), 1e-12);
  f.alpha = 1;
  EXPECT_NEAR(f.quantile(0.3), 0.3, 1e-10);
  // A point mass at 1: everything above 1 - unaffected is unaffected.
  f.unaffected = 0.2;
  EXPECT_EQ(f.quantile(0.85), 1.0);
  EXPECT_NEAR(f.quantile(0.4), 0.5, 1e-10);
}

TEST(Interference, TenantsShareWhatAPairGetsOutOfTheGpu) {
  EXPECT_DOUBLE_EQ(rate_beside({}), 1.0);
  EXPECT_DOUBLE_EQ(rate_beside({0.68}), 0.68);
  // Four tenants at a pair rate of 0.68: together 1.36 GPUs of work, as two; each a quarter.
  EXPECT_NEAR(4 * rate_beside({0.68, 0.68, 0.68}), 1.36, 1e-12);
  EXPECT_NEAR(rate_beside({1.0, 1.0}), 2.0 / 3, 1e-15);
}

TEST(Interference, DrawsFollowTheFitAndRepeatForASeed) {
  const InterferenceFit& v100 = interference_for("v100");
  std::vector<double> draws;
  for (uint64_t s = 0; s < 4000; ++s) draws.push_back(draw_rate(v100, s));
  EXPECT_EQ(draw_rate(v100, 17), draw_rate(v100, 17));
  EXPECT_LT(ks_distance(v100, draws), 0.03);
  EXPECT_THROW(fit_interference("x", {0.5, 0.6}), std::invalid_argument);
}

}  // namespace
}  // namespace xpusim

#include "models/remote/interference.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace xpusim {

namespace {

// Continued fraction of the regularized incomplete beta function (modified Lentz).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double tiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  d = 1 / (std::abs(d) < tiny ? tiny : d);
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    for (int odd = 0; odd < 2; ++odd) {
      const double num = odd == 0 ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                                  : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      d = 1 / (std::abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (std::abs(c) < tiny) c = tiny;
      h *= d * c;
      if (odd == 1 && std::abs(d * c - 1) < 1e-15) return h;
    }
  }
  return h;
}

// I_x(a, b).
double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// fit_interference() over data/interference/gavel/simulation_throughputs.json (Gavel,
// github.com/stanford-futuredata/gavel, commit c4fa400): every co-located pair that fits on the GPU,
// each job's throughput beside its partner over its throughput alone. Re-fitted and compared in
// tests/unit/interference_test.cpp.
const InterferenceFit kFits[] = {
    {"k80", 0.0000, 9.9660, 8.5989, 589},
    {"p100", 0.0015, 6.5654, 4.4334, 656},
    {"v100", 0.1274, 2.5200, 1.6343, 636},
};

}  // namespace

double InterferenceFit::cdf(double r) const {
  if (r >= 1) return 1;
  return (1 - unaffected) * incomplete_beta(alpha, beta, r);
}

double InterferenceFit::quantile(double p) const {
  if (p >= 1 - unaffected) return 1;
  double lo = 0, hi = 1;
  for (int i = 0; i < 100 && hi - lo > 1e-12; ++i) {
    const double mid = (lo + hi) / 2;
    (cdf(mid) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

InterferenceFit fit_interference(const std::string& gpu, const std::vector<double>& rates) {
  if (rates.size() < 10) throw std::invalid_argument("an interference fit needs at least 10 measured pairs");
  InterferenceFit f;
  f.gpu = gpu;
  f.pairs = static_cast<int>(rates.size());
  std::vector<double> slowed;
  for (double r : rates) {
    if (!(r > 0)) throw std::invalid_argument("interference rates must be positive");
    if (std::min(r, 1.0) >= InterferenceFit::kUnaffected) f.unaffected += 1;
    else slowed.push_back(r);
  }
  f.unaffected /= static_cast<double>(rates.size());
  if (slowed.size() < 2) return f;
  double mean = 0, var = 0;
  for (double r : slowed) mean += r;
  mean /= static_cast<double>(slowed.size());
  for (double r : slowed) var += (r - mean) * (r - mean);
  var /= static_cast<double>(slowed.size());
  const double c = mean * (1 - mean) / var - 1;
  f.alpha = mean * c;
  f.beta = (1 - mean) * c;
  return f;
}

const InterferenceFit& interference_for(const std::string& gpu_name) {
  for (const auto& f : kFits)
    if (gpu_name.rfind(f.gpu, 0) == 0) return f;
  return kFits[2];
}

double rate_beside(const std::vector<double>& partner_rates) {
  if (partner_rates.empty()) return 1;
  double sum = 0;
  for (double r : partner_rates) sum += r;
  const double k = static_cast<double>(partner_rates.size());
  return std::min(1.0, 2 * (sum / k) / (1 + k));
}

double draw_rate(const InterferenceFit& fit, uint64_t seed) {
  const double u = static_cast<double>(splitmix64(seed) >> 11) * 0x1.0p-53;
  return std::max(fit.quantile(u), 1e-3);
}

double ks_distance(const InterferenceFit& fit, std::vector<double> rates) {
  for (double& r : rates) r = std::min(r, 1.0);
  std::sort(rates.begin(), rates.end());
  const double n = static_cast<double>(rates.size());
  double d = 0;
  std::size_t i = 0;
  for (; i < rates.size(); ++i) {
    // Rates at or above kUnaffected are the fit's point mass at 1: compared at the jump alone.
    if (rates[i] >= InterferenceFit::kUnaffected) break;
    const double model = fit.cdf(rates[i]);
    d = std::max({d, std::abs(model - static_cast<double>(i) / n), std::abs(model - static_cast<double>(i + 1) / n)});
  }
  return std::max(d, std::abs(static_cast<double>(i) / n - fit.cdf(InterferenceFit::kUnaffected)));
}

}  // namespace xpusim

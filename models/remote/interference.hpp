#pragma once
// How much co-tenants of one GPU slow each other when their kernels run at the same time
// (Bitfusion fractions and time-sliced sharing partition memory, not compute).
//
// The measured pairs (Gavel, data/interference/gavel: 26 training jobs, every pair co-located on
// one K80/P100/V100, each job's throughput against its solo throughput) give, per pair, the rate r
// at which a job runs while its partner keeps the GPU busy too. Their distribution is fitted with
// three parameters: the share of pairs where a job is not slowed at all (small jobs beside small
// ones), and a Beta(alpha, beta) distribution of r for the others (method of moments). A simulated
// pair either takes the fit's median (the default: deterministic) or draws r from it by a seed.
//
// With several co-tenants at once the GPU's capacity is what a pair gets out of it and no more:
// k tenants side by side share 2 x (the mean of their pair rates) solo-GPUs of work, so a kernel
// beside partners j progresses at min(1, 2 mean_j(r_j) / (1 + partners)), which is r for one
// partner. (Pairs are all the data measures; a GPU does not grow with its tenant count.)
#include <cstdint>
#include <string>
#include <vector>

namespace xpusim {

struct InterferenceFit {
  std::string gpu;             // the GPU the pairs were measured on
  double unaffected = 0;       // share of pairs with r >= kUnaffected
  double alpha = 1, beta = 1;  // Beta distribution of r for the rest
  int pairs = 0;               // measurements fitted

  static constexpr double kUnaffected = 0.99;
  double cdf(double r) const;       // P(rate <= r)
  double quantile(double p) const;  // inverse of cdf, p in [0, 1]
  double median() const { return quantile(0.5); }
};

// Fits the three parameters to measured rates (partner-present throughput / solo, clipped to
// (0, 1]); throws std::invalid_argument with fewer than 10 rates.
InterferenceFit fit_interference(const std::string& gpu, const std::vector<double>& rates);

// The fits kept beside the model (interference.cpp, re-fitted by the tests) for "k80", "p100", "v100"; other
// GPUs use the V100's (the newest measured) and say so through `gpu`.
const InterferenceFit& interference_for(const std::string& gpu_name);

// The rate of a kernel beside partners whose pair rates are `partner_rates`.
double rate_beside(const std::vector<double>& partner_rates);

// A pair rate drawn from the fit by a 64-bit seed (deterministic on every platform: inverse CDF of
// a SplitMix64 uniform).
double draw_rate(const InterferenceFit& fit, uint64_t seed);

// Kolmogorov-Smirnov distance between the fit and measured rates.
double ks_distance(const InterferenceFit& fit, std::vector<double> rates);

}  // namespace xpusim

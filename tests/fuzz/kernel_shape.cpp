// Fuzz target: `xpusim kernel --op --shape --precision` (sim/scenario/kernel_spec.hpp). The input
// is three lines: op, shape, precision. An accepted kernel must cost a finite, positive time on a
// catalog CPU, at no more than the CPU's peak.
#include <cmath>

#include "models/catalog/catalog.hpp"
#include "models/cpu/cpu_cost.hpp"
#include "sim/scenario/kernel_spec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace xpusim;
  const std::string text = fuzz::as_text(data, size);
  const std::size_t a = text.find('\n'), b = a == std::string::npos ? a : text.find('\n', a + 1);
  const std::string op = text.substr(0, a);
  const std::string shape = a == std::string::npos ? "" : text.substr(a + 1, b == std::string::npos ? b : b - a - 1);
  const auto precision = parse_precision(b == std::string::npos ? "fp32" : text.substr(b + 1));
  if (!precision) return 0;
  Kernel k;
  if (!fuzz::accepted([&] { k = make_kernel(op, shape, *precision); })) return 0;
  static CpuCostModel model(Catalog::builtin().device("c5.9xlarge"));
  for (int threads : {1, 7}) {
    const KernelCost c = model.evaluate(k, threads);
    fuzz::expect(std::isfinite(c.total_s) && c.total_s > 0, "kernel time not finite and positive");
    fuzz::expect(c.utilization <= 1.0 + 1e-9, "faster than the CPU's peak");
  }
  return 0;
}

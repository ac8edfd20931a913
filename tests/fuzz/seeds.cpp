// Fuzz target: `--seeds` (sim/scenario/seeds.hpp). Accepted text gives 1 to 100,000 seeds, and
// writing them back one by one reads as the same list.
#include <string>

#include "sim/scenario/seeds.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace xpusim;
  std::vector<int64_t> seeds;
  if (!fuzz::accepted([&] { seeds = parse_seeds(fuzz::as_text(data, size)); })) return 0;
  fuzz::expect(!seeds.empty() && seeds.size() <= 100000, "seed count out of range");
  if (seeds.size() <= 64) {
    std::string again;
    for (auto s : seeds) {
      if (!again.empty()) again += ',';
      again += std::to_string(s);
    }
    fuzz::expect(parse_seeds(again) == seeds, "the seeds do not read back");
  }
  return 0;
}

// Fuzz target: read_tiresias_jobs (workloads/traces/trace_readers.hpp).
#include "tests/fuzz/trace_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace xpusim;
  fuzz::fuzz_reader(data, size, "tiresias_jobs.csv", [](const std::string& p, [[maybe_unused]] BadRows m) { return read_tiresias_jobs(p, m); });
  return 0;
}

// Fuzz target: read_tiresias_cluster (workloads/traces/trace_readers.hpp).
#include "tests/fuzz/trace_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace xpusim;
  fuzz::fuzz_reader(data, size, "cluster_spec.csv", [](const std::string& p, [[maybe_unused]] BadRows m) { return read_tiresias_cluster(p); });
  return 0;
}

// Fuzz target: read_openb_pods (workloads/traces/trace_readers.hpp).
#include "tests/fuzz/trace_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace xpusim;
  fuzz::fuzz_reader(data, size, "openb_pod_list.csv", [](const std::string& p, [[maybe_unused]] BadRows m) { return read_openb_pods(p, m); });
  return 0;
}

// Fuzz target: read_pai_tasks (workloads/traces/trace_readers.hpp).
#include "tests/fuzz/trace_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace xpusim;
  fuzz::fuzz_reader(data, size, "pai_task_table.csv", [](const std::string& p, [[maybe_unused]] BadRows m) { return read_pai_tasks(p, m); });
  return 0;
}

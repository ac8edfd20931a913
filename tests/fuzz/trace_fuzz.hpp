#pragma once
// The trace readers' fuzz targets: each input is read as a file in both bad-row modes, and what a
// reader accepts must be a usable cluster or workload (trace_types.hpp's units and ranges).
#include <cmath>

#include "tests/fuzz/fuzz_support.hpp"
#include "workloads/traces/trace_readers.hpp"

namespace xpusim::fuzz {

inline void check(const NodeList& list) {
  for (const auto& n : list.nodes) {
    expect(!n.name.empty(), "node without a name");
    expect(n.cpu_milli >= 0 && n.memory_mib >= 0, "negative node capacity");
    expect(n.gpu_count >= 0 && n.gpu_count <= 4096, "GPU count out of range");
  }
}

inline void check(const PodList& list) {
  for (const auto& p : list.pods) {
    expect(!p.name.empty(), "pod without a name");
    expect(p.cpu_milli >= 0 && p.memory_mib >= 0, "negative request");
    expect(p.num_gpu >= 0 && p.gpu_milli >= 0 && p.gpu_milli <= 1000, "GPU request out of range");
    expect(p.num_gpu == 0 || p.gpu_milli > 0, "GPUs asked with a zero share");
    expect(p.num_gpu <= 1 || p.gpu_milli == 1000, "a share of several GPUs");
    expect(std::isfinite(p.submit_s) && p.submit_s >= 0, "submit time not finite and >= 0");
    expect(std::isfinite(p.duration_s) && (p.duration_s >= 0 || p.duration_s == -1), "bad duration");
  }
}

// Reads the input with `read(path, mode)` in both modes; whatever is accepted is checked.
template <class Read>
void fuzz_reader(const uint8_t* data, std::size_t size, const std::string& file_name, Read read) {
  const std::string path = as_file(data, size, file_name);
  for (BadRows mode : {BadRows::reject, BadRows::skip}) {
    decltype(read(path, mode)) list;
    if (accepted([&] { list = read(path, mode); })) {
      check(list);
      expect(mode == BadRows::skip || list.problems.skipped == 0, "rows skipped in reject mode");
    }
  }
}

}  // namespace xpusim::fuzz

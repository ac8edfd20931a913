// Alibaba cluster-trace-gpu-v2023 ("openb") node and pod lists.
#include "workloads/traces/trace_readers.hpp"

namespace xpusim {

namespace {
constexpr int64_t kMaxCpuMilli = 10'000'000;    // 10,000 cores: far beyond any node
constexpr int64_t kMaxMemoryMib = 1LL << 32;     // 4 PiB
}  // namespace

NodeList read_openb_nodes(const std::string& path, BadRows bad_rows) {
  CsvFile file(path, {"sn", "cpu_milli", "memory_mib", "gpu", "model"}, true);
  NodeList list{path, {}, {}};
  list.nodes = parse_rows<NodeSpec>(file, bad_rows, list.problems, [](const CsvRecord& r) {
    NodeSpec n;
    n.name = r.nonempty_text(0, "node name");
    n.cpu_milli = r.integer(1, 1, kMaxCpuMilli);
    n.memory_mib = r.integer(2, 0, kMaxMemoryMib);
    n.gpu_count = static_cast<int>(r.integer(3, 0, 64));
    n.gpu_model = r.text(4);
    if (n.gpu_count > 0 && n.gpu_model.empty()) r.fail(4, "a node with GPUs needs a model");
    return n;
  });
  return list;
}

PodList read_openb_pods(const std::string& path, BadRows bad_rows) {
  // The multigpu* variants carry only the first five columns.
  CsvFile file(path, {"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "gpu_spec", "qos", "pod_phase",
                      "creation_time", "deletion_time", "scheduled_time"},
               true, 5);
  const bool has_spec = file.columns() >= 6, has_times = file.columns() >= 10;
  PodList list{path, {}, {}};
  list.pods = parse_rows<PodSpec>(file, bad_rows, list.problems, [&](const CsvRecord& r) {
    PodSpec p;
    p.name = r.nonempty_text(0, "pod name");
    p.cpu_milli = r.integer(1, 0, kMaxCpuMilli);
    p.memory_mib = r.integer(2, 0, kMaxMemoryMib);
    p.num_gpu = static_cast<int>(r.integer(3, 0, 64));
    p.gpu_milli = static_cast<int>(r.integer(4, 0, 1000));
    if (p.num_gpu == 0) p.gpu_milli = 0;  // the GPU share of a CPU-only pod means nothing
    else if (p.gpu_milli == 0) r.fail(4, "a pod asking for GPUs needs gpu_milli > 0");
    else if (p.num_gpu > 1 && p.gpu_milli != 1000) r.fail(4, "a pod asking for several GPUs takes them whole (1000)");
    if (has_spec) p.gpu_spec = r.text(5);
    if (has_times) {
      p.submit_s = static_cast<double>(r.integer(8, 0, int64_t{1} << 40));
      const double deletion = static_cast<double>(r.integer(9, 0, int64_t{1} << 40));
      if (deletion < p.submit_s) r.fail(9, "deletion_time is before creation_time");
      p.duration_s = deletion - p.submit_s;
    }
    return p;
  });
  return list;
}

}  // namespace xpusim

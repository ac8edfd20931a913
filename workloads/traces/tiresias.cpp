// Tiresias (NSDI'19) simulator inputs: a job list and a cluster spec.
#include <fmt/format.h>

#include "workloads/traces/trace_readers.hpp"

namespace xpusim {

PodList read_tiresias_jobs(const std::string& path, BadRows bad_rows) {
  CsvFile file(path, {"job_id", "num_gpu", "submit_time", "iterations", "model_name", "duration", "interval"}, true);
  PodList list{path, {}, {}};
  list.pods = parse_rows<PodSpec>(file, bad_rows, list.problems, [](const CsvRecord& r) {
    PodSpec p;
    p.name = "tiresias-" + std::to_string(r.integer(0, 0, int64_t{1} << 40));
    p.num_gpu = static_cast<int>(r.integer(1, 1, 4096));
    p.gpu_milli = 1000;
    p.submit_s = r.real(2, 0, 1e12);
    p.duration_s = r.real(5, 0, 1e12);
    p.workload = r.text(4);
    return p;
  });
  return list;
}

NodeList read_tiresias_cluster(const std::string& path) {
  CsvFile file(path, {"num_switch", "num_node_p_switch", "num_gpu_p_node", "num_cpu_p_node", "mem_p_node"}, true);
  if (file.rows().size() != 1) throw InputError(path, "", "expected exactly one cluster row");
  const CsvRecord& r = file.rows()[0];
  r.check_shape();
  const auto switches = r.integer(0, 1, 10'000), per_switch = r.integer(1, 1, 100'000);
  if (switches * per_switch > kMaxNodes)
    r.fail(1, fmt::format("{} switches x {} nodes is more than {} nodes", switches, per_switch, kMaxNodes));
  NodeList list{path, {}, {}};
  for (int64_t s = 0; s < switches; ++s)
    for (int64_t n = 0; n < per_switch; ++n) {
      NodeSpec node;
      node.name = fmt::format("s{:03}-n{:04}", s, n);
      node.network = fmt::format("switch-{:03}", s);
      node.gpu_count = static_cast<int>(r.integer(2, 0, 64));
      node.cpu_milli = r.integer(3, 1, 10'000) * 1000;
      node.memory_mib = r.integer(4, 0, 1'000'000) * 1024;
      list.nodes.push_back(std::move(node));
    }
  return list;
}

}  // namespace xpusim

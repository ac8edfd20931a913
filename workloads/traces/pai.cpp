// Alibaba cluster-trace-gpu-v2020 (PAI): machine spec and task table. Neither file has a header
// line; the column names come from the trace's *.header files.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "workloads/traces/trace_readers.hpp"

namespace xpusim {

NodeList read_pai_machine_spec(const std::string& path, BadRows bad_rows) {
  CsvFile file(path, {"machine", "gpu_type", "cap_cpu", "cap_mem", "cap_gpu"}, false);
  NodeList list{path, {}, {}};
  list.nodes = parse_rows<NodeSpec>(file, bad_rows, list.problems, [](const CsvRecord& r) {
    NodeSpec n;
    n.name = r.nonempty_text(0, "machine name");
    n.gpu_model = r.text(1);
    n.cpu_milli = r.integer(2, 1, 10'000) * 1000;
    n.memory_mib = r.integer(3, 0, 1'000'000) * 1024;
    n.gpu_count = static_cast<int>(r.integer(4, 0, 64));
    if (n.gpu_count == 0) n.gpu_model.clear();  // "CPU" machines
    return n;
  });
  return list;
}

PodList read_pai_tasks(const std::string& path, BadRows bad_rows) {
  CsvFile file(path,
               {"job_name", "task_name", "inst_num", "status", "start_time", "end_time", "plan_cpu", "plan_mem",
                "plan_gpu", "gpu_type"},
               false);
  PodList list{path, {}, {}};
  RowProblems& problems = list.problems;
  for (const auto& r : file.rows()) {
    try {
      r.check_shape();
      const auto instances = r.integer(2, 1, 100'000);
      const double start = r.real(4, 0, 1e12), end = r.real(5, 0, 1e12);
      if (end < start) r.fail(5, "end_time is before start_time");
      const double plan_gpu = r.text(8).empty() ? 0.0 : r.real(8, 0, 6400);
      PodSpec p;
      p.cpu_milli = static_cast<int64_t>(std::llround(r.real(6, 0, 1e6) * 10));  // percent of a core
      p.memory_mib = static_cast<int64_t>(std::llround(r.real(7, 0, 1e7) * 1024));  // GB
      if (plan_gpu > 100) {
        p.num_gpu = static_cast<int>(std::ceil(plan_gpu / 100));
        p.gpu_milli = 1000;
      } else if (plan_gpu > 0) {
        // Shares are whole milli-GPUs: the smallest asked share (0.01%) still holds one.
        p.num_gpu = 1;
        p.gpu_milli = std::max(1, static_cast<int>(std::lround(plan_gpu * 10)));
      }
      p.gpu_spec = r.text(9) == "MISC" ? "" : r.text(9);
      p.submit_s = start;
      p.duration_s = end - start;
      if (int64_t(list.pods.size()) + instances > kMaxPods)
        r.fail(2, fmt::format("the table expands to more than {} task instances", kMaxPods));
      // One name buffer for every instance: a row may expand to 100,000 pods.
      p.name = r.text(0) + "/" + r.text(1) + "/";
      const std::size_t stem = p.name.size();
      for (int64_t i = 0; i < instances; ++i) {
        p.name.resize(stem);
        p.name += std::to_string(i);
        list.pods.push_back(p);
      }
    } catch (const InputError& e) {
      if (bad_rows == BadRows::reject) throw;
      problems.record(e.what());
    }
  }
  return list;
}

}  // namespace xpusim

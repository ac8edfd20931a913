// Chooses a trace reader from the file's first line, or from the name for headerless PAI files.
#include <filesystem>

#include <fmt/format.h>

#include "sim/engine/input_error.hpp"
#include "workloads/traces/trace_readers.hpp"

namespace xpusim {

namespace {

bool starts_with(const std::vector<std::string>& line, std::initializer_list<const char*> names) {
  if (line.size() < names.size()) return false;
  std::size_t i = 0;
  for (const char* n : names)
    if (line[i++] != n) return false;
  return true;
}

std::string detect(const std::string& path, bool nodes) {
  if (!std::filesystem::exists(path)) throw InputError(path, "", "no such file");
  const auto line = CsvFile::first_line(path);
  const std::string name = std::filesystem::path(path).filename().string();
  if (nodes) {
    if (starts_with(line, {"sn", "cpu_milli"})) return "openb";
    if (starts_with(line, {"num_switch"})) return "tiresias";
    if (name.find("pai_machine_spec") != std::string::npos) return "pai";
  } else {
    if (starts_with(line, {"name", "cpu_milli"})) return "openb";
    if (starts_with(line, {"timestamp", "duration", "num_gpus"})) return "philly";
    if (starts_with(line, {"job_id", "num_gpu", "submit_time"})) return "tiresias";
    if (name.find("pai_task_table") != std::string::npos) return "pai-task";
  }
  throw InputError(path, "line 1", fmt::format("unrecognized {} list; name the format with --{}-format",
                                               nodes ? "node" : "pod", nodes ? "nodes" : "pods"));
}

}  // namespace

NodeList read_node_list(const std::string& path, const std::string& format, BadRows bad_rows) {
  const std::string f = format == "auto" ? detect(path, true) : format;
  NodeList list;
  if (f == "openb") list = read_openb_nodes(path, bad_rows);
  else if (f == "pai") list = read_pai_machine_spec(path, bad_rows);
  else if (f == "tiresias") list = read_tiresias_cluster(path);
  else throw InputError(path, "", fmt::format("unknown node list format \"{}\" (known: openb, pai, tiresias)", f));
  if (list.nodes.empty()) throw InputError(path, "", "no nodes");
  return list;
}

PodList read_pod_list(const std::string& path, const std::string& format, BadRows bad_rows,
                      const std::string& philly_cluster) {
  const std::string f = format == "auto" ? detect(path, false) : format;
  PodList list;
  if (f == "openb") list = read_openb_pods(path, bad_rows);
  else if (f == "pai-task") list = read_pai_tasks(path, bad_rows);
  else if (f == "philly") list = read_philly_jobs(path, philly_cluster, bad_rows);
  else if (f == "tiresias") list = read_tiresias_jobs(path, bad_rows);
  else
    throw InputError(path, "",
                     fmt::format("unknown pod list format \"{}\" (known: openb, pai-task, philly, tiresias)", f));
  if (list.pods.empty()) throw InputError(path, "", "no pods");
  return list;
}

}  // namespace xpusim

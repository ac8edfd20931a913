// Philly-derived job table from the AdaptDL OSDI'21 artifact.
#include <algorithm>
#include <cstdio>

#include "workloads/traces/trace_readers.hpp"

namespace xpusim {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "YYYY-MM-DD hh:mm:ss" (UTC) to seconds since the epoch.
double parse_timestamp(const CsvRecord& r, std::size_t column) {
  int y, mo, d, h, mi, s;
  char tail;
  if (std::sscanf(r.text(column).c_str(), "%4d-%2d-%2d %2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) != 6 ||
      mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || h < 0 || mi < 0 || s < 0)
    r.fail(column, "\"" + r.text(column) + "\" is not a \"YYYY-MM-DD hh:mm:ss\" time");
  return static_cast<double>(days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                             h * 3600 + mi * 60 + s);
}

}  // namespace

PodList read_philly_jobs(const std::string& path, const std::string& cluster, BadRows bad_rows) {
  CsvFile file(path, {"timestamp", "duration", "num_gpus", "gpu_time", "cluster"}, true);
  PodList list{path, {}, {}};
  std::vector<std::pair<double, std::size_t>> order;  // (submit, line) for a stable time order
  auto pods = parse_rows<PodSpec>(file, bad_rows, list.problems, [&](const CsvRecord& r) {
    PodSpec p;
    p.submit_s = parse_timestamp(r, 0);
    p.duration_s = r.real(1, 0, 1e9);
    p.num_gpu = static_cast<int>(r.integer(2, 1, 4096));
    p.gpu_milli = 1000;
    p.cpu_milli = 0;  // the table records GPUs only
    p.name = "philly-" + std::to_string(r.line());
    p.workload = r.text(4);
    return p;
  });
  for (auto& p : pods)
    if (cluster.empty() || p.workload == cluster) list.pods.push_back(std::move(p));
  if (list.pods.empty())
    throw InputError(path, "", cluster.empty() ? "no jobs" : "no jobs in cluster \"" + cluster + "\"");
  std::stable_sort(list.pods.begin(), list.pods.end(),
                   [](const PodSpec& a, const PodSpec& b) { return a.submit_s < b.submit_s; });
  const double t0 = list.pods.front().submit_s;
  for (auto& p : list.pods) p.submit_s -= t0;
  return list;
}

}  // namespace xpusim

#include "reports/cluster_report.hpp"

#include <fmt/format.h>

#include "reports/report_writer.hpp"
#include "reports/table.hpp"

namespace xpusim {

namespace {

const char* mode_name(Mode m) { return m == Mode::training ? "training" : "inference"; }

nlohmann::json number_or_null(bool present, double v) { return present ? nlohmann::json(round_significant(v)) : nlohmann::json(); }

}  // namespace

namespace {

nlohmann::json one_network(const ClusterStudyResult& r) {
  nlohmann::json jobs = nlohmann::json::array(), gpus = nlohmann::json::array(), nics = nlohmann::json::array();
  for (const auto& row : r.jobs) {
    const ClusterJob& j = row.job;
    jobs.push_back({{"name", j.name}, {"client", j.client}, {"gpu", row.fits ? nlohmann::json(row.gpu) : nlohmann::json()},
                    {"fraction", j.fraction}, {"model", j.model}, {"mode", mode_name(j.mode)},
                    {"submit_s", j.submit_s}, {"wait_s", number_or_null(row.fits, row.start_s - j.submit_s)},
                    {"jct_s", number_or_null(row.fits, row.finish_s - j.submit_s)},
                    {"precision", precision_name(j.precision)}, {"batch", j.batch}, {"fits", row.fits},
                    {"memory_gib_needed", round_significant(row.memory_gib_needed, 4)},
                    {"memory_gib_share", round_significant(row.memory_gib_share, 4)},
                    {"iteration_ms", number_or_null(row.fits, row.iteration_ms)},
                    {"local_iteration_ms", number_or_null(row.fits, row.local_iteration_ms)},
                    {"slowdown_vs_local", number_or_null(row.fits, row.slowdown)},
                    {"throughput_per_s", number_or_null(row.fits, row.throughput_per_s)}});
  }
  for (const auto& g : r.gpus) gpus.push_back({{"gpu", g.name}, {"utilization", round_significant(g.utilization, 4)}});
  for (const auto& n : r.nics)
    nics.push_back({{"host", n.name}, {"gbps", n.capacity}, {"utilization", round_significant(n.utilization, 4)}});
  return {{"network", r.network}, {"placement", r.placement}, {"jobs", jobs}, {"gpus", gpus}, {"nics", nics},
          {"makespan_s", round_significant(r.makespan_s)}, {"usd_per_hour", round_significant(r.usd_per_hour)},
          {"usd_per_million_samples", number_or_null(r.usd_per_million_samples > 0, r.usd_per_million_samples)},
          {"unpriced_instances", r.unpriced}};
}

}  // namespace

nlohmann::json cluster_results_json(const std::vector<ClusterStudyResult>& results) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : results) out.push_back(one_network(r));
  return out;
}

std::string cluster_results_csv(const std::vector<ClusterStudyResult>& results) {
  std::string out = csv_line({"network", "placement", "job", "client", "gpu", "fraction", "model", "mode", "precision",
                              "batch", "fits", "submit_s", "wait_s", "jct_s", "iteration_ms", "local_iteration_ms",
                              "slowdown_vs_local", "throughput_per_s"});
  for (const auto& r : results)
  for (const auto& row : r.jobs) {
    const ClusterJob& j = row.job;
    auto v = [&](double x) { return row.fits ? num(x) : std::string(); };
    out += csv_line({r.network, r.placement, j.name, j.client, row.fits ? row.gpu : "", num(j.fraction), j.model,
                     mode_name(j.mode), std::string(precision_name(j.precision)), std::to_string(j.batch),
                     row.fits ? "true" : "false",
                     num(j.submit_s), v(row.start_s - j.submit_s), v(row.finish_s - j.submit_s), v(row.iteration_ms),
                     v(row.local_iteration_ms), v(row.slowdown), v(row.throughput_per_s)});
  }
  return out;
}

namespace {

std::string one_table(const ClusterStudyResult& r) {
  TextTable jobs({"job", "model", "mode", "batch", "gpu", "fraction", "wait s", "JCT s", "iteration ms", "local ms",
                  "slowdown", "samples/s"});
  for (const auto& row : r.jobs) {
    const ClusterJob& j = row.job;
    if (!row.fits) {
      jobs.add_row({j.name, j.model, mode_name(j.mode), std::to_string(j.batch), "", fixed(j.fraction, 2),
                    fmt::format("does not fit: needs {:.1f} GiB, share {:.1f} GiB", row.memory_gib_needed, row.memory_gib_share),
                    "", "", "", "", ""});
      continue;
    }
    jobs.add_row({j.name, j.model, mode_name(j.mode), std::to_string(j.batch), row.gpu, fixed(j.fraction, 2),
                  fixed(row.start_s - j.submit_s, 3), fixed(row.finish_s - j.submit_s, 3), fixed(row.iteration_ms, 2),
                  fixed(row.local_iteration_ms, 2), fixed(row.slowdown, 3), fixed(row.throughput_per_s, 1)});
  }
  TextTable use({"GPU or link", "Gbit/s", "utilization"});
  for (const auto& g : r.gpus) use.add_row({g.name, "", fixed(100 * g.utilization, 1) + "%"});
  for (const auto& n : r.nics) use.add_row({n.name, num(n.capacity), fixed(100 * n.utilization, 1) + "%"});
  std::string out = jobs.render() + "\n" + use.render();
  out += fmt::format("\ncluster: ${:.4f}/hour", r.usd_per_hour);
  if (r.usd_per_million_samples > 0) out += fmt::format(", ${:.4f} per 1M samples", r.usd_per_million_samples);
  if (!r.unpriced.empty()) out += fmt::format(" (no price for {})", fmt::join(r.unpriced, ", "));
  return out + "\n";
}

}  // namespace

std::string cluster_results_table(const std::vector<ClusterStudyResult>& results) {
  std::string out;
  for (const auto& r : results)
    out += fmt::format("{}network: {}, placement: {}\n{}", out.empty() ? "" : "\n", r.network, r.placement,
                       one_table(r));
  return out;
}

}  // namespace xpusim

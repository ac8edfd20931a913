#include "reports/flow_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "reports/report_writer.hpp"
#include "reports/table.hpp"

namespace xpusim {

namespace {

// How many of the busiest links the terminal table shows (the JSON lists every one).
constexpr std::size_t kLinksShown = 10;

struct Spread {
  double mean = 0, p50 = 0, p99 = 0, max = 0;
};

Spread spread(const std::vector<double>& v) {
  Spread s;
  for (double x : v) s.mean += x / static_cast<double>(v.size());
  s.p50 = nearest_rank(v, 50);
  s.p99 = nearest_rank(v, 99);
  s.max = *std::max_element(v.begin(), v.end());
  return s;
}

nlohmann::json to_json(const Spread& s) {
  return {{"mean", round_significant(s.mean)}, {"p50", round_significant(s.p50)}, {"p99", round_significant(s.p99)},
          {"max", round_significant(s.max)}};
}

// Messages grouped by decade of size: [10^k, 10^(k+1)) bytes.
int decade(double bytes) { return static_cast<int>(std::floor(std::log10(bytes) + 1e-12)); }

std::string decade_label(int k) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  auto name = [&](int e) { return fmt::format("{}{}", e % 3 == 0 ? 1 : e % 3 == 1 ? 10 : 100, units[e / 3]); };
  return name(k) + "-" + name(k + 1);
}

struct Columns {
  std::vector<double> completion_us, slowdown;
};

void add(Columns& c, const FlowSpec& f, const FlowOutcome& o) {
  c.completion_us.push_back(o.completion_s(f) * 1e6);
  c.slowdown.push_back(o.completion_s(f) / o.alone_s);
}

Columns every_message(const FlowStudy& s, const FlowStudyResult& r) {
  Columns c;
  for (std::size_t i = 0; i < s.flows.size(); ++i) add(c, s.flows[i], r.flows[i]);
  return c;
}

std::map<int, Columns> by_decade(const FlowStudy& s, const FlowStudyResult& r) {
  std::map<int, Columns> out;
  for (std::size_t i = 0; i < s.flows.size(); ++i) add(out[decade(s.flows[i].bytes)], s.flows[i], r.flows[i]);
  return out;
}

// Incast queries: each completes with its last response; its slowdown is against the slowest
// response alone. Empty when the study drew no queries.
Columns every_query(const FlowStudy& s, const FlowStudyResult& r) {
  std::map<int, std::pair<double, double>> span;  // query -> (start, finish)
  std::map<int, double> alone;                    // query -> its slowest response alone
  for (std::size_t i = 0; i < s.flows.size(); ++i) {
    const FlowSpec& f = s.flows[i];
    if (f.query < 0) continue;
    auto [it, fresh] = span.try_emplace(f.query, f.start_s, r.flows[i].finish_s);
    if (!fresh) it->second.second = std::max(it->second.second, r.flows[i].finish_s);
    alone[f.query] = std::max(alone[f.query], r.flows[i].alone_s);
  }
  Columns c;
  for (const auto& [q, t] : span) {
    c.completion_us.push_back((t.second - t.first) * 1e6);
    c.slowdown.push_back((t.second - t.first) / alone[q]);
  }
  return c;
}

double payload_bytes(const FlowStudy& s) {
  double sum = 0;
  for (const auto& f : s.flows) sum += f.bytes;
  return sum;
}

std::string link_name(const Topology& t, int channel) {
  const Channel& c = t.channels()[static_cast<std::size_t>(channel)];
  return t.name(c.from) + "->" + t.name(c.to);
}

}  // namespace

double nearest_rank(std::vector<double> values, double p) {
  const auto n = values.size();
  auto rank = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank - 1), values.end());
  return values[rank - 1];
}

namespace {

nlohmann::json one_network(const FlowStudy& s, const StudyNetwork& network, const FlowStudyResult& r) {
  const Columns all = every_message(s, r);
  const double payload = payload_bytes(s);
  nlohmann::json summary = {{"messages", s.flows.size()},
                            {"payload_bytes", payload},
                            {"makespan_s", round_significant(r.makespan_s)},
                            {"goodput_gbps", round_significant(payload * 8 / r.makespan_s / 1e9)},
                            {"completion_us", to_json(spread(all.completion_us))},
                            {"slowdown", to_json(spread(all.slowdown))},
                            {"flow_events", r.stats.events},
                            {"rate_solves", r.stats.solves}};
  const Columns queries = every_query(s, r);
  if (!queries.slowdown.empty())
    summary["queries"] = {{"queries", queries.slowdown.size()},
                          {"completion_us", to_json(spread(queries.completion_us))},
                          {"slowdown", to_json(spread(queries.slowdown))}};
  nlohmann::json sizes = nlohmann::json::array();
  for (const auto& [k, c] : by_decade(s, r))
    sizes.push_back({{"bytes", decade_label(k)},
                     {"messages", c.slowdown.size()},
                     {"completion_us", to_json(spread(c.completion_us))},
                     {"slowdown", to_json(spread(c.slowdown))}});
  nlohmann::json links = nlohmann::json::array();
  for (const auto& u : r.channels)
    links.push_back({{"link", link_name(network.topology, u.channel)},
                     {"wire_bytes", round_significant(u.wire_bytes)},
                     {"utilization", round_significant(u.utilization, 4)}});
  nlohmann::json messages = nlohmann::json::array();
  for (std::size_t i = 0; i < s.flows.size(); ++i) {
    const FlowSpec& f = s.flows[i];
    const FlowOutcome& o = r.flows[i];
    nlohmann::json& m = messages.emplace_back();
    m = {{"src", network.host_name(f.src)},
         {"dst", network.host_name(f.dst)},
         {"protocol", f.protocol},
         {"bytes", f.bytes},
         {"start_us", round_significant(f.start_s * 1e6, 9)},
         {"completion_us", round_significant(o.completion_s(f) * 1e6)},
         {"alone_us", round_significant(o.alone_s * 1e6)},
         {"slowdown", round_significant(o.completion_s(f) / o.alone_s)}};
    if (f.query >= 0) m["query"] = f.query;
  }
  return {{"topology", network.name}, {"summary", summary}, {"by_size", sizes}, {"links", links}, {"messages", messages}};
}

std::string one_network_table(const FlowStudy& s, const StudyNetwork& network, const FlowStudyResult& r) {
  const double payload = payload_bytes(s);
  std::string out = fmt::format("{}: {} messages, {} GB of payload in {} ms: {} Gbit/s goodput\n\n", network.name,
                                s.flows.size(), num(payload / 1e9), num(r.makespan_s * 1e3),
                                num(payload * 8 / r.makespan_s / 1e9));
  TextTable sizes({"bytes", "messages", "completion p50 us", "p99 us", "slowdown mean", "p50", "p99", "max"});
  auto row = [&](const std::string& label, const Columns& c) {
    const Spread t = spread(c.completion_us), d = spread(c.slowdown);
    sizes.add_row({label, std::to_string(c.slowdown.size()), num(t.p50), num(t.p99), fixed(d.mean, 3), fixed(d.p50, 3),
                   fixed(d.p99, 3), fixed(d.max, 3)});
  };
  for (const auto& [k, c] : by_decade(s, r)) row(decade_label(k), c);
  row("all", every_message(s, r));
  const Columns queries = every_query(s, r);
  if (!queries.slowdown.empty()) row("queries", queries);
  out += sizes.render();
  out += fmt::format("\nbusiest links ({} of {} that carried bytes)\n", std::min(kLinksShown, r.channels.size()),
                     r.channels.size());
  TextTable links({"link", "utilization", "wire GB"});
  for (std::size_t i = 0; i < std::min(kLinksShown, r.channels.size()); ++i)
    links.add_row({link_name(network.topology, r.channels[i].channel), fixed(r.channels[i].utilization, 4),
                   num(r.channels[i].wire_bytes / 1e9)});
  out += links.render();
  return out;
}

}  // namespace

nlohmann::json flow_results_json(const FlowStudy& s, const std::vector<FlowStudyResult>& results) {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t k = 0; k < results.size(); ++k) out.push_back(one_network(s, s.networks[k], results[k]));
  return out;
}

std::string flow_results_csv(const FlowStudy& s, const std::vector<FlowStudyResult>& results) {
  std::string out =
      csv_line({"topology", "message", "query", "src", "dst", "protocol", "bytes", "start_us", "completion_us", "alone_us",
                "slowdown"});
  for (std::size_t k = 0; k < results.size(); ++k) {
    const StudyNetwork& network = s.networks[k];
    for (std::size_t i = 0; i < s.flows.size(); ++i) {
      const FlowSpec& f = s.flows[i];
      const FlowOutcome& o = results[k].flows[i];
      out += csv_line({network.name, std::to_string(i), f.query >= 0 ? std::to_string(f.query) : "", network.host_name(f.src), network.host_name(f.dst), f.protocol,
                       num(f.bytes), fmt::format("{:.9g}", f.start_s * 1e6), num(o.completion_s(f) * 1e6),
                       num(o.alone_s * 1e6), num(o.completion_s(f) / o.alone_s)});
    }
  }
  return out;
}

std::string flow_results_table(const FlowStudy& s, const std::vector<FlowStudyResult>& results) {
  std::string out;
  for (std::size_t k = 0; k < results.size(); ++k) {
    if (k > 0) out += "\n";
    out += one_network_table(s, s.networks[k], results[k]);
  }
  if (results.size() < 2) return out;
  const bool queries = !every_query(s, results.front()).slowdown.empty();
  std::vector<std::string> header = {"topology", "goodput Gbit/s", "slowdown mean", "p50", "p99"};
  if (queries) header.insert(header.end(), {"query p50 us", "query p99 us"});
  header.insert(header.end(), {"busiest link", "utilization"});
  TextTable compare(header);
  for (std::size_t k = 0; k < results.size(); ++k) {
    const FlowStudyResult& r = results[k];
    const Spread d = spread(every_message(s, r).slowdown);
    std::vector<std::string> row = {s.networks[k].name, num(payload_bytes(s) * 8 / r.makespan_s / 1e9), fixed(d.mean, 3),
                                    fixed(d.p50, 3), fixed(d.p99, 3)};
    if (queries) {
      const Spread q = spread(every_query(s, r).completion_us);
      row.insert(row.end(), {num(q.p50), num(q.p99)});
    }
    row.insert(row.end(), {link_name(s.networks[k].topology, r.channels.front().channel), fixed(r.channels.front().utilization, 4)});
    compare.add_row(row);
  }
  return out + "\n" + compare.render();
}

}  // namespace xpusim

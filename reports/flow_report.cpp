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

// Groups of messages (incast queries, shuffles), named as the traffic draws them: each completes
// with its last message; its slowdown is against the group alone.
struct Groups {
  std::string one, many;  // "query", "queries"
  Columns columns;        // empty when the study drew no groups
};

Groups every_group(const FlowStudy& s, const FlowStudyResult& r) {
  Groups g;
  if (!s.traffic || !grouped(s.traffic->pattern)) return g;
  const bool queries = s.traffic->pattern == TrafficPattern::incast;
  g.one = queries ? "query" : "shuffle";
  g.many = queries ? "queries" : "shuffles";
  for (const GroupOutcome& o : r.groups) {
    g.columns.completion_us.push_back(o.completion_s() * 1e6);
    g.columns.slowdown.push_back(o.completion_s() / o.alone_s);
  }
  return g;
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
  const Groups groups = every_group(s, r);
  if (!groups.columns.slowdown.empty())
    summary[groups.many] = {{groups.many, groups.columns.slowdown.size()},
                            {"completion_us", to_json(spread(groups.columns.completion_us))},
                            {"slowdown", to_json(spread(groups.columns.slowdown))}};
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
    if (f.group >= 0) m[groups.one] = f.group;
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
  const Groups groups = every_group(s, r);
  if (!groups.columns.slowdown.empty()) row(groups.many, groups.columns);
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
  // The group column (named "query" or "shuffle") only when the traffic draws groups.
  const std::string group = every_group(s, results.front()).one;
  std::vector<std::string> header = {"topology", "message", "src", "dst", "protocol", "bytes", "start_us",
                                     "completion_us", "alone_us", "slowdown"};
  if (!group.empty()) header.insert(header.begin() + 2, group);
  std::string out = csv_line(header);
  for (std::size_t k = 0; k < results.size(); ++k) {
    const StudyNetwork& network = s.networks[k];
    for (std::size_t i = 0; i < s.flows.size(); ++i) {
      const FlowSpec& f = s.flows[i];
      const FlowOutcome& o = results[k].flows[i];
      std::vector<std::string> line = {network.name, std::to_string(i), network.host_name(f.src), network.host_name(f.dst),
                                       f.protocol, num(f.bytes), fmt::format("{:.9g}", f.start_s * 1e6),
                                       num(o.completion_s(f) * 1e6), num(o.alone_s * 1e6),
                                       num(o.completion_s(f) / o.alone_s)};
      // Listed messages belong to no group.
      if (!group.empty()) line.insert(line.begin() + 2, f.group >= 0 ? std::to_string(f.group) : "");
      out += csv_line(line);
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
  const std::string group = every_group(s, results.front()).one;
  std::vector<std::string> header = {"topology", "goodput Gbit/s", "slowdown mean", "p50", "p99"};
  if (!group.empty()) header.insert(header.end(), {group + " p50 us", group + " p99 us"});
  header.insert(header.end(), {"busiest link", "utilization"});
  TextTable compare(header);
  for (std::size_t k = 0; k < results.size(); ++k) {
    const FlowStudyResult& r = results[k];
    const Spread d = spread(every_message(s, r).slowdown);
    std::vector<std::string> row = {s.networks[k].name, num(payload_bytes(s) * 8 / r.makespan_s / 1e9), fixed(d.mean, 3),
                                    fixed(d.p50, 3), fixed(d.p99, 3)};
    if (!group.empty()) {
      const Spread q = spread(every_group(s, r).columns.completion_us);
      row.insert(row.end(), {num(q.p50), num(q.p99)});
    }
    row.insert(row.end(), {link_name(s.networks[k].topology, r.channels.front().channel), fixed(r.channels.front().utilization, 4)});
    compare.add_row(row);
  }
  return out + "\n" + compare.render();
}

}  // namespace xpusim

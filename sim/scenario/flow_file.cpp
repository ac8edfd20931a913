// Reading a flow study file (sim/scenario/flow_study.hpp), strictly: every error names the file
// and the JSON pointer. Drawn traffic is generated here, so that the study holds every message.
#include <cmath>

#include <fmt/format.h>

#include "models/network/protocol.hpp"
#include "models/network/topology_json.hpp"
#include "reports/report_writer.hpp"
#include "sim/engine/rng.hpp"
#include "sim/scenario/flow_study.hpp"

namespace xpusim {

namespace {

// Messages in one study, listed and drawn together: beyond this a study is a mistake, not a plan.
constexpr int64_t kMaxFlows = 1'000'000;
// Largest message and latest start accepted (a petabyte, a day): finite times throughout.
constexpr double kMaxBytes = 1e15;
constexpr double kMaxStartUs = 86400e6;

int host_named(const JsonView& v, const Topology& t) {
  const std::string name = v.as_string();
  const auto node = t.find(name);
  if (!node) v.fail(fmt::format("unknown host \"{}\"", name));
  if (!t.is_host(*node)) v.fail(fmt::format("\"{}\" is a switch: messages start and end at hosts", name));
  return *node;
}

FlowSpec listed_flow(const JsonView& v, const Topology& t, const std::string& protocol) {
  v.allow_only({"src", "dst", "bytes", "start_us", "protocol"});
  FlowSpec f;
  f.src = host_named(v.at("src"), t);
  const auto dst = v.at("dst");
  f.dst = host_named(dst, t);
  if (f.dst == f.src) dst.fail("a message from a host to itself");
  f.bytes = v.at("bytes").as_number_in(1, kMaxBytes);
  if (auto s = v.find("start_us")) f.start_s = s->as_number_in(0, kMaxStartUs) * 1e-6;
  f.protocol = protocol;
  if (auto p = v.find("protocol")) f.protocol = protocol_name(*p);
  return f;
}

TrafficSpec traffic_spec(const JsonView& v, const std::string& protocol) {
  v.allow_only({"flows", "min_bytes", "max_bytes", "load", "seed", "protocol"});
  TrafficSpec t;
  t.flows = static_cast<int>(v.at("flows").as_integer_in(1, kMaxFlows));
  t.min_bytes = v.at("min_bytes").as_number_in(1, kMaxBytes);
  const auto max = v.at("max_bytes");
  t.max_bytes = max.as_number_in(1, kMaxBytes);
  if (t.max_bytes < t.min_bytes) max.fail(fmt::format("must be at least min_bytes ({})", t.min_bytes));
  const auto load = v.at("load");
  t.load = load.as_number_in(0, 1);
  if (!(t.load > 0)) load.fail("must be in (0, 1], found 0");
  if (auto s = v.find("seed")) t.seed = s->as_integer();
  t.protocol = protocol;
  if (auto p = v.find("protocol")) t.protocol = protocol_name(*p);
  return t;
}

// Poisson arrivals from time 0 between uniformly drawn distinct hosts, sizes log-uniform.
void draw(const TrafficSpec& spec, const Topology& t, std::vector<FlowSpec>& out) {
  const auto& hosts = t.hosts();
  double injection = 0;
  for (int h : hosts) injection += nic_bytes_per_s(t, h);
  const double rate = spec.load * injection / log_uniform_mean(spec.min_bytes, spec.max_bytes);
  RngStream rng(static_cast<uint64_t>(spec.seed), "flow-traffic");
  const double lo = std::log(spec.min_bytes), hi = std::log(spec.max_bytes);
  double now = 0;
  for (int i = 0; i < spec.flows; ++i) {
    now += rng.exponential(rate);
    FlowSpec f;
    const auto n = static_cast<uint64_t>(hosts.size());
    const auto src = rng.uniform_int(n);
    auto dst = rng.uniform_int(n - 1);
    if (dst >= src) ++dst;
    f.src = hosts[src];
    f.dst = hosts[dst];
    f.bytes = std::floor(std::exp(lo + rng.uniform01() * (hi - lo)));
    f.start_s = now;
    f.protocol = spec.protocol;
    out.push_back(f);
  }
}

}  // namespace

double nic_bytes_per_s(const Topology& t, int host) {
  double sum = 0;
  for (int c : t.out_channels(host)) sum += t.channels()[static_cast<std::size_t>(c)].bytes_per_s;
  return sum;
}

double log_uniform_mean(double a, double b) { return b > a ? (b - a) / std::log(b / a) : a; }

FlowStudy parse_flow_study(const JsonView& root) {
  root.expect_object();
  root.allow_only({"topology", "protocol", "flows", "traffic"});
  FlowStudy s;
  const auto topology = root.at("topology");
  s.topology = parse_topology(topology);
  s.topology_json = topology.raw();
  s.protocol = protocol_name(root.at("protocol"));
  const std::string& protocol = s.protocol;
  if (auto list = root.find("flows")) {
    list->expect_array();
    if (list->size() > static_cast<std::size_t>(kMaxFlows)) list->fail(fmt::format("more than {} messages", kMaxFlows));
    for (const auto& v : list->items()) s.flows.push_back(listed_flow(v, s.topology, protocol));
  }
  s.listed = static_cast<int>(s.flows.size());
  if (auto t = root.find("traffic")) {
    s.traffic = traffic_spec(*t, protocol);
    if (s.topology.hosts().size() < 2) t->fail("traffic needs at least two hosts");
    if (s.listed + int64_t{s.traffic->flows} > kMaxFlows)
      t->at("flows").fail(fmt::format("{} listed and {} drawn messages: more than {}", s.listed, s.traffic->flows, kMaxFlows));
    draw(*s.traffic, s.topology, s.flows);
  }
  if (s.flows.empty()) root.fail("a flow study needs messages: a non-empty \"flows\" list or \"traffic\"");
  return s;
}

nlohmann::json resolved_config(const FlowStudy& s) {
  nlohmann::json c;
  c["topology"] = s.topology_json;
  c["protocol"] = s.protocol;
  nlohmann::json flows = nlohmann::json::array();
  for (int i = 0; i < s.listed; ++i) {
    const FlowSpec& f = s.flows[static_cast<std::size_t>(i)];
    flows.push_back({{"src", s.topology.name(f.src)},
                     {"dst", s.topology.name(f.dst)},
                     {"bytes", f.bytes},
                     // As given: 15 digits undo the scaling to seconds.
                     {"start_us", round_significant(f.start_s * 1e6, 15)},
                     {"protocol", f.protocol}});
  }
  c["flows"] = flows;
  if (s.traffic) {
    const TrafficSpec& t = *s.traffic;
    c["traffic"] = {{"flows", t.flows}, {"min_bytes", t.min_bytes}, {"max_bytes", t.max_bytes},
                    {"load", t.load},   {"seed", t.seed},           {"protocol", t.protocol}};
  }
  return c;
}

}  // namespace xpusim

// Reading a flow study file (sim/scenario/flow_study.hpp), strictly: every error names the file
// and the JSON pointer. Drawn traffic is generated as it is read (flow_traffic.cpp), so that the
// study holds every message.
#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "models/network/protocol.hpp"
#include "models/network/topology_json.hpp"
#include "reports/report_writer.hpp"
#include "sim/scenario/flow_study.hpp"

namespace xpusim {

namespace {

// Messages in one study, listed and drawn together: beyond this a study is a mistake, not a plan.
constexpr int64_t kMaxFlows = 1'000'000;
// Largest message and latest start accepted (a petabyte, a day): finite times throughout.
constexpr double kMaxBytes = 1e15;
constexpr double kMaxStartUs = 86400e6;

// Kinds of network a "topology" may describe, named as a lone one is in the report.
std::string kind_of(const JsonView& v) {
  if (v.has("leaf_spine")) return "leaf-spine";
  if (v.has("fat_tree")) return "fat-tree";
  return "explicit";
}

StudyNetwork network_at(const JsonView& v, std::string name) {
  StudyNetwork n;
  n.topology = parse_topology(v);
  n.json = v.raw();
  n.name = std::move(name);
  return n;
}

// "topologies": [{"name": "2:1", "leaf_spine": {...}}, ...]: each a topology with a name, all with
// the hosts of the first, in its order, so that every message means the same on each.
std::vector<StudyNetwork> named_networks(const JsonView& list) {
  list.expect_array();
  if (list.size() == 0) list.fail("a list of topologies needs at least one");
  std::vector<StudyNetwork> out;
  std::set<std::string> names;
  for (const auto& v : list.items()) {
    v.expect_object();
    const auto name = v.at("name");
    const std::string n = name.as_string();
    if (n.empty() || !names.insert(n).second) name.fail(fmt::format("empty or repeated name \"{}\"", n));
    nlohmann::json topology = v.raw();
    topology.erase("name");
    out.push_back(network_at(JsonView(topology, v.file(), v.pointer()), n));
    const Topology& first = out.front().topology;
    const Topology& t = out.back().topology;
    bool same = t.hosts().size() == first.hosts().size();
    for (std::size_t h = 0; same && h < t.hosts().size(); ++h) same = t.name(t.hosts()[h]) == first.name(first.hosts()[h]);
    if (!same) v.fail(fmt::format("its hosts differ from those of \"{}\" (every topology needs the same, in the same order)", out.front().name));
  }
  return out;
}

int host_named(const JsonView& v, const StudyNetwork& network) {
  const std::string name = v.as_string();
  const Topology& t = network.topology;
  const auto node = t.find(name);
  if (!node) v.fail(fmt::format("unknown host \"{}\"", name));
  if (!t.is_host(*node)) v.fail(fmt::format("\"{}\" is a switch: messages start and end at hosts", name));
  const auto& hosts = t.hosts();
  return static_cast<int>(std::find(hosts.begin(), hosts.end(), *node) - hosts.begin());
}

FlowSpec listed_flow(const JsonView& v, const StudyNetwork& network, const std::string& protocol) {
  v.allow_only({"src", "dst", "bytes", "start_us", "protocol"});
  FlowSpec f;
  f.src = host_named(v.at("src"), network);
  const auto dst = v.at("dst");
  f.dst = host_named(dst, network);
  if (f.dst == f.src) dst.fail("a message from a host to itself");
  f.bytes = v.at("bytes").as_number_in(1, kMaxBytes);
  if (auto s = v.find("start_us")) f.start_s = s->as_number_in(0, kMaxStartUs) * 1e-6;
  f.protocol = protocol;
  if (auto p = v.find("protocol")) f.protocol = protocol_name(*p);
  return f;
}

constexpr std::pair<TrafficPattern, const char*> kPatterns[] = {{TrafficPattern::uniform, "uniform"},
                                                                  {TrafficPattern::permutation, "permutation"},
                                                                  {TrafficPattern::stride, "stride"},
                                                                  {TrafficPattern::incast, "incast"},
                                                                  {TrafficPattern::shuffle, "shuffle"}};

const char* pattern_name(TrafficPattern p) {
  return std::find_if(std::begin(kPatterns), std::end(kPatterns), [&](const auto& e) { return e.first == p; })->second;
}

// A member that only one pattern takes, in [least, most]: required with it, refused without.
int pattern_member(const JsonView& v, const char* key, TrafficPattern owner, TrafficPattern pattern, int64_t least,
                   int64_t most) {
  const auto member = v.find(key);
  if (pattern == owner && !member) v.fail(fmt::format("the {} pattern needs \"{}\"", pattern_name(owner), key));
  if (pattern != owner && member) member->fail(fmt::format("only the {} pattern takes a {}", pattern_name(owner), key));
  return member ? static_cast<int>(member->as_integer_in(least, most)) : 0;
}

// Grouped traffic draws whole groups: the messages asked for must be a number of them.
void check_whole_groups(const JsonView& v, const TrafficSpec& t) {
  if (t.pattern == TrafficPattern::incast && t.flows % t.fan_in != 0)
    v.at("flows").fail(fmt::format("incast traffic sends fan_in ({}) responses per query: {} is not a multiple", t.fan_in, t.flows));
  const int64_t per_shuffle = int64_t{t.width} * (t.width - 1);
  if (t.pattern == TrafficPattern::shuffle && t.flows % per_shuffle != 0)
    v.at("flows").fail(fmt::format("a shuffle of width {} sends {} messages: {} is not a multiple", t.width,
                                   per_shuffle, t.flows));
}

TrafficSpec traffic_spec(const JsonView& v, const std::string& protocol, const Topology& topology) {
  v.allow_only({"flows", "min_bytes", "max_bytes", "sizes", "load", "seed", "pattern", "stride", "fan_in", "width",
                "local", "protocol"});
  const std::size_t hosts = topology.hosts().size();
  TrafficSpec t;
  t.flows = static_cast<int>(v.at("flows").as_integer_in(1, kMaxFlows));
  t.sizes = message_sizes_at(v, kMaxBytes);
  const auto load = v.at("load");
  t.load = load.as_number_in(0, 1);
  if (!(t.load > 0)) load.fail("must be in (0, 1], found 0");
  if (auto s = v.find("seed")) t.seed = s->as_integer();
  if (hosts < 2) v.fail("traffic needs at least two hosts");
  if (auto p = v.find("pattern")) {
    const std::string name = p->as_string();
    const auto* it = std::find_if(std::begin(kPatterns), std::end(kPatterns), [&](const auto& e) { return name == e.second; });
    if (it == std::end(kPatterns)) {
      std::vector<std::string> known;
      for (const auto& [pattern, known_name] : kPatterns) known.emplace_back(known_name);
      p->fail(fmt::format("unknown pattern \"{}\"; known: {}", name, fmt::join(known, ", ")));
    }
    t.pattern = it->first;
  }
  const auto n = static_cast<int64_t>(hosts);
  t.stride = pattern_member(v, "stride", TrafficPattern::stride, t.pattern, 1, n - 1);
  t.fan_in = pattern_member(v, "fan_in", TrafficPattern::incast, t.pattern, 1, n - 1);
  t.width = pattern_member(v, "width", TrafficPattern::shuffle, t.pattern, 2, n);
  check_whole_groups(v, t);
  if (auto local = v.find("local")) {
    if (t.pattern != TrafficPattern::uniform) local->fail("only the uniform pattern takes a local fraction");
    t.local = local->as_number_in(0, 1);
    if (*t.local > 0)
      if (auto alone = host_alone_on_its_switch(topology))
        local->fail(fmt::format("host \"{}\" shares its switch with no other host", topology.name(*alone)));
    if (*t.local < 1 && hosts_on_one_switch(topology)) local->fail("every host is on one switch: none can send off it");
  }
  t.protocol = protocol;
  if (auto p = v.find("protocol")) t.protocol = protocol_name(*p);
  return t;
}

}  // namespace

FlowStudy parse_flow_study(const JsonView& root) {
  root.expect_object();
  root.allow_only({"topology", "topologies", "protocol", "flows", "traffic"});
  FlowStudy s;
  const auto one = root.find("topology"), several = root.find("topologies");
  if (one && several) several->fail("give \"topology\" or \"topologies\", not both");
  if (one) s.networks.push_back(network_at(*one, kind_of(*one)));
  if (several) s.networks = named_networks(*several);
  s.several = several.has_value();
  if (!one && !several) root.fail("missing required key \"topology\" (or \"topologies\")");
  const StudyNetwork& first = s.networks.front();
  s.protocol = protocol_name(root.at("protocol"));
  const std::string& protocol = s.protocol;
  if (auto list = root.find("flows")) {
    list->expect_array();
    if (list->size() > static_cast<std::size_t>(kMaxFlows)) list->fail(fmt::format("more than {} messages", kMaxFlows));
    for (const auto& v : list->items()) s.flows.push_back(listed_flow(v, first, protocol));
  }
  s.listed = static_cast<int>(s.flows.size());
  if (auto t = root.find("traffic")) {
    s.traffic = traffic_spec(*t, protocol, first.topology);
    if (s.listed + int64_t{s.traffic->flows} > kMaxFlows)
      t->at("flows").fail(fmt::format("{} listed and {} drawn messages: more than {}", s.listed, s.traffic->flows, kMaxFlows));
    draw_traffic(*s.traffic, first.topology, s.flows);
    // Drawn starts obey the listed ones' limit, so that times stay precise to far below a message.
    if (s.flows.back().start_s > kMaxStartUs * 1e-6)
      t->at("load").fail(fmt::format("{} messages at this load arrive over {:.3g} s, more than a day", s.traffic->flows,
                                     s.flows.back().start_s));
  }
  if (s.flows.empty()) root.fail("a flow study needs messages: a non-empty \"flows\" list or \"traffic\"");
  return s;
}

nlohmann::json resolved_config(const FlowStudy& s) {
  nlohmann::json c;
  if (s.several) {
    c["topologies"] = nlohmann::json::array();
    for (const auto& f : s.networks) {
      nlohmann::json t = f.json;
      t["name"] = f.name;
      c["topologies"].push_back(t);
    }
  } else {
    c["topology"] = s.networks.front().json;
  }
  c["protocol"] = s.protocol;
  nlohmann::json flows = nlohmann::json::array();
  for (int i = 0; i < s.listed; ++i) {
    const FlowSpec& f = s.flows[static_cast<std::size_t>(i)];
    flows.push_back({{"src", s.networks.front().host_name(f.src)},
                     {"dst", s.networks.front().host_name(f.dst)},
                     {"bytes", f.bytes},
                     // As given: 15 digits undo the scaling to seconds.
                     {"start_us", round_significant(f.start_s * 1e6, 15)},
                     {"protocol", f.protocol}});
  }
  c["flows"] = flows;
  if (s.traffic) {
    const TrafficSpec& t = *s.traffic;
    nlohmann::json& traffic = c["traffic"];
    traffic = {{"flows", t.flows}, {"load", t.load}, {"seed", t.seed}, {"pattern", pattern_name(t.pattern)},
               {"protocol", t.protocol}};
    t.sizes.write(traffic);
    if (t.pattern == TrafficPattern::stride) traffic["stride"] = t.stride;
    if (t.pattern == TrafficPattern::incast) traffic["fan_in"] = t.fan_in;
    if (t.pattern == TrafficPattern::shuffle) traffic["width"] = t.width;
    if (t.local) traffic["local"] = *t.local;
  }
  return c;
}

}  // namespace xpusim

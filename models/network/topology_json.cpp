#include "models/network/topology_json.hpp"

#include <fmt/format.h>

#include "models/network/topology_generators.hpp"

namespace xpusim {

namespace {

constexpr double kBytesPerGbit = 1e9 / 8;
constexpr int64_t kMaxNodes = 1'000'000;

double gbps(const JsonView& v) { return v.as_positive_number() * kBytesPerGbit; }
double latency(const JsonView& v) { return v.as_number_in(0, 1e6) * 1e-6; }

Topology explicit_topology(const JsonView& root) {
  root.allow_only({"hosts", "switches", "links"});
  Topology t;
  auto add_nodes = [&](const JsonView& list, bool hosts) {
    list.expect_array();
    if (list.size() > static_cast<std::size_t>(kMaxNodes)) list.fail(fmt::format("more than {} nodes", kMaxNodes));
    for (const auto& v : list.items()) {
      const std::string name = v.as_string();
      if (name.empty()) v.fail("empty node name");
      if (t.find(name)) v.fail(fmt::format("duplicate node name \"{}\"", name));
      hosts ? t.add_host(name) : t.add_switch(name);
    }
  };
  add_nodes(root.at("hosts"), true);
  if (auto s = root.find("switches")) add_nodes(*s, false);
  const auto links = root.at("links");
  links.expect_array();
  for (const auto& link : links.items()) {
    link.allow_only({"between", "gbps", "latency_us"});
    const auto ends = link.at("between");
    ends.expect_array();
    if (ends.size() != 2) ends.fail(fmt::format("a link joins exactly 2 nodes, found {}", ends.size()));
    int id[2];
    for (std::size_t i = 0; i < 2; ++i) {
      const std::string name = ends.at(i).as_string();
      const auto node = t.find(name);
      if (!node) ends.at(i).fail(fmt::format("unknown link endpoint \"{}\" (not a host or switch)", name));
      id[i] = *node;
    }
    if (id[0] == id[1]) ends.fail("a link from a node to itself");
    t.add_link(id[0], id[1], gbps(link.at("gbps")), latency(link.at("latency_us")));
  }
  if (auto pair = t.disconnected_hosts())
    links.fail(fmt::format("disconnected topology: no path from \"{}\" to \"{}\"", t.name(pair->first), t.name(pair->second)));
  return t;
}

int count(const JsonView& v, int64_t max) { return static_cast<int>(v.as_integer_in(1, max)); }

}  // namespace

Topology parse_topology(const JsonView& root) {
  root.expect_object();
  if (auto v = root.find("leaf_spine")) {
    root.allow_only({"leaf_spine"});
    v->allow_only({"leaves", "spines", "hosts_per_leaf", "host_gbps", "uplink_gbps", "latency_us"});
    LeafSpineSpec s;
    s.leaves = count(v->at("leaves"), 4096);
    s.spines = count(v->at("spines"), 4096);
    s.hosts_per_leaf = count(v->at("hosts_per_leaf"), 4096);
    if (int64_t{s.leaves} * s.hosts_per_leaf > kMaxNodes) v->fail(fmt::format("more than {} hosts", kMaxNodes));
    s.host_bytes_per_s = gbps(v->at("host_gbps"));
    s.uplink_bytes_per_s = gbps(v->at("uplink_gbps"));
    s.latency_s = latency(v->at("latency_us"));
    return leaf_spine(s);
  }
  if (auto v = root.find("fat_tree")) {
    root.allow_only({"fat_tree"});
    v->allow_only({"k", "gbps", "latency_us"});
    const auto k = v->at("k");
    const int64_t kk = k.as_integer_in(2, 128);
    if (kk % 2 != 0) k.fail(fmt::format("must be even, found {}", kk));
    return fat_tree(static_cast<int>(kk), gbps(v->at("gbps")), latency(v->at("latency_us")));
  }
  return explicit_topology(root);
}

Topology load_topology(const std::string& path) {
  const auto json = load_json_file(path);
  return parse_topology(JsonView(json, path));
}

}  // namespace xpusim

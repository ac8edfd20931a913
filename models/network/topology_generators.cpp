#include "models/network/topology_generators.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace xpusim {

namespace {
void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}
}  // namespace

Topology leaf_spine(const LeafSpineSpec& s) {
  require(s.leaves >= 1 && s.spines >= 1 && s.hosts_per_leaf >= 1, "leaf-spine needs >= 1 leaf, spine and host per leaf");
  Topology t;
  for (int l = 0; l < s.leaves; ++l)
    for (int h = 0; h < s.hosts_per_leaf; ++h) t.add_host(fmt::format("h{}", l * s.hosts_per_leaf + h));
  const int first_leaf = static_cast<int>(t.nodes().size());
  for (int l = 0; l < s.leaves; ++l) t.add_switch(fmt::format("leaf{}", l));
  const int first_spine = static_cast<int>(t.nodes().size());
  for (int p = 0; p < s.spines; ++p) t.add_switch(fmt::format("spine{}", p));
  for (int l = 0; l < s.leaves; ++l) {
    for (int h = 0; h < s.hosts_per_leaf; ++h)
      t.add_link(l * s.hosts_per_leaf + h, first_leaf + l, s.host_bytes_per_s, s.latency_s);
    for (int p = 0; p < s.spines; ++p) t.add_link(first_leaf + l, first_spine + p, s.uplink_bytes_per_s, s.latency_s);
  }
  return t;
}

Topology fat_tree(int k, double bytes_per_s, double latency_s) {
  require(k >= 2 && k % 2 == 0, "fat-tree k must be even and >= 2");
  const int half = k / 2;
  Topology t;
  for (int h = 0; h < k * k * k / 4; ++h) t.add_host(fmt::format("h{}", h));
  std::vector<int> edge, agg, core;
  for (int p = 0; p < k; ++p)
    for (int i = 0; i < half; ++i) edge.push_back(t.add_switch(fmt::format("edge{}_{}", p, i)));
  for (int p = 0; p < k; ++p)
    for (int i = 0; i < half; ++i) agg.push_back(t.add_switch(fmt::format("agg{}_{}", p, i)));
  for (int c = 0; c < half * half; ++c) core.push_back(t.add_switch(fmt::format("core{}", c)));
  for (int p = 0; p < k; ++p)
    for (int e = 0; e < half; ++e) {
      const int sw = edge[static_cast<std::size_t>(p * half + e)];
      for (int h = 0; h < half; ++h) t.add_link((p * half + e) * half + h, sw, bytes_per_s, latency_s);
      for (int a = 0; a < half; ++a) t.add_link(sw, agg[static_cast<std::size_t>(p * half + a)], bytes_per_s, latency_s);
    }
  // Aggregation switch a of every pod links to core switches a*k/2 .. a*k/2 + k/2 - 1.
  for (int p = 0; p < k; ++p)
    for (int a = 0; a < half; ++a)
      for (int c = 0; c < half; ++c)
        t.add_link(agg[static_cast<std::size_t>(p * half + a)], core[static_cast<std::size_t>(a * half + c)], bytes_per_s, latency_s);
  return t;
}

Topology all_to_all(int devices, double bytes_per_s, double latency_s, const std::string& prefix) {
  require(devices >= 2, "an all-to-all fabric needs >= 2 devices");
  Topology t;
  for (int d = 0; d < devices; ++d) t.add_host(fmt::format("{}{}", prefix, d));
  for (int a = 0; a < devices; ++a)
    for (int b = a + 1; b < devices; ++b) t.add_link(a, b, bytes_per_s, latency_s);
  return t;
}

Topology star(int devices, double bytes_per_s, double latency_s, const std::string& prefix, const std::string& center) {
  require(devices >= 1, "a star needs >= 1 device");
  Topology t;
  for (int d = 0; d < devices; ++d) t.add_host(fmt::format("{}{}", prefix, d));
  const int sw = t.add_switch(center);
  for (int d = 0; d < devices; ++d) t.add_link(d, sw, bytes_per_s, latency_s);
  return t;
}

Topology servers(const ServersSpec& s) {
  require(s.servers >= 1 && s.devices >= 1, "servers need >= 1 device each");
  Topology t;
  for (int k = 0; k < s.servers; ++k)
    for (int d = 0; d < s.devices; ++d) t.add_host(fmt::format("server{}/device{}", k, d));
  const int rack = t.add_switch("top-of-rack");
  for (int k = 0; k < s.servers; ++k) {
    const int fabric = t.add_switch(fmt::format("server{}/fabric", k));
    for (int d = 0; d < s.devices; ++d) t.add_link(k * s.devices + d, fabric, s.device_bytes_per_s, s.device_latency_s);
    t.add_link(fabric, rack, s.server_bytes_per_s, s.server_latency_s);
  }
  return t;
}

}  // namespace xpusim

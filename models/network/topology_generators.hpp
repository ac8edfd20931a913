#pragma once
// Topologies built from a few numbers: the data-center fabrics (leaf-spine, k-ary fat-tree) and the
// fabrics inside one server (all-to-all links between devices, as DL1's Gaudi RoCE ports; a star
// around one switch, as NVSwitch or a PCIe switch).
#include <string>

#include "models/network/topology.hpp"

namespace xpusim {

struct LeafSpineSpec {
  int leaves = 2, spines = 2, hosts_per_leaf = 2;
  double host_bytes_per_s = 0, uplink_bytes_per_s = 0;  // host-leaf links; each leaf-spine link
  double latency_s = 0;                                 // per link
};

// Hosts h0..h{leaves*hosts_per_leaf-1} (h0.. on leaf0 first), switches leaf0.., spine0..; every
// leaf links to every spine.
Topology leaf_spine(const LeafSpineSpec& spec);
// The k-ary fat-tree (Al-Fares et al., SIGCOMM 2008): k pods of k/2 edge and k/2 aggregation
// switches, (k/2)^2 core switches, k^3/4 hosts, every link alike. k even, >= 2.
Topology fat_tree(int k, double bytes_per_s, double latency_s);
// `devices` hosts named <prefix>0.., one link between every pair.
Topology all_to_all(int devices, double bytes_per_s, double latency_s, const std::string& prefix = "dev");
// `devices` hosts named <prefix>0.., each linked to one switch named `center`.
Topology star(int devices, double bytes_per_s, double latency_s, const std::string& prefix = "dev",
              const std::string& center = "switch");
// `servers` servers of `devices` hosts each, named server<s>/device<i> (server-major: host
// s * devices + i), each server's devices linked to a switch of its own (server<s>/fabric), every
// such switch to one switch "top-of-rack" (the server's network link).
struct ServersSpec {
  int servers = 1, devices = 1;
  double device_bytes_per_s = 0, device_latency_s = 0;
  double server_bytes_per_s = 0, server_latency_s = 0;
};
Topology servers(const ServersSpec& spec);

}  // namespace xpusim

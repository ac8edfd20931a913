#pragma once
// The network of a GPU pool: client VMs and GPU servers on a top-of-rack switch, each through its
// own NIC link; inside a server, its GPUs below the server's PCIe root (so a GPU's data crosses
// the NIC and then PCIe, and every GPU of a server shares the server's NIC). Each GPU has lanes of
// its own to the root, or, in a server built with PCIe switches (PLX), the GPUs behind one switch
// share its one uplink: their copies from the host or the NIC divide it, while traffic between
// two of them stays below the switch. The NIC sits on the root. Each server also has a host on the
// root (with one PCIe link's bandwidth per GPU) that stands for a client running on the server
// itself: the local baseline. With racks, each rack has its own top-of-rack switch and one uplink
// to a spine, so traffic between racks crosses two uplinks and shares them with the rest of its
// rack's traffic (an uplink slower than the NICs below it is an oversubscribed rack).
#include <string>
#include <vector>

#include "models/network/topology.hpp"

namespace xpusim {

struct PoolServerSpec {
  std::string name;
  int gpus = 1;
  double nic_bytes_per_s = 0;
  int rack = 0;  // index in PoolTopologySpec::racks (ignored without racks)
  // GPUs behind each PCIe switch, in GPU order (the last switch may have fewer); 0: no switches.
  int gpus_per_switch = 0;
};

struct PoolClientSpec {
  std::string name;
  double nic_bytes_per_s = 0;
  int rack = 0;
};

struct PoolRackSpec {
  std::string name;
  double uplink_bytes_per_s = 0;  // to the spine, each direction
};

struct PoolTopologySpec {
  std::vector<PoolServerSpec> servers;
  std::vector<PoolClientSpec> clients;
  std::vector<PoolRackSpec> racks;  // none: every host on one top-of-rack switch
  double pcie_bytes_per_s = 0;  // host to GPU, one direction
  double link_latency_s = 0;    // each NIC link (propagation and the switch's forwarding)
};

struct PoolTopology {
  Topology topology;
  std::vector<int> client_hosts;            // per client
  std::vector<std::vector<int>> gpu_hosts;  // per server, per GPU
  std::vector<int> local_hosts;             // per server: a client on the server itself
  std::vector<int> client_nic_links, server_nic_links, rack_uplinks;
  std::vector<std::vector<int>> pcie_switch_uplinks;  // per server, per PCIe switch (none without)
  std::vector<std::vector<int>> gpu_pcie_switch;      // per server, per GPU: its switch, or -1
};

PoolTopology build_pool_topology(const PoolTopologySpec& spec);

}  // namespace xpusim

#pragma once
// The network of a GPU pool: client VMs and GPU servers on one top-of-rack switch, each through its
// own NIC link; inside a server, its GPUs behind the server's PCIe switch (so a GPU's data crosses
// the NIC and then PCIe, and every GPU of a server shares the server's NIC). Each server also has a
// host on its PCIe switch that stands for a client running on the server itself: the local
// baseline.
#include <string>
#include <vector>

#include "models/network/topology.hpp"

namespace xpusim {

struct PoolServerSpec {
  std::string name;
  int gpus = 1;
  double nic_bytes_per_s = 0;
};

struct PoolClientSpec {
  std::string name;
  double nic_bytes_per_s = 0;
};

struct PoolTopologySpec {
  std::vector<PoolServerSpec> servers;
  std::vector<PoolClientSpec> clients;
  double pcie_bytes_per_s = 0;  // host to GPU, one direction
  double link_latency_s = 0;    // each NIC link (propagation and the switch's forwarding)
};

struct PoolTopology {
  Topology topology;
  std::vector<int> client_hosts;            // per client
  std::vector<std::vector<int>> gpu_hosts;  // per server, per GPU
  std::vector<int> local_hosts;             // per server: a client on the server itself
  std::vector<int> client_nic_links, server_nic_links;
};

PoolTopology build_pool_topology(const PoolTopologySpec& spec);

}  // namespace xpusim

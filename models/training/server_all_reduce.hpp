#pragma once
// The gradient all-reduce of a data-parallel job on `nodes` servers of `devices` accelerators
// each, as NCCL and HCCL run large all-reduces, made of flows on the servers' own fabric and on
// the network between them:
//   1. reduce-scatter inside each server (a ring through the switch, or directly over every link
//      of an all-to-all fabric), leaving each device one shard of 1/devices of the buffer;
//   2. between servers, one ring all-reduce per shard among the devices holding it, all shards of a
//      server at once through the server's network link;
//   3. all-gather inside each server.
// The fabric's and the network's catalog efficiency (the fraction of line rate a large collective
// reaches there) is each transfer's payload fraction, their step latency its per-message latency.
// On idle, symmetric networks this gives the closed form
//   2 (d-1)/d b / B_fabric + 2 (d-1) l_fabric + 2 (n-1)/n b / B_network + 2 (n-1) l_network
// (one fabric step instead of d-1 for direct phases); the flows are what let a network that is
// shared or oversubscribed slow it down.
#include <map>

#include "models/catalog/catalog.hpp"
#include "models/network/flow_network.hpp"

namespace xpusim {

class ServerAllReduce {
 public:
  // Throws std::invalid_argument when several servers are asked of an instance with no network.
  ServerAllReduce(const Catalog& catalog, const InstanceType& instance, int devices_per_node, int nodes);
  // Seconds to all-reduce a buffer of `bytes` on each device, on otherwise idle networks
  // (remembered per size: a training step asks for a few bucket sizes over and over).
  double seconds(double bytes);

  const Topology& fabric() const { return fabric_; }
  const Topology& network() const { return network_; }

 private:
  int devices_, nodes_;
  bool all_to_all_ = false;
  Topology fabric_, network_;
  ProtocolProfile fabric_protocol_, network_protocol_;
  std::map<double, double> memo_;
};

}  // namespace xpusim

#pragma once
// The gradient all-reduce of a data-parallel job on `nodes` servers of `devices` accelerators
// each, as NCCL and HCCL run it, made of flows on the servers' own fabric and on the network
// between them:
//   1. reduce-scatter inside each server (a ring through the switch, or directly over every link
//      of an all-to-all fabric), leaving each device one shard of 1/devices of the buffer;
//   2. between servers, one all-reduce per shard among the devices holding it (a ring, or NCCL's
//      double binary tree), all shards of a server at once through the server's network link;
//   3. all-gather inside each server.
// The fabric's and the network's catalog efficiency (the fraction of line rate a large collective
// reaches there) is each transfer's payload fraction, their step latency its per-message latency.
// On idle, symmetric networks a ring gives the closed form
//   t0 + 2 (d-1)/d b / B_fabric + 2 (d-1) l_fabric + 2 (n-1)/n b / B_network + 2 (n-1) l_network
// (one fabric step instead of d-1 for direct phases), a tree 2 floor(log2 n) steps between servers
// in place of 2 (n-1); the flows are what let a network that is shared or oversubscribed slow it.
//
// On NVIDIA fabrics the algorithm between servers and the protocol set t0, the step latencies and
// the fraction of the bandwidth (collective_protocols.hpp): every pair is run and the fastest
// taken, as NCCL picks the one its model predicts fastest, so an 8-byte all-reduce costs LL's few
// us per step, a 1 GiB one reaches Simple's bandwidth, and hundreds of servers take a tree. A
// network step adds the network's latency to the protocol's. Gaudi's fabric (HCCL) has one
// protocol and rings: t0 = 0 and its catalog step latency.
#include <map>
#include <string>
#include <vector>

#include "models/catalog/catalog.hpp"
#include "models/network/flow_network.hpp"

namespace xpusim {

class ServerAllReduce {
 public:
  // Throws std::invalid_argument when several servers are asked of an instance with no network.
  ServerAllReduce(const Catalog& catalog, const InstanceType& instance, int devices_per_node, int nodes);
  // Seconds to all-reduce a buffer of `bytes` on each device, on otherwise idle networks
  // (remembered per size: a training step asks for a few bucket sizes over and over).
  double seconds(double bytes) { return time(bytes).seconds; }
  struct Timing {
    double seconds = 0;
    // The fastest algorithm ("ring" or "tree" between servers, else "ring" or "direct" inside
    // one) and protocol, which the time is of ("" with no communication).
    std::string algorithm, protocol;
  };
  Timing time(double bytes);

  const Topology& fabric() const { return fabric_; }
  const Topology& network() const { return network_; }

 private:
  int devices_, nodes_;
  bool all_to_all_ = false;
  Topology fabric_, network_;
  // One per protocol the library may pick: its fixed cost and how its transfers cross each part.
  struct Option {
    std::string algorithm, protocol;
    double base_s = 0;
    ProtocolProfile fabric, network;
  };
  std::vector<Option> options_;
  std::map<double, Timing> memo_;
};

}  // namespace xpusim

#pragma once
// The collectives of data-parallel training on `nodes` servers of `devices` accelerators each, as
// NCCL and HCCL run them, made of flows on the servers' own fabric and on the network between
// them. An all-reduce (gradients):
//   1. reduce-scatter inside each server (a ring through the switch, or directly over every link
//      of an all-to-all fabric), leaving each device one shard of 1/devices of the buffer;
//   2. between servers, one all-reduce per shard among the devices holding it (a ring, or NCCL's
//      double binary tree), all shards of a server at once through the server's network link;
//   3. all-gather inside each server.
// A reduce-scatter (sharded gradients, as FSDP and ZeRO make them) is 1 and then a ring
// reduce-scatter per shard between servers; an all-gather (their parameters) the reverse.
// The fabric's and the network's catalog efficiency (the fraction of line rate a large collective
// reaches there) is each transfer's payload fraction, their step latency its per-message latency.
// On idle, symmetric networks a ring all-reduce gives the closed form
//   t0 + 2 (d-1)/d b / B_fabric + 2 (d-1) l_fabric + 2 (n-1)/n b / B_network + 2 (n-1) l_network
// (one fabric step instead of d-1 for direct phases; half of each term for a reduce-scatter or an
// all-gather), a tree 2 floor(log2 n) steps between servers in place of 2 (n-1); the flows are
// what let a network that is shared or oversubscribed slow it.
//
// On NVIDIA fabrics the algorithm between servers and the protocol set t0, the step latencies and
// the fraction of the bandwidth (collective_protocols.hpp): every pair is run and the fastest
// taken, as NCCL picks the one its model predicts fastest, so an 8-byte all-reduce costs LL's few
// us per step, a 1 GiB one reaches Simple's bandwidth, and hundreds of servers take a tree (for
// all-reduces only: NCCL runs the others in rings). A network step adds the network's latency to
// the protocol's. Gaudi's fabric (HCCL) has one protocol and rings: t0 = 0 and its catalog step
// latency.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/catalog/catalog.hpp"
#include "models/network/flow_network.hpp"

namespace xpusim {

enum class ServerCollectiveOp { all_reduce, reduce_scatter, all_gather };
// "all-reduce", "reduce-scatter", "all-gather".
const char* server_collective_name(ServerCollectiveOp op);
// The nccl-tests bus bandwidth factor of `op` among `ranks` (doc/PERFORMANCE.md): busbw = algbw x
// 2(n-1)/n for an all-reduce, (n-1)/n for the others.
double bus_bandwidth_factor(ServerCollectiveOp op, int ranks);

class ServerCollective {
 public:
  // Throws std::invalid_argument when several servers are asked of an instance with no network.
  ServerCollective(const Catalog& catalog, const InstanceType& instance, int devices_per_node, int nodes,
                   ServerCollectiveOp op = ServerCollectiveOp::all_reduce);
  // Seconds to run the collective on `bytes` per device (an all-reduce's buffer, a
  // reduce-scatter's input, an all-gather's output, as nccl-tests counts them), on otherwise idle
  // networks (remembered per size: a training step asks for a few bucket sizes over and over).
  double seconds(double bytes) { return time(bytes).seconds; }
  struct Timing {
    double seconds = 0;
    // The fastest algorithm ("ring" or "tree" between servers, else "ring" or "direct" inside
    // one) and protocol, which the time is of ("" with no communication).
    std::string algorithm, protocol;
  };
  Timing time(double bytes);
  // Keeps only `algorithm` ("ring" or "tree" between servers), as NCCL_ALGO does; throws
  // std::invalid_argument when none of the choices runs it.
  void only(const std::string& algorithm);

  const Topology& fabric() const { return fabric_; }
  const Topology& network() const { return network_; }

 private:
  int devices_, nodes_;
  ServerCollectiveOp op_;
  bool all_to_all_ = false;
  Topology fabric_, network_;
  // One per protocol the library may pick: its fixed cost and how its transfers cross each part.
  struct Option {
    std::string algorithm, protocol;
    double base_s = 0;
    ProtocolProfile fabric, network;
    std::optional<Topology> joint;  // every GPU of every server, for NCCL across servers
  };
  std::vector<Option> options_;
  std::map<double, Timing> memo_;
};

}  // namespace xpusim

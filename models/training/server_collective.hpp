#pragma once
// The collectives of data-parallel training on `nodes` servers of `devices` accelerators each, as
// NCCL and HCCL run them, made of flows on the servers' own fabric and on the network between
// them, on otherwise idle networks: all-reduce (gradients), reduce-scatter and all-gather (the
// sharded gradients and parameters of FSDP and ZeRO), broadcast (parameters from one rank) and
// all-to-all (the tokens of mixture-of-experts layers, the embeddings of recommendation models).
//
// In one server a ring through the switch (each step a flow; 2(d-1) steps of (d-1)/d of the
// buffer for an all-reduce), or direct phases over every link of an all-to-all fabric (Gaudi).
// Across servers:
// - NCCL (NVIDIA fabrics): one ring through every GPU of every server, or NCCL's tree (a chain
//   inside each server, its double binary tree between them), as streams on the servers' joint
//   topology (collective_flows.hpp: every hop at once, as a pipelined ring or tree runs) plus
//   NCCL's latency terms for the pipeline's fill. A ring passes through a server's NIC what it
//   passes over every NVLink hop, 2(N-1)/N of the buffer over N GPUs.
//   A broadcast is NCCL's pipelined chain from rank 0 through every GPU (a ring that does not
//   close); an all-to-all sends every piece at once (NCCL's grouped sends and receives), as
//   all_to_all_streams lays them out, in LL up to 16 KiB per peer and Simple above
//   (NCCL_P2P_LL_THRESHOLD, src/enqueue.cc); both run as streams on the joint topology in one
//   server too.
// - HCCL (Gaudi): reduce-scatter inside each server, a ring per shard between servers (all of a
//   server's shards at once through its NIC), all-gather inside; a reduce-scatter is the first
//   two, an all-gather the last two. A broadcast scatters the root's buffer over its server's
//   direct links, broadcasts each shard along a chain of servers, and all-gathers inside every
//   server; an all-to-all sends the pieces for the server's own GPUs over the direct links while
//   those for other servers cross the network (disjoint links, so the slower of the two sets the
//   time).
// The fabric's and the network's catalog efficiency (the fraction of line rate a large collective
// reaches there) sets each transfer's share of the line rate, the protocol's step latency its
// latency. On idle, symmetric networks an NCCL ring all-reduce thus takes
//   t0 + 2 (N-1)/N b / min(B_fabric, B_network) + 2 (N-n) l_fabric + 2 (n-1) l_network
// (in one server n = 1 and B_fabric alone), a tree 2 (d-1) l_fabric + 2 depth l_network in
// latency; a reduce-scatter or all-gather half a ring all-reduce. The flows are what make a
// tree's uneven load on the NICs, or a fabric of direct links, cost what it does.
//
// In one server of Hopper GPUs under NVSwitch an all-reduce may also run on NVLink SHARP (NCCL's
// NVLS): the switch reduces and multicasts, each GPU moves b (1 + 1/d) over its links each way at
// the fabric's NVLS efficiency, after NCCL's fixed 25 us; it wins from about 1 MiB up.
//
// On NVIDIA fabrics the algorithm and the protocol set t0, the step latencies and the fraction of
// the bandwidth (collective_protocols.hpp, for this many servers and GPUs per server and the
// instance's host CPU vendor; LL's cap bounds every link's rate): every pair is run and the
// fastest taken, as NCCL picks the one its model predicts fastest, so an 8-byte all-reduce costs
// LL's few us per step, a 1 GiB one reaches Simple's bandwidth, and many servers take a tree for
// small buffers (for all-reduces only: NCCL runs the others in rings). A step between servers adds the network's
// latency to the protocol's. Gaudi's HCCL has one protocol: t0 = 0 and its catalog step latency.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/catalog/catalog.hpp"
#include "models/network/flow_network.hpp"
#include "models/network/nvlink_paths.hpp"

namespace xpusim {

enum class ServerCollectiveOp { all_reduce, reduce_scatter, all_gather, broadcast, all_to_all };
// "all-reduce", "reduce-scatter", "all-gather", "broadcast", "all-to-all".
const char* server_collective_name(ServerCollectiveOp op);
// The nccl-tests bus bandwidth factor of `op` among `ranks` (doc/PERFORMANCE.md): busbw = algbw x
// 2(n-1)/n for an all-reduce, 1 for a broadcast, (n-1)/n for the others.
double bus_bandwidth_factor(ServerCollectiveOp op, int ranks);

// An all-to-all runs N (d + n - 2) transfers at once over n servers of d devices (N = n d):
// 137,000 on 128 servers of 8 (0.2 s), 2.1 million on 512 (7 s, 1.3 GB), 8.4 million on 1,024
// (46 s, 5 GB). Beyond this many servers it is refused rather than left to run that long.
constexpr int kAllToAllMaxServers = 512;

class ServerCollective {
 public:
  // On `devices_per_node` accelerators of each server: those numbered `devices` (as CUDA numbers
  // them; a mesh fabric gives a subset only the links among it), or with none given the first
  // ones. Throws std::invalid_argument when the server has no such accelerators, several servers
  // are asked of an instance with no network, or an all-to-all of more than kAllToAllMaxServers
  // servers.
  ServerCollective(const Catalog& catalog, const InstanceType& instance, int devices_per_node, int nodes,
                   ServerCollectiveOp op = ServerCollectiveOp::all_reduce, std::vector<int> devices = {});
  // Seconds to run the collective on `bytes` per device (an all-reduce's or a broadcast's buffer,
  // a reduce-scatter's input, an all-gather's output, an all-to-all's send buffer, as nccl-tests
  // counts them), on otherwise idle
  // networks (remembered per size: a training step asks for a few bucket sizes over and over).
  double seconds(double bytes) { return time(bytes).seconds; }
  struct Timing {
    double seconds = 0;
    // The fastest algorithm ("ring" or "tree" between servers, else "ring", "direct" or, for an
    // all-reduce on NVLink SHARP, "nvls" inside one; "direct" for an all-to-all) and protocol,
    // which the time is of ("" with no communication).
    std::string algorithm, protocol;
  };
  Timing time(double bytes);
  // Keeps only `algorithm` ("ring", "tree" or "nvls"), as NCCL_ALGO does; throws
  // std::invalid_argument when none of the choices runs it.
  void only(const std::string& algorithm);
  bool offers(const std::string& algorithm) const;

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
    std::optional<NvlinkPaths> pairs;  // an all-to-all on a mesh of NVLinks: its GPUs' paths
  };
  std::vector<Option> options_;
  std::map<double, Timing> memo_;
};

}  // namespace xpusim

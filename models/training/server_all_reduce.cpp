#include "models/training/server_all_reduce.hpp"

#include <numeric>
#include <stdexcept>

#include "models/network/collective_flows.hpp"
#include "models/network/topology_generators.hpp"

namespace xpusim {

namespace {

// A collective's achieved fraction of line rate as the payload fraction of every transfer.
ProtocolProfile achieved(const std::string& name, double efficiency, double latency_s) {
  ProtocolProfile p;
  p.name = name;
  p.description = "collective traffic: achieved fraction of line rate and per-step latency from the catalog";
  p.packet_payload_bytes = efficiency;
  p.packet_overhead_bytes = 1 - efficiency;
  p.endpoint_latency_s = latency_s;
  return p;
}

double run_phase(const Topology& topology, const TransferPlan& plan, const ProtocolProfile& protocol) {
  std::vector<int> ranks(topology.hosts().size());
  std::iota(ranks.begin(), ranks.end(), 0);
  FlowNetwork net(topology);
  return run_plan(net, plan, ranks, protocol, 0);
}

}  // namespace

ServerAllReduce::ServerAllReduce(const Catalog& catalog, const InstanceType& instance, int devices_per_node, int nodes)
    : devices_(devices_per_node), nodes_(nodes) {
  if (devices_ > 1) {
    if (!instance.accelerators) throw std::invalid_argument("instance \"" + instance.name + "\" has no accelerators");
    const Fabric& f = catalog.fabric(instance.accelerators->fabric);
    all_to_all_ = f.all_to_all;
    // Links carry no latency of their own: the fabric's step latency is the whole of it.
    fabric_ = all_to_all_ ? all_to_all(devices_, f.device_bytes_per_s / (devices_ - 1), 0, "device")
                          : star(devices_, f.device_bytes_per_s, 0, "device", "switch");
    fabric_protocol_ = achieved(f.name, f.efficiency, f.step_latency_s);
  }
  if (nodes_ > 1) {
    if (instance.network.empty())
      throw std::invalid_argument("instance \"" + instance.name + "\" has no network to other servers");
    const NetworkKind& n = catalog.network(instance.network);
    network_ = star(nodes_, instance.network_gbps * 1e9 / 8, 0, "server", "top-of-rack");
    network_protocol_ = achieved(n.name, n.efficiency, n.latency_s);
  }
}

double ServerAllReduce::seconds(double bytes) {
  if (devices_ * nodes_ <= 1 || bytes <= 0) return 0;
  if (auto it = memo_.find(bytes); it != memo_.end()) return it->second;
  double total = 0;
  if (devices_ > 1) {
    const CollectiveAlgorithm rs = all_to_all_ ? CollectiveAlgorithm::direct_reduce_scatter : CollectiveAlgorithm::ring_reduce_scatter;
    const CollectiveAlgorithm ag = all_to_all_ ? CollectiveAlgorithm::direct_all_gather : CollectiveAlgorithm::ring_all_gather;
    total += run_phase(fabric_, collective_plan(rs, devices_, bytes), fabric_protocol_);
    total += run_phase(fabric_, collective_plan(ag, devices_, bytes), fabric_protocol_);
  }
  if (nodes_ > 1) {
    const TransferPlan shard_ring = collective_plan(CollectiveAlgorithm::ring_all_reduce, nodes_, bytes / devices_);
    total += run_phase(network_, repeat_plan(shard_ring, devices_), network_protocol_);
  }
  return memo_[bytes] = total;
}

}  // namespace xpusim

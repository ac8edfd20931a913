#include "models/training/server_collective.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "models/network/collective_flows.hpp"
#include "models/network/nvlink_paths.hpp"
#include "models/network/nvlink_rings.hpp"
#include "models/network/topology_generators.hpp"
#include "models/training/collective_protocols.hpp"

namespace xpusim {

namespace {

// NCCL sends a peer's piece in LL up to this many bytes (NCCL_P2P_LL_THRESHOLD's default, per
// channel; src/enqueue.cc), in Simple above.
constexpr double kP2pLlThresholdBytes = 16384;

// A collective's achieved fraction of line rate as the payload fraction of every transfer.
ProtocolProfile achieved(const std::string& name, double efficiency, double latency_s) {
  ProtocolProfile p;
  p.name = name;
  p.description = "collective traffic: achieved fraction of line rate and per-step latency of its protocol";
  p.packet_payload_bytes = efficiency;
  p.packet_overhead_bytes = 1 - efficiency;
  p.endpoint_latency_s = latency_s;
  return p;
}

// What each of a server's `count` devices can send at once over the fabric when `used` of them
// (as CUDA numbers them) take part. Through a switch, all of its links; over direct links (Gaudi's
// one port per pair), only those to the devices used; over a mesh, the rings those devices' links
// make (a mesh of 8 V100 gives 8 GPUs six rings of one link, GPUs 0 and 1 one), or one ring across
// the host where they make none.
double usable_bytes_per_s(const Fabric& f, int count, const std::vector<int>& used) {
  const int devices = static_cast<int>(used.size());
  if (f.all_to_all) return f.device_bytes_per_s / (count - 1) * (devices - 1);
  if (f.mesh.empty()) return f.device_bytes_per_s;
  const int rings = nvlink_rings(f.mesh, used);
  return rings > 0 ? rings * f.link_bytes_per_s : f.host_bytes_per_s;
}

double run_phase(const Topology& topology, const TransferPlan& plan, const ProtocolProfile& protocol) {
  std::vector<int> ranks(topology.hosts().size());
  std::iota(ranks.begin(), ranks.end(), 0);
  FlowNetwork net(topology);
  return run_plan(net, plan, ranks, protocol, 0);
}

// Every GPU sends `bytes` to every other at once, each transfer on its own path (an all-to-all's
// pieces over NCCL's point-to-point paths); the time until the last arrives.
double run_pairs(const NvlinkPaths& mesh, double bytes) {
  FlowNetwork net(mesh.topology);
  for (const auto& from : mesh.paths)
    for (const auto& path : from)
      if (!path.empty()) net.start_on_path(0, path, bytes, ideal_protocol());
  net.run_until_idle();
  return net.now();
}

}  // namespace

const char* server_collective_name(ServerCollectiveOp op) {
  switch (op) {
    case ServerCollectiveOp::all_reduce: return "all-reduce";
    case ServerCollectiveOp::reduce_scatter: return "reduce-scatter";
    case ServerCollectiveOp::all_gather: return "all-gather";
    case ServerCollectiveOp::broadcast: return "broadcast";
    case ServerCollectiveOp::all_to_all: return "all-to-all";
  }
  return "?";
}

double bus_bandwidth_factor(ServerCollectiveOp op, int ranks) {
  const double factor = (ranks - 1.0) / ranks;
  if (op == ServerCollectiveOp::broadcast) return 1;
  return op == ServerCollectiveOp::all_reduce ? 2 * factor : factor;
}

ServerCollective::ServerCollective(const Catalog& catalog, const InstanceType& instance, int devices_per_node, int nodes,
                                   ServerCollectiveOp op, std::vector<int> devices)
    : devices_(devices_per_node), nodes_(nodes), op_(op) {
  if (devices_ > 1 && (!instance.accelerators || instance.accelerators->fabric.empty()))
    throw std::invalid_argument("instance \"" + instance.name + "\" has no fabric between accelerators");
  if (nodes_ > 1 && instance.network.empty())
    throw std::invalid_argument("instance \"" + instance.name + "\" has no network to other servers");
  if (op_ == ServerCollectiveOp::all_to_all && nodes_ > kAllToAllMaxServers)
    throw std::invalid_argument("an all-to-all runs on at most " + std::to_string(kAllToAllMaxServers) + " servers");
  const Fabric* f = instance.accelerators && !instance.accelerators->fabric.empty()
                        ? &catalog.fabric(instance.accelerators->fabric)
                        : nullptr;
  const NetworkKind* n = nodes_ > 1 ? &catalog.network(instance.network) : nullptr;
  if (devices.empty()) devices = device_range(devices_);
  if (devices_ > 1) {
    const int count = instance.accelerators->count;
    std::vector<int> sorted = devices;
    std::sort(sorted.begin(), sorted.end());
    if (static_cast<int>(devices.size()) != devices_ || sorted.front() < 0 || sorted.back() >= count ||
        std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      throw std::invalid_argument("instance \"" + instance.name + "\" has accelerators 0 to " + std::to_string(count - 1) +
                                  ", not " + std::to_string(devices_) + " distinct ones from " +
                                  std::to_string(sorted.front()) + " to " + std::to_string(sorted.back()));
  }
  // A fabric is modelled by the bandwidth the devices used get from it: a star of that many
  // (direct links on Gaudi).
  const double device_bytes_per_s = devices_ > 1 ? usable_bytes_per_s(*f, instance.accelerators->count, devices) : 0;
  if (devices_ > 1) {
    all_to_all_ = f->all_to_all;
    // Links carry no latency of their own: the protocol's step latency is the whole of it.
    fabric_ = all_to_all_ ? all_to_all(devices_, device_bytes_per_s / (devices_ - 1), 0, "device")
                          : star(devices_, device_bytes_per_s, 0, "device", "switch");
  }
  if (nodes_ > 1 && f && f->nccl_gpus.empty()) network_ = star(nodes_, instance.network_gbps * 1e9 / 8, 0, "server", "top-of-rack");
  const std::string inside = all_to_all_ || op_ == ServerCollectiveOp::all_to_all ? "direct" : "ring";
  if (f && f->nccl_gpus.empty()) {  // the fabric's own library, one protocol
    Option o{inside, "HCCL", 0, achieved(f->name, f->efficiency, f->step_latency_s), {}, {}, {}};
    if (n) {
      if (op_ != ServerCollectiveOp::all_to_all) o.algorithm = "ring";
      o.network = achieved(n->name, n->efficiency, n->latency_s);
    }
    options_.push_back(std::move(o));
    return;
  }
  // NCCL. One GPU per server has no fabric to say which: its LL and Simple, which run anywhere.
  auto fabric = [&](const CollectiveProtocol& p, double factor, double step_s) {
    if (!f) return ProtocolProfile{};
    const double efficiency = std::min(f->efficiency * factor, p.busbw_cap_bytes_per_s / device_bytes_per_s);
    return achieved(f->name + " " + p.name, efficiency, step_s);
  };
  auto network = [&](const CollectiveProtocol& p, double factor, double step_s) {
    if (!n) return ProtocolProfile{};
    const double efficiency = std::min(n->efficiency * factor, p.busbw_cap_bytes_per_s / (instance.network_gbps * 1e9 / 8));
    return achieved(n->name + " " + p.name, efficiency, step_s + n->latency_s);
  };
  const NcclScope scope{.nodes = nodes_, .gpus_per_node = devices_, .host_cpu_vendor = instance.host_cpu_vendor};
  for (const CollectiveProtocol& p : nccl_protocols(f ? f->nccl_gpus : "pascal", f ? f->over_pcie : true, scope)) {
    if (op_ == ServerCollectiveOp::all_to_all && p.name == "LL128") continue;  // sends and receives: LL or Simple
    options_.push_back({n && op_ != ServerCollectiveOp::all_to_all ? "ring" : inside, p.name, p.base_latency_s, fabric(p, p.bandwidth_factor, p.fabric_step_s),
                        network(p, p.bandwidth_factor, p.network_step_s), {}, {}});
    if (n && op_ == ServerCollectiveOp::all_reduce)
      options_.push_back({"tree", p.name, p.tree_base_latency_s, fabric(p, p.tree_bandwidth_factor, p.tree_fabric_step_s),
                          network(p, p.tree_bandwidth_factor, p.tree_network_step_s), {}, {}});
  }
  // NVLink SHARP in one server, for all-reduces (NCCL runs other collectives in rings; measured,
  // they reach the ring's bus bandwidth): the switch's reduction and multicast have their own
  // efficiency.
  if (!n && devices_ > 1 && f->nvls_efficiency > 0 && op_ == ServerCollectiveOp::all_reduce)
    options_.push_back({"nvls", "Simple", kNcclNvlsLatencyS, achieved(f->name + " NVLS", f->nvls_efficiency, 0), {}, {}, {}});
  // Across servers NCCL runs one ring through every GPU, or its tree (a chain inside each server,
  // a double binary tree between them), pipelined: pieces stream through NVLink and the network
  // at once. A ring passes through each server's NIC what it passes over every NVLink hop,
  // 2(N-1)/N of the buffer for an all-reduce over N GPUs (not the 2(n-1)/n of n servers); on two
  // servers a tree passes half that. These run as streams (collective_flows.hpp) on the servers'
  // joint topology, the option's efficiencies as its link rates; the fill costs NCCL's latency
  // terms (tuning.cc): a ring's steps at the fabric's step latency but the 2(n-1) that cross
  // servers, a tree's 2(d-1) chain hops and twice its depth in edges between servers.
  // (With one GPU per server its link to the NIC is taken to be as fast as the NIC.) A broadcast
  // and an all-to-all run so in one server too (its link to the network then carries nothing).
  // But an all-to-all in one server whose NVLinks form a mesh sends each piece on NCCL's
  // point-to-point path (models/network/nvlink_paths.hpp).
  if (!n && devices_ > 1 && op_ == ServerCollectiveOp::all_to_all && !f->mesh.empty()) {
    for (Option& o : options_)
      o.pairs = nvlink_paths(f->mesh, devices, f->link_bytes_per_s * o.fabric.efficiency(),
                             f->host_bytes_per_s * o.fabric.efficiency());
    return;
  }
  if (n || (devices_ > 1 && (op_ == ServerCollectiveOp::broadcast || op_ == ServerCollectiveOp::all_to_all)))
    for (Option& o : options_) {
      const double server_bytes_per_s =
          n ? instance.network_gbps * 1e9 / 8 * o.network.efficiency() : device_bytes_per_s * o.fabric.efficiency();
      o.joint = servers({.servers = nodes_, .devices = devices_,
                         .device_bytes_per_s = devices_ > 1 ? device_bytes_per_s * o.fabric.efficiency() : server_bytes_per_s,
                         .device_latency_s = 0, .server_bytes_per_s = server_bytes_per_s, .server_latency_s = 0});
    }
}

void ServerCollective::only(const std::string& algorithm) {
  std::erase_if(options_, [&](const Option& o) { return o.algorithm != algorithm; });
  if (options_.empty())
    throw std::invalid_argument(algorithm == "tree"   ? "the tree is NCCL's, for all-reduces between servers of NVIDIA GPUs"
                                : algorithm == "nvls" ? "NVLink SHARP runs all-reduces inside one server of Hopper GPUs"
                                                      : "no " + algorithm + " runs this collective");
  memo_.clear();
}

bool ServerCollective::offers(const std::string& algorithm) const {
  return std::any_of(options_.begin(), options_.end(), [&](const Option& o) { return o.algorithm == algorithm; });
}

ServerCollective::Timing ServerCollective::time(double bytes) {
  if (devices_ * nodes_ <= 1 || bytes <= 0) return {};
  if (auto it = memo_.find(bytes); it != memo_.end()) return it->second;
  Timing best{std::numeric_limits<double>::infinity(), "", ""};
  const bool reduce = op_ != ServerCollectiveOp::all_gather, gather = op_ != ServerCollectiveOp::reduce_scatter;
  const auto inside = [&](bool reducing) {
    if (all_to_all_) return reducing ? CollectiveAlgorithm::direct_reduce_scatter : CollectiveAlgorithm::direct_all_gather;
    return reducing ? CollectiveAlgorithm::ring_reduce_scatter : CollectiveAlgorithm::ring_all_gather;
  };
  const auto ring_kind = [&] {
    return op_ == ServerCollectiveOp::all_reduce       ? CollectiveAlgorithm::ring_all_reduce
           : op_ == ServerCollectiveOp::reduce_scatter ? CollectiveAlgorithm::ring_reduce_scatter
                                                       : CollectiveAlgorithm::ring_all_gather;
  };
  for (const Option& o : options_) {
    double total = o.base_s;
    if (o.pairs) {
      if (o.protocol == "LL" && bytes / devices_ > kP2pLlThresholdBytes) continue;
      total += o.fabric.endpoint_latency_s + run_pairs(*o.pairs, bytes / devices_);
      if (total < best.seconds) best = {total, "direct", o.protocol};
      continue;
    }
    if (o.joint) {
      const double fabric_step = o.fabric.endpoint_latency_s, network_step = o.network.endpoint_latency_s;
      const int ranks = devices_ * nodes_;
      if (o.algorithm == "tree") {
        total += 2 * (devices_ - 1) * fabric_step + 2 * nccl_tree_depth(nodes_) * network_step;
        total += run_phase(*o.joint, nccl_tree_streams(nodes_, devices_, bytes), ideal_protocol());
      } else if (op_ == ServerCollectiveOp::broadcast) {  // a chain: ranks - 1 hops, nodes - 1 of them between servers
        TransferPlan chain = ring_streams(ranks, bytes);
        chain.pop_back();
        total += (ranks - nodes_) * fabric_step + (nodes_ - 1) * network_step;
        total += run_phase(*o.joint, chain, ideal_protocol());
      } else if (op_ == ServerCollectiveOp::all_to_all) {  // every piece at once: one step
        if (o.protocol == "LL" && bytes / ranks > kP2pLlThresholdBytes) continue;
        total += nodes_ > 1 ? network_step : fabric_step;
        total += run_phase(*o.joint, all_to_all_streams(nodes_, devices_, bytes), ideal_protocol());
      } else {
        const int rounds = op_ == ServerCollectiveOp::all_reduce ? 2 : 1;  // steps: rounds x (ranks - 1)
        total += rounds * ((ranks - nodes_) * fabric_step + (nodes_ - 1) * network_step);
        total += run_phase(*o.joint, ring_streams(ranks, rounds * (ranks - 1.0) / ranks * bytes), ideal_protocol());
      }
      if (total < best.seconds) best = {total, o.algorithm, o.protocol};
      continue;
    }
    if (o.algorithm == "nvls") {  // every GPU moves b (1 + 1/d) to and from the switch at once
      total += run_phase(fabric_, ring_streams(devices_, (1 + 1.0 / devices_) * bytes), o.fabric);
      if (total < best.seconds) best = {total, o.algorithm, o.protocol};
      continue;
    }
    if (op_ == ServerCollectiveOp::all_to_all) {  // HCCL: the fabric and the network at once
      const double own = devices_ > 1 ? run_phase(fabric_, collective_plan(CollectiveAlgorithm::all_to_all, devices_,
                                                                           bytes * devices_ / (devices_ * nodes_)),
                                                  o.fabric)
                                      : 0;
      const double others =
          nodes_ > 1 ? run_phase(network_, collective_plan(CollectiveAlgorithm::all_to_all, nodes_, bytes * devices_), o.network)
                     : 0;
      total += std::max(own, others);
    } else {
      const bool broadcast = op_ == ServerCollectiveOp::broadcast;
      if (devices_ > 1 && broadcast) {  // HCCL: the root scatters its buffer over its direct links
        TransferPlan scatter;
        for (int i = 1; i < devices_; ++i) scatter.push_back({0, i, bytes / devices_, {}});
        total += run_phase(fabric_, scatter, o.fabric);
      }
      if (devices_ > 1 && reduce && !broadcast)
        total += run_phase(fabric_, collective_plan(inside(true), devices_, bytes), o.fabric);
      if (nodes_ > 1) {  // HCCL: a ring (a chain for a broadcast) per shard between servers
        const TransferPlan shard = collective_plan(broadcast ? CollectiveAlgorithm::broadcast : ring_kind(), nodes_, bytes / devices_);
        total += run_phase(network_, repeat_plan(shard, devices_), o.network);
      }
      if (devices_ > 1 && gather) total += run_phase(fabric_, collective_plan(inside(false), devices_, bytes), o.fabric);
    }
    if (total < best.seconds) best = {total, o.algorithm, o.protocol};
  }
  return memo_[bytes] = best;
}

}  // namespace xpusim

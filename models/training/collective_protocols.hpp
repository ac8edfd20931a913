#pragma once
// The protocols NCCL can run a collective with, and what each costs, with the constants of NCCL's
// own tuning model (NVIDIA/nccl src/graph/tuning.cc: baseLatencies, the ring and tree rows of
// hwLatencies, llMaxBws, and its bandwidth refinements):
// - LL: 8-byte stores carrying 4 bytes of data and a 4-byte flag, so a receiver polls its buffer
//   instead of waiting on a fence: the lowest latency per step, half the bandwidth, and a cap on
//   bus bandwidth per GPU generation.
// - LL128: 128-byte lines carrying 120 bytes of data; NCCL enables it over NVLink only, on Volta
//   and newer.
// - Simple: plain copies and a fence per step; all the bandwidth, the highest latency per step.
// Between servers NCCL runs a ring or, from NCCL 2.4 on, a double binary tree, whose depth grows
// with the log of the servers where a ring's steps grow with their number; each protocol has its
// constants for both. NCCL picks, per call, the algorithm and protocol its model predicts fastest
// for the size and the ranks, so small all-reduces run LL, large ones Simple, and many servers a
// tree.
#include <limits>
#include <string>
#include <vector>

namespace xpusim {

struct CollectiveProtocol {
  std::string name;
  double bandwidth_factor = 1;  // of what large (Simple) collectives achieve
  // Bus bandwidth (nccl-tests' busbw) the protocol cannot pass inside one server.
  double busbw_cap_bytes_per_s = std::numeric_limits<double>::infinity();
  double base_latency_s = 0;   // once per collective (launch and setup)
  double fabric_step_s = 0;    // per ring step over the server's NVLink or PCIe
  double network_step_s = 0;   // per ring step between servers, before the network's own latency
  // The same with a tree between servers: its fraction of what large collectives achieve, and
  // its latencies (a step inside a server is a hop of the chain that joins the server's GPUs).
  double tree_bandwidth_factor = 1;
  double tree_base_latency_s = 0, tree_fabric_step_s = 0, tree_network_step_s = 0;
};

// The GPU generations NCCL's tables distinguish ("pascal", "volta", "ampere", "hopper").
const std::vector<std::string>& nccl_gpu_generations();
// The protocols NCCL enables for GPUs of `generation` joined by NVLink, or by PCIe (over_pcie).
// Throws std::invalid_argument for a generation it does not know.
std::vector<CollectiveProtocol> nccl_protocols(const std::string& generation, bool over_pcie);
// The protocol of that set named `name` (throws std::invalid_argument when it is not enabled).
CollectiveProtocol nccl_protocol(const std::string& generation, bool over_pcie, const std::string& name);

}  // namespace xpusim

#pragma once
// The protocols NCCL can run a collective with, and what each costs, with the constants of NCCL's
// own tuning model (NVIDIA/nccl src/graph/tuning.cc: baseLatencies, the ring and tree rows of
// hwLatencies, llMaxBws, and its bandwidth refinements):
// - LL: 8-byte stores carrying 4 bytes of data and a 4-byte flag, so a receiver polls its buffer
//   instead of waiting on a fence: the lowest latency per step, half the bandwidth, and a cap on
//   bus bandwidth.
// - LL128: 128-byte lines carrying 120 bytes of data; NCCL enables it over NVLink only, on Volta
//   and newer.
// - Simple: plain copies and a fence per step; all the bandwidth, the highest latency per step.
// Between servers NCCL runs a ring or, from NCCL 2.4 on, a double binary tree, whose depth grows
// with the log of the servers where a ring's steps grow with their number; each protocol has its
// constants for both. NCCL picks, per call, the algorithm and protocol its model predicts fastest
// for the size and the ranks, so small all-reduces run LL, large ones Simple, and many servers a
// tree.
// Across servers the host CPU counts too: a ring's every step waits on the proxy thread that
// drives the network (NCCL's netOverhead: 1 us on Intel hosts, 2 us on AMD, three times that for
// Simple), and LL's bus bandwidth cap is set by the host's vendor and the server count rather
// than by the GPU generation. With one GPU per server nothing hides the network's latency: a
// ring's step between servers costs a tree's.
#include <limits>
#include <string>
#include <vector>

namespace xpusim {

struct CollectiveProtocol {
  std::string name;
  double bandwidth_factor = 1;  // of what large (Simple) collectives achieve
  // Bus bandwidth (nccl-tests' busbw) the protocol cannot pass: inside one server per GPU
  // generation, across servers per host CPU vendor and server count (LL's llMaxBws).
  double busbw_cap_bytes_per_s = std::numeric_limits<double>::infinity();
  double base_latency_s = 0;   // once per collective (launch and setup)
  // Per ring step over the server's NVLink or PCIe (no less than the host's netOverhead when
  // the ring crosses servers).
  double fabric_step_s = 0;
  double network_step_s = 0;   // per ring step between servers, before the network's own latency
  // The same with a tree between servers: its fraction of what large collectives achieve, and
  // its latencies (a step inside a server is a hop of the chain that joins the server's GPUs).
  double tree_bandwidth_factor = 1;
  double tree_base_latency_s = 0, tree_fabric_step_s = 0, tree_network_step_s = 0;
};

// NVLink SHARP (NVLS) on Hopper's NVSwitch: the switch reduces what the GPUs load from it and
// multicasts what they store, so an all-reduce moves b (1 + 1/n) over each GPU's links each way
// where a ring moves 2 (n-1)/n b. NCCL runs it with Simple only, at a fixed 25 us inside one
// server (tuning.cc: NVLS's NVLink latency, no base latency).
constexpr double kNcclNvlsLatencyS = 25e-6;

// What NCCL's tuning takes from the job besides its GPUs and their links.
struct NcclScope {
  int nodes = 1;
  int gpus_per_node = 1;
  std::string host_cpu_vendor = "intel";  // "intel", "amd" or "unknown" (tuned as Intel)
};

// The GPU generations NCCL's tables distinguish ("pascal", "volta", "ampere", "hopper").
const std::vector<std::string>& nccl_gpu_generations();
// The protocols NCCL enables for GPUs of `generation` joined by NVLink, or by PCIe (over_pcie),
// with their costs for a job of `scope`. Throws std::invalid_argument for a generation or a host
// CPU vendor it does not know.
std::vector<CollectiveProtocol> nccl_protocols(const std::string& generation, bool over_pcie, const NcclScope& scope = {});
// The protocol of that set named `name` (throws std::invalid_argument when it is not enabled).
CollectiveProtocol nccl_protocol(const std::string& generation, bool over_pcie, const std::string& name,
                                 const NcclScope& scope = {});

}  // namespace xpusim

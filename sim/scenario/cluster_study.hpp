#pragma once
// A pooled-GPU cluster study (`xpusim run` on a file with a "cluster"): client VMs and GPU servers
// on one network, jobs from the model zoo each on a remote GPU or a fraction of one. Every job runs
// through the remote-GPU model (models/remote) and, alone, on a local GPU of the same kind for its
// slowdown.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/catalog/catalog.hpp"
#include "models/remote/gpu_pool.hpp"
#include "models/training/data_parallel.hpp"
#include "sim/engine/json_input.hpp"
#include "workloads/graph.hpp"

namespace xpusim {

struct ClusterServer {
  std::string name, instance;
  double nic_gbps = 0;  // default: the instance's network
  int rack = 0;         // index in ClusterStudy::racks (0 without racks)
  int gpus_per_pcie_switch = 0;  // GPUs sharing each PCIe switch's uplink; 0: lanes of their own
};

struct ClusterClient {
  std::string name, instance;  // instance: only for the price (may be empty)
  double nic_gbps = 0;
  int rack = 0;
};

// A rack of its own top-of-rack switch, joined to the others through one uplink to a spine.
struct ClusterRack {
  std::string name;
  double uplink_gbps = 0;
};

struct ClusterJob {
  std::string name, client;
  std::string server;   // empty: the pool places the job when it arrives (ClusterStudy::placement)
  // Data-parallel over this many GPUs of one server (Bitfusion's `-n`); `batch` is per GPU, and
  // training all-reduces its gradients over the server's fabric.
  int gpus = 1;
  // On `server`: its replicas' GPUs, in order ("gpu": the first of consecutive ones, or a list, as
  // CUDA_VISIBLE_DEVICES names them); empty when the pool places the job.
  std::vector<int> gpu_ids;
  GradientBuckets buckets;  // how such a training job batches its gradients (DDP or Horovod)
  double fraction = 1;  // of each GPU's memory (Bitfusion: compute is shared, not partitioned)
  double submit_s = 0;
  std::string model;
  Mode mode = Mode::training;
  Precision precision = Precision::fp16;
  int64_t batch = 32, seq_len = 0;
  int iterations = 5;
};

// One network to run the cluster on: its protocol and, where set, every NIC's speed.
struct NetworkVariant {
  std::string label, protocol = "tcp";
  double link_latency_us = 2;      // each NIC link: propagation and the switch
  double client_nic_gbps = 0, server_nic_gbps = 0;  // 0: as each client or server says
  double uplink_gbps = 0;                            // 0: as each rack says
};

struct ClusterStudy {
  std::vector<NetworkVariant> networks;  // the cluster's own, or the file's "networks" to compare
  double pcie_gbytes_per_s = 12;   // PCIe 3.0 x16 host-to-device copies
  RemotingCosts remoting;
  SharingPolicy sharing;
  PoolPlacement placement = PoolPlacement::pack;
  std::string price_date;          // empty: latest prices
  std::vector<ClusterServer> servers;
  std::vector<ClusterClient> clients;
  std::vector<ClusterRack> racks;  // none: one top-of-rack switch for every server and client
  std::vector<ClusterJob> jobs;
};

// Strict: unknown keys and names, fractions outside (0, 1] or summing past 1 on one GPU (among
// the jobs placed by hand), GPUs a server does not have, non-positive bandwidths, jobs left to the
// pool's placement when the servers' GPUs differ: InputErrors naming the file and JSON pointer.
ClusterStudy parse_cluster_study(const JsonView& root, const Catalog& catalog);
nlohmann::json resolved_config(const ClusterStudy& study);

// The pool's placements by name ("pack", "spread", "near"): the one named, or none.
std::optional<PoolPlacement> placement_named(const std::string& name);
const char* placement_name(PoolPlacement placement);

struct ClusterJobResult {
  ClusterJob job;
  std::string gpu;  // where it ran, "<server>/gpu<i>" (several: "<server>/gpu<i>+gpu<j>...")
  double start_s = 0, finish_s = 0;
  bool fits = true;
  double memory_gib_needed = 0, memory_gib_share = 0;
  double iteration_ms = 0, local_iteration_ms = 0, slowdown = 0, throughput_per_s = 0;
};

struct ClusterUtilization {
  std::string name;
  double capacity = 0;      // GPU: 1; link: Gbit/s
  double utilization = 0;   // busy time / makespan (link: busier direction)
};

struct ClusterStudyResult {
  std::string network, placement;
  std::vector<ClusterJobResult> jobs;
  // nics: every client's and server's NIC, then the servers' PCIe switch uplinks and the racks'.
  std::vector<ClusterUtilization> gpus, nics;
  double makespan_s = 0;
  double usd_per_hour = 0;              // every server and priced client
  double usd_per_million_samples = 0;   // at the jobs' combined throughput
  std::vector<std::string> unpriced;    // instances without a price
};

// One result per network variant, in the file's order, all with the study's placement.
std::vector<ClusterStudyResult> run_cluster_study(const Catalog& catalog, const ClusterStudy& study);

}  // namespace xpusim

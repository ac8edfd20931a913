#pragma once
// GPUs used over the network by API remoting (VMware Bitfusion, rCUDA): the client's CUDA calls
// are intercepted and sent to the GPU server, which makes them for real.
//
// Each tenant runs iterations of one job. An iteration:
//   1. copies its input batch to the GPU: the data is a flow from the client's NIC through the
//      server's NIC and PCIe to the GPU, then a response comes back (cudaMemcpy is synchronous);
//   2. launches its kernels in order, asynchronously: each launch is a request flow to the server,
//      which makes the call (server cost) and acknowledges it; the client issues one launch per
//      framework dispatch interval plus its interception cost, and stops when `launch_window`
//      launches are unacknowledged;
//   3. synchronizes: a request the server answers once the tenant's kernels have all run;
//   4. copies its outputs back (a request, then the data as a flow to the client).
// A local GPU is the same with the client on the server (its flows cross PCIe only) and no
// remoting costs, so that slowdowns compare like with like.
//
// A job on several GPUs (Bitfusion's `-n`, data-parallel) is one tenant per GPU, its replicas: they
// are placed together on distinct GPUs of one server, and each runs its share of the iteration
// over the same client NIC. Their gradients are all-reduced bucket by bucket over the server's
// own fabric (where that is the server's PCIe switch, as a ring of flows among their GPUs that
// shares the PCIe links with every copy), on a stream of their own (as NCCL runs beside the
// compute stream): a bucket's
// all-reduce starts once every replica has run the kernel that completes it and the previous
// bucket's is done (Horovod: and its background cycle comes round), overlapping the rest of
// backward; each replica's optimizer (`update_kernel`) waits for the last one.
//
// On the GPU each tenant's kernels run in order (one stream); kernels of different tenants run at
// once and slow each other per the interference model (models/remote/interference.hpp). Memory is
// partitioned (Bitfusion fractions), compute is not. Every message shares the network with every
// other flow, so clients behind one NIC, or many clients of one server, contend.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/network/flow_network.hpp"
#include "models/remote/interference.hpp"

namespace xpusim {

// What API remoting adds to every intercepted call. Estimates (no measured breakdown published):
// a few hundred bytes per launch (kernel handle, grid, arguments), a short acknowledgement, a few
// microseconds of marshalling on each side; the window is the depth of the client's queue of
// unacknowledged asynchronous calls.
struct RemotingCosts {
  double request_bytes = 256;
  double response_bytes = 64;
  double client_call_s = 3e-6;
  double server_call_s = 3e-6;
  int launch_window = 64;
  // A GPU in the same machine: no marshalling, CUDA's own launch queue (1024 entries).
  static RemotingCosts local();
};

struct TenantJob {
  std::string name;
  int client_host = 0;            // hosts of the network's topology
  // Which GPU of the pool (tenants of one GPU interfere) and its host; -1: the pool places the
  // job when it arrives (see PoolPlacement).
  int gpu = 0;
  int gpu_host = 0;
  double submit_s = 0;            // when the job arrives
  double fraction = 1;            // of its GPU's memory, held from its start to its end
  std::vector<double> kernel_s;   // each kernel of one iteration alone on the GPU, in order
  double dispatch_s = 0;          // the framework's host time per kernel (eager dispatch)
  double to_device_bytes = 0, from_device_bytes = 0;  // per iteration
  int iterations = 1;
  const ProtocolProfile* protocol = nullptr;
  RemotingCosts costs;
  // Replicas of one job share a group (>= 0) and, in training, their gradient all-reduces: one
  // per bucket, in order, each after its kernel (the bucket's last) and before `update_kernel`.
  int group = -1;
  struct AllReduce {
    int after_kernel = 0;
    double seconds = 0;  // over the server's fabric, alone
    double bytes = 0;    // each replica's gradients in the bucket
  };
  std::vector<AllReduce> all_reduces;
  // Where set, the all-reduces' `seconds` come from the GPUs the job is given: called with them as
  // their server numbers them (PoolGpu::index, ascending), it returns each all-reduce's seconds in
  // order. On a mesh of NVLinks that differs by several times from one pair of GPUs to another.
  std::function<std::vector<double>(const std::vector<int>& server_gpus)> all_reduce_seconds_on;
  // Set where the fabric is the server's PCIe switch: each all-reduce is then a ring all-reduce of
  // its bytes in flows of this protocol among the replicas' GPUs, on the pool's network, and
  // `seconds` is not used.
  const ProtocolProfile* all_reduce_protocol = nullptr;
  int update_kernel = -1;
  // > 0: an all-reduce starts only at a multiple of this after the iteration's first kernel
  // started on any replica (Horovod's cycle, in phase with the step as `xpusim train` has it).
  double all_reduce_cycle_s = 0;
};

// How co-tenants' pair rates are chosen: the fit's median, or a draw per ordered pair of tenants.
struct SharingPolicy {
  bool sampled = false;
  uint64_t seed = 0;
};

// Where the pool puts a job that names no GPU: among the GPUs with its memory fraction free, the
// fullest (pack: keeps whole GPUs free for large jobs) or the emptiest (spread: fewer co-tenants,
// less interference, and among equals the one whose PCIe switch holds the least, so that fewer
// copies divide its uplink), or those fewest links from the job's client and among them the
// fullest (near: a GPU in the client's own rack before one across the spine, whose uplinks other
// racks' traffic shares); the lower index on a tie. A job of several replicas whose all-reduces
// depend on its GPUs (TenantJob::all_reduce_seconds_on) takes, among the sets of a server's GPUs the
// policy rates alike, the one that all-reduces fastest (GPUs joined by more NVLinks, as NVIDIA's
// device plugin prefers them). Jobs that fit nowhere wait, and whenever a
// job ends the waiting ones are placed in arrival order, any that fits going first (backfill).
enum class PoolPlacement { pack, spread, near };

struct PoolGpu {
  int host = 0;                          // in the network's topology
  const InterferenceFit* fit = nullptr;  // of its GPU type
  int server = 0;                        // GPUs of one server can hold the replicas of one job
  int index = 0;                         // its number in its server (as CUDA numbers them)
  int pcie_switch = -1;                  // GPUs with the same (>= 0) share a PCIe switch's uplink
};

struct TenantResult {
  int gpu = -1;                         // where it ran
  double start_s = 0;                   // when it was placed (its submit time unless it waited)
  std::vector<double> iteration_end_s;  // from time 0
  std::vector<double> kernel_end_s;     // the last iteration: when each kernel ended on the GPU
  double kernel_s = 0;                  // GPU time its kernels took alone, all iterations
  // Steady-state seconds per iteration: the mean after the first (which pays the pipeline fill).
  double seconds_per_iteration() const;
};

struct PoolResult {
  std::vector<TenantResult> tenants;
  // Per GPU: time with at least one tenant's kernel running (all-reduces not counted: they move
  // data over the fabric, and their NCCL kernels take a few of the GPU's cores).
  std::vector<double> gpu_busy_s;
  double makespan_s = 0;
  FlowNetworkStats network;
};

// Runs the tenants to completion on `net` (its topology must join every client to every GPU it
// may use). Deterministic. Throws std::invalid_argument for a job that names no GPU the pool has,
// or whose replicas are not placed alike (all by hand, on distinct GPUs of one server, or all by
// the pool).
PoolResult run_gpu_pool(FlowNetwork& net, const std::vector<TenantJob>& jobs, const std::vector<PoolGpu>& gpus,
                        const SharingPolicy& sharing, PoolPlacement placement = PoolPlacement::pack);

}  // namespace xpusim

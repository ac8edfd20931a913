#pragma once
// Collectives made of flows, as NCCL and HCCL run them, timed on a FlowNetwork so that they see
// the links they cross and whatever else shares them.
//
// Every algorithm is written as a plan: the transfers it makes (from rank, to rank, bytes) and,
// for each, the transfers that must have finished before it can start (the data it forwards or
// reduces, and the sender's previous transfer on the same link). One executor runs any plan.
// - Ring reduce-scatter / all-gather: n-1 steps; in each, every rank sends one n-th of the buffer
//   to the next. Ring all-reduce: a reduce-scatter then an all-gather, 2(n-1) steps.
// - Tree all-reduce: NCCL's double binary tree. Each tree carries half of the buffer, cut into
//   pipelined chunks; a chunk is reduced up the tree (a rank sends it to its parent once its
//   children's copies arrived) and broadcast down. The second tree mirrors the first, so a rank
//   that is a leaf of one is an inner node of the other.
// - Direct reduce-scatter / all-gather / all-to-all: every rank sends one n-th of its buffer to
//   every other at once (fully connected fabrics such as Gaudi's all-to-all RoCE).
// - Broadcast: a pipelined chain from rank 0 (NCCL's ring broadcast), chunk by chunk.
// Large messages approach the nccl-tests bus bandwidth formulas (all-reduce moves 2(n-1)/n of the
// buffer through each rank's link, reduce-scatter and all-gather (n-1)/n, broadcast 1); small
// ones cost one path latency per dependent step.
#include <string>
#include <vector>

#include "models/network/flow_network.hpp"

namespace xpusim {

enum class CollectiveAlgorithm {
  ring_reduce_scatter,
  ring_all_gather,
  ring_all_reduce,
  tree_all_reduce,
  direct_reduce_scatter,
  direct_all_gather,
  all_to_all,
  broadcast,
};
const char* collective_name(CollectiveAlgorithm c);

struct Transfer {
  int from = 0, to = 0;      // rank indices
  double bytes = 0;
  std::vector<int> after;    // transfers (indices into the plan) that must finish first
};
using TransferPlan = std::vector<Transfer>;

// The plan of a collective among n ranks, each holding a buffer of `bytes`. Pipelined algorithms
// (tree, broadcast) cut their data into chunks of at most `chunk_bytes`.
TransferPlan collective_plan(CollectiveAlgorithm c, int n, double bytes, double chunk_bytes = 1 << 20);
// NCCL's ring and tree across servers as streams, one transfer per hop, all at once: in steady
// state every hop of a pipelined ring or tree carries its share of the buffer while the others
// do, so the hop with the least bandwidth for its bytes sets the time, and other traffic on its
// links slows it. The pipeline's fill (a latency per step) is the caller's to add.
// - A ring among n ranks: rank r sends `bytes` to rank r + 1.
// - NCCL's tree over `servers` servers of `devices` ranks each (rank s * devices + i): inside
//   each server a chain of its GPUs, between servers NCCL's double binary tree; each tree carries
//   half of `bytes` up (reduced) and down (broadcast) every hop of its chains and edges. The
//   second tree's chains run the other way (another GPU is the head).
// - An all-to-all over n = `servers` servers of d = `devices` ranks each (N = n d ranks), every
//   rank sending bytes / N to each of the N - 1 others: inside a server one transfer per pair;
//   between servers the pieces a rank sends to every GPU of another server go as one transfer to
//   that server's GPU of the same index (N (n - 1) transfers rather than N (N - d)). Every link
//   then carries exactly the bytes of the N (N - 1) pieces, and on the symmetric fabrics
//   modelled here every transfer between servers crosses the same kinds of links.
TransferPlan ring_streams(int n, double bytes);
TransferPlan nccl_tree_streams(int servers, int devices, double bytes);
TransferPlan all_to_all_streams(int servers, int devices, double bytes);
// NCCL's double binary tree among n ranks (src/graph/trees.cc): the parent of `rank` in tree 0
// or 1 (-1 at a root). The second tree mirrors the first (shifts it by one for an odd count), so
// that a rank with children in one tree has few or none in the other and both trees' sends spread
// over every rank's link.
int nccl_tree_parent(int tree, int n, int rank);
// The most edges from any rank to its root in either tree.
int nccl_tree_depth(int n);
// `copies` independent instances of a plan side by side (e.g. one ring per device shard).
TransferPlan repeat_plan(const TransferPlan& plan, int copies);

// Which transfers of a plan may start, as the others finish: for a caller that runs the network
// itself (run_plan below, or a simulation with other traffic of its own). Throws
// std::invalid_argument for a plan that names a rank outside [0, ranks) or a transfer it lacks.
class PlanProgress {
 public:
  PlanProgress(const TransferPlan& plan, std::size_t ranks);
  // The transfers that wait on nothing (ask once, at the start).
  std::vector<int> initial() const;
  // Marks transfer i finished; returns the transfers that may start now.
  std::vector<int> finish(int i);
  bool done() const { return finished_ == waiting_.size(); }

 private:
  std::vector<int> waiting_;  // per transfer: the transfers it still waits on
  std::vector<std::vector<int>> dependents_;
  std::size_t finished_ = 0;
};

// Runs a plan among `ranks` (hosts of the network's topology; plan rank i is ranks[i]) from
// `start_s` on and returns its duration. Flows already in the network share the links with it.
double run_plan(FlowNetwork& net, const TransferPlan& plan, const std::vector<int>& ranks,
                const ProtocolProfile& protocol, double start_s);

inline double run_collective(FlowNetwork& net, CollectiveAlgorithm c, const std::vector<int>& ranks, double bytes,
                             const ProtocolProfile& protocol, double start_s) {
  return run_plan(net, collective_plan(c, static_cast<int>(ranks.size()), bytes), ranks, protocol, start_s);
}

}  // namespace xpusim

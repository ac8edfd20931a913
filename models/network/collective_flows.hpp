#pragma once
// Collectives made of flows, as NCCL and HCCL run them, timed on a FlowNetwork so that they see
// the links they cross and whatever else shares them.
// - Ring reduce-scatter / all-gather: n-1 steps; in each, every rank sends one n-th of the buffer
//   to the next rank. A rank starts step s when its step s-1 send is done and it has received
//   step s-1 from the previous rank. Ring all-reduce is a reduce-scatter then an all-gather.
// - All-to-all: every rank sends one n-th of its buffer to every other rank at once.
// Large messages approach the nccl-tests bus bandwidth formulas (all-reduce moves 2(n-1)/n of the
// buffer through each rank's link, reduce-scatter and all-gather (n-1)/n); small ones cost one
// path latency per step.
#include <vector>

#include "models/network/flow_network.hpp"

namespace xpusim {

enum class RingCollective { reduce_scatter, all_gather, all_reduce };

// Runs the collective among `ranks` (hosts of the network's topology, in ring order) from
// `start_s` on; `bytes` is each rank's buffer. Returns its duration. Other flows already in the
// network share the links with it.
double run_ring(FlowNetwork& net, RingCollective kind, const std::vector<int>& ranks, double bytes,
                const ProtocolProfile& protocol, double start_s);
double run_all_to_all(FlowNetwork& net, const std::vector<int>& ranks, double bytes, const ProtocolProfile& protocol,
                      double start_s);

}  // namespace xpusim

#pragma once
// Shortest-path routing (fewest hops) with equal-cost multi-path: where several next hops are
// equally short, a flow takes the one its hash picks, as switches hash a flow's 5-tuple. Flows
// with the same hash between the same hosts always take the same path.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "models/network/topology.hpp"

namespace xpusim {

class Router {
 public:
  explicit Router(const Topology& topology) : topology_(&topology) {}

  // The channels from `src` to `dst`, in order; empty when src == dst. Throws
  // std::invalid_argument when no path joins them.
  std::vector<int> route(int src, int dst, uint64_t flow_hash) const;
  // Number of hops on a shortest path (-1 when unreachable).
  int hops(int src, int dst) const;

 private:
  // Hop distance of every node to `dst` (-1 when unreachable), computed once per destination.
  const std::vector<int>& distances_to(int dst) const;

  const Topology* topology_;
  mutable std::unordered_map<int, std::vector<int>> distances_;
};

}  // namespace xpusim

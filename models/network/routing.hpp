#pragma once
// Shortest-path routing (fewest hops) with equal-cost multi-path: where several next hops are
// equally short, a flow takes the one its hash picks, as switches hash a flow's 5-tuple. Flows
// with the same hash between the same hosts always take the same path.
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "models/network/topology.hpp"

namespace xpusim {

class Router {
 public:
  // Distances to at most `cached_distances` (nodes x destinations) are kept: 64 Mi by default
  // (256 MiB). A fat-tree of k = 64 has 70,000 nodes and 65,536 hosts, whose every destination
  // would take 18 GB; past the bound the cache starts over, and traffic to many destinations
  // recomputes them (a breadth-first search each) instead of holding them all.
  explicit Router(const Topology& topology, std::size_t cached_distances = std::size_t{1} << 26)
      : topology_(&topology), cached_distances_(cached_distances) {}

  // The channels from `src` to `dst`, in order; empty when src == dst. Throws
  // std::invalid_argument when no path joins them.
  std::vector<int> route(int src, int dst, uint64_t flow_hash) const;
  // Number of hops on a shortest path (-1 when unreachable).
  int hops(int src, int dst) const;

 private:
  // Hop distance of every node to `dst` (-1 when unreachable), computed once per destination.
  const std::vector<int>& distances_to(int dst) const;

  const Topology* topology_;
  std::size_t cached_distances_;
  mutable std::unordered_map<int, std::vector<int>> distances_;
};

}  // namespace xpusim

#include "models/network/routing.hpp"

#include <stdexcept>

namespace xpusim {

namespace {
// SplitMix64 finalizer: one flow hash gives independent-looking choices at each hop.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

const std::vector<int>& Router::distances_to(int dst) const {
  auto it = distances_.find(dst);
  if (it != distances_.end()) return it->second;
  // Callers hold a reference only within one call, so the cache may start over here.
  if ((distances_.size() + 1) * topology_->nodes().size() > cached_distances_) distances_.clear();
  const auto& channels = topology_->channels();
  std::vector<int> dist(topology_->nodes().size(), -1);
  std::vector<int> frontier{dst}, next;
  dist[static_cast<std::size_t>(dst)] = 0;
  // Breadth-first from the destination over reversed channels (links are full duplex, so the
  // reverse of each out-channel is an in-channel). Paths never pass through a host.
  for (int d = 1; !frontier.empty(); ++d) {
    next.clear();
    for (int v : frontier) {
      if (v != dst && topology_->is_host(v)) continue;
      for (int c : topology_->out_channels(v)) {
        const int u = channels[static_cast<std::size_t>(c)].to;
        if (dist[static_cast<std::size_t>(u)] < 0) {
          dist[static_cast<std::size_t>(u)] = d;
          next.push_back(u);
        }
      }
    }
    frontier.swap(next);
  }
  return distances_.emplace(dst, std::move(dist)).first->second;
}

int Router::hops(int src, int dst) const { return distances_to(dst)[static_cast<std::size_t>(src)]; }

std::vector<int> Router::route(int src, int dst, uint64_t flow_hash) const {
  const auto& dist = distances_to(dst);
  if (dist[static_cast<std::size_t>(src)] < 0)
    throw std::invalid_argument("no path from \"" + topology_->name(src) + "\" to \"" + topology_->name(dst) + "\"");
  const auto& channels = topology_->channels();
  std::vector<int> path;
  std::vector<int> choices;
  for (int u = src, hop = 0; u != dst; ++hop) {
    choices.clear();
    for (int c : topology_->out_channels(u)) {
      const int v = channels[static_cast<std::size_t>(c)].to;
      if (dist[static_cast<std::size_t>(v)] == dist[static_cast<std::size_t>(u)] - 1 && (v == dst || !topology_->is_host(v)))
        choices.push_back(c);
    }
    const int c = choices[choices.size() == 1 ? 0 : mix(flow_hash ^ mix(static_cast<uint64_t>(hop))) % choices.size()];
    path.push_back(c);
    u = channels[static_cast<std::size_t>(c)].to;
  }
  return path;
}

}  // namespace xpusim

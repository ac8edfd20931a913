#include "models/network/topology.hpp"

#include <stdexcept>

namespace xpusim {

int Topology::add_node(const std::string& name, NodeKind kind) {
  const int id = static_cast<int>(nodes_.size());
  if (!by_name_.emplace(name, id).second) throw std::invalid_argument("duplicate node name \"" + name + "\"");
  nodes_.push_back({name, kind});
  out_.emplace_back();
  if (kind == NodeKind::host) hosts_.push_back(id);
  return id;
}

int Topology::add_host(const std::string& name) { return add_node(name, NodeKind::host); }
int Topology::add_switch(const std::string& name) { return add_node(name, NodeKind::network_switch); }

int Topology::add_link(int a, int b, double bytes_per_s, double latency_s) {
  const int n = static_cast<int>(nodes_.size());
  if (a < 0 || b < 0 || a >= n || b >= n) throw std::invalid_argument("link endpoint out of range");
  if (a == b) throw std::invalid_argument("link from \"" + name(a) + "\" to itself");
  if (!(bytes_per_s > 0)) throw std::invalid_argument("link bandwidth must be > 0");
  if (!(latency_s >= 0)) throw std::invalid_argument("link latency must be >= 0");
  const int link = static_cast<int>(link_count());
  for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
    out_[static_cast<std::size_t>(from)].push_back(static_cast<int>(channels_.size()));
    channels_.push_back({from, to, bytes_per_s, latency_s, link});
  }
  return link;
}

std::optional<int> Topology::find(const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::pair<int, int>> Topology::disconnected_hosts() const {
  if (hosts_.size() < 2) return std::nullopt;
  // Links are full duplex, so reachability from the first host decides for every pair.
  std::vector<char> seen(nodes_.size(), 0);
  std::vector<int> stack{hosts_.front()};
  seen[static_cast<std::size_t>(hosts_.front())] = 1;
  while (!stack.empty()) {
    const int u = stack.back();
    stack.pop_back();
    for (int c : out_channels(u)) {
      const int v = channels_[static_cast<std::size_t>(c)].to;
      if (!seen[static_cast<std::size_t>(v)]) {
        seen[static_cast<std::size_t>(v)] = 1;
        stack.push_back(v);
      }
    }
  }
  for (int h : hosts_)
    if (!seen[static_cast<std::size_t>(h)]) return std::pair{hosts_.front(), h};
  return std::nullopt;
}

}  // namespace xpusim

#include "models/network/topology.hpp"

#include <algorithm>
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
  // Hosts never forward (routes never pass through one), so two hosts reach each other exactly
  // when they are linked directly or both touch one island of switches (switches joined by
  // switch-to-switch links). Reachability between hosts is then not transitive: each host not on
  // the island most hosts touch is checked against every other host.
  std::vector<int> island(nodes_.size(), -1);
  int islands = 0;
  for (std::size_t s = 0; s < nodes_.size(); ++s) {
    if (is_host(static_cast<int>(s)) || island[s] >= 0) continue;
    std::vector<int> stack{static_cast<int>(s)};
    island[s] = islands;
    while (!stack.empty()) {
      const int u = stack.back();
      stack.pop_back();
      for (int c : out_channels(u)) {
        const int v = channels_[static_cast<std::size_t>(c)].to;
        if (!is_host(v) && island[static_cast<std::size_t>(v)] < 0) {
          island[static_cast<std::size_t>(v)] = islands;
          stack.push_back(v);
        }
      }
    }
    ++islands;
  }
  // Per host (in host order): the islands it touches and the hosts it is linked to, sorted.
  std::vector<std::vector<int>> touches(hosts_.size()), linked(hosts_.size());
  std::vector<int> order(nodes_.size(), -1);  // node -> place in host order
  for (std::size_t i = 0; i < hosts_.size(); ++i) order[static_cast<std::size_t>(hosts_[i])] = static_cast<int>(i);
  std::vector<int> hosts_on(static_cast<std::size_t>(islands), 0);
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    for (int c : out_channels(hosts_[i])) {
      const int v = channels_[static_cast<std::size_t>(c)].to;
      if (is_host(v)) linked[i].push_back(order[static_cast<std::size_t>(v)]);
      else touches[i].push_back(island[static_cast<std::size_t>(v)]);
    }
    for (auto* list : {&touches[i], &linked[i]}) {
      std::sort(list->begin(), list->end());
      list->erase(std::unique(list->begin(), list->end()), list->end());
    }
    for (int x : touches[i]) ++hosts_on[static_cast<std::size_t>(x)];
  }
  const int main_island =
      islands == 0 ? -1 : static_cast<int>(std::max_element(hosts_on.begin(), hosts_on.end()) - hosts_on.begin());
  auto on = [](const std::vector<int>& sorted, int x) { return std::binary_search(sorted.begin(), sorted.end(), x); };
  auto reach = [&](std::size_t a, std::size_t b) {
    if (on(linked[a], static_cast<int>(b))) return true;
    for (int x : touches[a])
      if (on(touches[b], x)) return true;
    return false;
  };
  for (std::size_t m = 0; m < hosts_.size(); ++m) {
    if (on(touches[m], main_island)) continue;  // reaches every host on it; the others check it
    for (std::size_t h = 0; h < hosts_.size(); ++h)
      if (h != m && !reach(m, h)) return std::pair{hosts_[std::min(m, h)], hosts_[std::max(m, h)]};
  }
  return std::nullopt;
}

}  // namespace xpusim

#pragma once
// A network as a graph: hosts (where flows start and end) and switches, joined by full-duplex
// links. Each link is two directed channels, one per direction, each with the link's bandwidth
// and latency: traffic in one direction never slows the other, as on Ethernet, InfiniBand,
// NVLink and PCIe.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace xpusim {

enum class NodeKind { host, network_switch };

struct NetworkNode {
  std::string name;
  NodeKind kind = NodeKind::host;
};

struct Channel {
  int from = 0, to = 0;
  double bytes_per_s = 0;  // wire rate
  double latency_s = 0;    // propagation plus the forwarding delay of the node it enters
  int link = 0;            // index of the full-duplex link it belongs to
};

class Topology {
 public:
  int add_host(const std::string& name);
  int add_switch(const std::string& name);
  // Adds a full-duplex link; returns its index. Channel 2*i goes a->b, 2*i+1 goes b->a.
  int add_link(int a, int b, double bytes_per_s, double latency_s);

  const std::vector<NetworkNode>& nodes() const { return nodes_; }
  const std::vector<Channel>& channels() const { return channels_; }
  const std::vector<int>& hosts() const { return hosts_; }
  const std::vector<int>& out_channels(int node) const { return out_[static_cast<std::size_t>(node)]; }
  std::size_t link_count() const { return channels_.size() / 2; }
  bool is_host(int node) const { return nodes_[static_cast<std::size_t>(node)].kind == NodeKind::host; }
  const std::string& name(int node) const { return nodes_[static_cast<std::size_t>(node)].name; }
  std::optional<int> find(const std::string& name) const;

  // Two hosts that no route joins (routes never pass through a host), the first found with the
  // earlier host first, or nothing when every host reaches every other.
  std::optional<std::pair<int, int>> disconnected_hosts() const;

 private:
  int add_node(const std::string& name, NodeKind kind);

  std::vector<NetworkNode> nodes_;
  std::vector<Channel> channels_;
  std::vector<int> hosts_;
  std::vector<std::vector<int>> out_;
  std::unordered_map<std::string, int> by_name_;
};

}  // namespace xpusim

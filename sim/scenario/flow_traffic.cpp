// Drawing a flow study's open-loop traffic (TrafficSpec): Poisson arrivals from time 0, hosts by
// the pattern, sizes by the traffic's distribution, from the project's own seeded streams so that
// every standard library draws the same messages.
#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "sim/engine/rng.hpp"
#include "sim/scenario/flow_study.hpp"

namespace xpusim {

namespace {

// The hosts grouped by the switch their first link reaches (a host whose first link reaches
// another host is a group of its own): `order` lists host indices group by group, and each host
// knows where its group begins and ends in it.
struct SwitchGroups {
  std::vector<uint64_t> order, begin, end;

  explicit SwitchGroups(const Topology& t) {
    const auto& hosts = t.hosts();
    std::map<int, std::vector<uint64_t>> by_switch;
    std::vector<std::vector<uint64_t>> groups;
    for (uint64_t h = 0; h < hosts.size(); ++h) {
      const int next = t.channels()[static_cast<std::size_t>(t.out_channels(hosts[h]).front())].to;
      if (t.is_host(next))
        groups.push_back({h});
      else
        by_switch[next].push_back(h);
    }
    for (auto& [node, group] : by_switch) groups.push_back(std::move(group));
    begin.resize(hosts.size());
    end.resize(hosts.size());
    for (const auto& group : groups) {
      const uint64_t b = order.size();
      order.insert(order.end(), group.begin(), group.end());
      for (uint64_t h : group) {
        begin[h] = b;
        end[h] = order.size();
      }
    }
  }
  uint64_t size(uint64_t h) const { return end[h] - begin[h]; }
  // The k-th other host of h's group, k in [0, size - 1).
  uint64_t mate(uint64_t h, uint64_t k) const {
    const uint64_t at = begin[h] + k;
    return order[at] == h ? order[end[h] - 1] : order[at];
  }
  // The k-th host outside h's group, k in [0, hosts - size).
  uint64_t outsider(uint64_t h, uint64_t k) const { return order[k < begin[h] ? k : k + size(h)]; }
};

double injection_bytes_per_s(const Topology& t) {
  double sum = 0;
  for (int h : t.hosts()) sum += nic_bytes_per_s(t, h);
  return sum;
}

// Each arrival one message from a uniformly drawn host to its pattern's destination.
void draw_messages(const TrafficSpec& spec, const Topology& t, std::vector<FlowSpec>& out) {
  const auto n = static_cast<uint64_t>(t.hosts().size());
  const double rate = spec.load * injection_bytes_per_s(t) / spec.sizes.mean();
  RngStream rng(static_cast<uint64_t>(spec.seed), "flow-traffic");
  // Permutation and stride: each host's one destination.
  std::vector<uint64_t> partner(n);
  const auto shift = spec.pattern == TrafficPattern::stride ? static_cast<uint64_t>(spec.stride) : 0;
  for (uint64_t h = 0; h < n; ++h) partner[h] = (h + shift) % n;
  // Sattolo's shuffle: j < i (never i itself) leaves a single cycle, so no host is its own partner.
  if (spec.pattern == TrafficPattern::permutation)
    for (uint64_t i = n - 1; i > 0; --i) std::swap(partner[i], partner[rng.uniform_int(i)]);
  const std::optional<SwitchGroups> groups = spec.local ? std::optional<SwitchGroups>(t) : std::nullopt;
  double now = 0;
  for (int i = 0; i < spec.flows; ++i) {
    now += rng.exponential(rate);
    FlowSpec f;
    const auto src = rng.uniform_int(n);
    uint64_t dst = partner[src];
    if (spec.pattern == TrafficPattern::uniform && groups) {
      const auto& g = *groups;
      dst = rng.uniform01() < *spec.local ? g.mate(src, rng.uniform_int(g.size(src) - 1))
                                          : g.outsider(src, rng.uniform_int(n - g.size(src)));
    } else if (spec.pattern == TrafficPattern::uniform) {
      dst = rng.uniform_int(n - 1);
      if (dst >= src) ++dst;
    }
    f.src = static_cast<int>(src);
    f.dst = static_cast<int>(dst);
    f.bytes = spec.sizes.draw(rng);
    f.start_s = now;
    f.protocol = spec.protocol;
    out.push_back(f);
  }
}

// Distinct hosts drawn uniformly, a few at a time: a partial Fisher-Yates shuffle of a list kept
// between draws, O(hosts drawn) each.
class DistinctHosts {
 public:
  explicit DistinctHosts(uint64_t n) : hosts_(n), at_(n) {
    for (uint64_t h = 0; h < n; ++h) hosts_[h] = at_[h] = h;
  }
  // Keeps host h out of the next draw (it goes last in the list).
  void exclude(uint64_t h) { swap(at_[h], hosts_.size() - 1); }
  // k distinct hosts among the first `among` of the list (all, or all but the excluded one).
  std::vector<uint64_t> draw(RngStream& rng, uint64_t k, uint64_t among) {
    for (uint64_t i = 0; i < k; ++i) swap(i, i + rng.uniform_int(among - i));
    return {hosts_.begin(), hosts_.begin() + static_cast<std::ptrdiff_t>(k)};
  }

 private:
  void swap(uint64_t i, uint64_t j) {
    std::swap(hosts_[i], hosts_[j]);
    at_[hosts_[i]] = i;
    at_[hosts_[j]] = j;
  }
  std::vector<uint64_t> hosts_, at_;  // a permutation of the hosts and where each is in it
};

// Each arrival a query: a host drawn uniformly receives fan_in responses of one drawn size at
// once, from distinct hosts drawn uniformly among the others.
void draw_queries(const TrafficSpec& spec, const Topology& t, std::vector<FlowSpec>& out) {
  const auto n = static_cast<uint64_t>(t.hosts().size());
  const auto fan_in = static_cast<uint64_t>(spec.fan_in);
  const double rate = spec.load * injection_bytes_per_s(t) / (static_cast<double>(fan_in) * spec.sizes.mean());
  RngStream rng(static_cast<uint64_t>(spec.seed), "flow-traffic");
  DistinctHosts hosts(n);
  double now = 0;
  const int queries = spec.flows / spec.fan_in;
  for (int q = 0; q < queries; ++q) {
    now += rng.exponential(rate);
    const auto receiver = rng.uniform_int(n);
    const double bytes = spec.sizes.draw(rng);
    hosts.exclude(receiver);
    for (uint64_t sender : hosts.draw(rng, fan_in, n - 1))
      out.push_back({.src = static_cast<int>(sender), .dst = static_cast<int>(receiver), .bytes = bytes,
                     .start_s = now, .protocol = spec.protocol, .group = q});
  }
}

// Each arrival a shuffle: width distinct hosts drawn uniformly, each sending one message to each
// of the others at once, every message of its own drawn size (a shuffle's partitions differ).
void draw_shuffles(const TrafficSpec& spec, const Topology& t, std::vector<FlowSpec>& out) {
  const auto n = static_cast<uint64_t>(t.hosts().size());
  const auto width = static_cast<uint64_t>(spec.width);
  const double per_shuffle = static_cast<double>(width * (width - 1));
  const double rate = spec.load * injection_bytes_per_s(t) / (per_shuffle * spec.sizes.mean());
  RngStream rng(static_cast<uint64_t>(spec.seed), "flow-traffic");
  DistinctHosts hosts(n);
  double now = 0;
  const int shuffles = spec.flows / static_cast<int>(per_shuffle);
  for (int g = 0; g < shuffles; ++g) {
    now += rng.exponential(rate);
    const std::vector<uint64_t> members = hosts.draw(rng, width, n);
    for (uint64_t src : members)
      for (uint64_t dst : members)
        if (src != dst)
          out.push_back({.src = static_cast<int>(src), .dst = static_cast<int>(dst), .bytes = spec.sizes.draw(rng),
                         .start_s = now, .protocol = spec.protocol, .group = g});
  }
}

}  // namespace

double nic_bytes_per_s(const Topology& t, int host) {
  double sum = 0;
  for (int c : t.out_channels(host)) sum += t.channels()[static_cast<std::size_t>(c)].bytes_per_s;
  return sum;
}

void draw_traffic(const TrafficSpec& spec, const Topology& t, std::vector<FlowSpec>& out) {
  if (spec.pattern == TrafficPattern::incast)
    draw_queries(spec, t, out);
  else if (spec.pattern == TrafficPattern::shuffle)
    draw_shuffles(spec, t, out);
  else
    draw_messages(spec, t, out);

}

std::optional<int> host_alone_on_its_switch(const Topology& t) {
  const SwitchGroups groups(t);
  for (uint64_t h = 0; h < groups.begin.size(); ++h)
    if (groups.size(h) < 2) return t.hosts()[h];
  return std::nullopt;
}

bool hosts_on_one_switch(const Topology& t) {
  const SwitchGroups groups(t);
  return groups.size(0) == groups.begin.size();
}

}  // namespace xpusim

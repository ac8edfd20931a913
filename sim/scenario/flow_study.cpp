// Running a flow study on one of its networks: every message through one flow network in order of
// its start, then each alone through a second network on the same path (the same ECMP hash), and
// each group of messages (a query, a shuffle) alone, for their slowdowns.
#include "sim/scenario/flow_study.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "models/network/protocol.hpp"

namespace xpusim {

namespace {

// The ECMP hash of a study's message: its place in the study, so that a rerun takes the same paths.
uint64_t hash_of(std::size_t flow) { return static_cast<uint64_t>(flow); }

std::vector<double> alone_times(const FlowStudy& s, const StudyNetwork& network) {
  FlowNetwork net(network.topology);
  std::vector<double> alone;
  alone.reserve(s.flows.size());
  for (std::size_t i = 0; i < s.flows.size(); ++i) {
    const FlowSpec& f = s.flows[i];
    const double start = net.now();
    const int id = net.start(start, network.host(f.src), network.host(f.dst), f.bytes, protocol_profile(f.protocol), hash_of(i));
    net.run_until_idle();
    alone.push_back(net.flow(id).finish_s - start);
    net.release(id);
  }
  return alone;
}

// Each group's messages together and nothing else, each at its own offset from the group's first
// start (drawn groups start at once), on the paths the study gave them.
std::vector<double> group_alone_times(const FlowStudy& s, const StudyNetwork& network, std::size_t groups) {
  std::vector<std::vector<std::size_t>> members(groups);
  for (std::size_t i = 0; i < s.flows.size(); ++i)
    if (s.flows[i].group >= 0) members[static_cast<std::size_t>(s.flows[i].group)].push_back(i);
  FlowNetwork net(network.topology);
  std::vector<double> alone;
  alone.reserve(groups);
  for (const auto& group : members) {
    const double now = net.now();
    double first = s.flows[group.front()].start_s;
    for (std::size_t i : group) first = std::min(first, s.flows[i].start_s);
    std::vector<int> ids;
    for (std::size_t i : group) {
      const FlowSpec& f = s.flows[i];
      ids.push_back(net.start(now + (f.start_s - first), network.host(f.src), network.host(f.dst), f.bytes,
                              protocol_profile(f.protocol), hash_of(i)));
    }
    net.run_until_idle();
    double last = now;
    for (int id : ids) {
      last = std::max(last, net.flow(id).finish_s);
      net.release(id);
    }
    alone.push_back(last - now);
  }
  return alone;
}

std::vector<GroupOutcome> group_outcomes(const FlowStudy& s, const StudyNetwork& network, const FlowStudyResult& r) {
  std::vector<GroupOutcome> groups;
  for (std::size_t i = 0; i < s.flows.size(); ++i) {
    const int g = s.flows[i].group;
    if (g < 0) continue;
    const auto at = static_cast<std::size_t>(g);
    if (at >= groups.size()) groups.resize(at + 1, {std::numeric_limits<double>::infinity(), 0, 0});
    groups[at].start_s = std::min(groups[at].start_s, s.flows[i].start_s);
    groups[at].finish_s = std::max(groups[at].finish_s, r.flows[i].finish_s);
  }
  const std::vector<double> alone = group_alone_times(s, network, groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g) groups[g].alone_s = alone[g];
  return groups;
}

}  // namespace

FlowStudyResult run_flow_study(const FlowStudy& s, const StudyNetwork& network) {
  const std::size_t n = s.flows.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return s.flows[a].start_s < s.flows[b].start_s; });
  FlowStudyResult r;
  r.flows.resize(n);
  FlowNetwork net(network.topology);
  std::vector<std::size_t> flow_of_id;  // network flow id -> study message (ids are reused)
  std::size_t next = 0;
  while (next < n || std::isfinite(net.next_event_time())) {
    if (next < n && s.flows[order[next]].start_s <= net.next_event_time()) {
      const std::size_t i = order[next++];
      const FlowSpec& f = s.flows[i];
      const int id =
          net.start(f.start_s, network.host(f.src), network.host(f.dst), f.bytes, protocol_profile(f.protocol), hash_of(i));
      if (static_cast<std::size_t>(id) >= flow_of_id.size()) flow_of_id.resize(static_cast<std::size_t>(id) + 1);
      flow_of_id[static_cast<std::size_t>(id)] = i;
      continue;
    }
    for (int id : net.step()) {
      r.flows[flow_of_id[static_cast<std::size_t>(id)]].finish_s = net.flow(id).finish_s;
      net.release(id);
    }
  }
  const std::vector<double> alone = alone_times(s, network);
  double first = s.flows[order.front()].start_s, last = first;
  for (std::size_t i = 0; i < n; ++i) {
    r.flows[i].alone_s = alone[i];
    last = std::max(last, r.flows[i].finish_s);
  }
  r.makespan_s = last - first;
  r.groups = group_outcomes(s, network, r);
  const auto& channels = network.topology.channels();
  for (std::size_t c = 0; c < channels.size(); ++c) {
    const double bytes = net.channel_bytes(static_cast<int>(c));
    if (bytes > 0)
      r.channels.push_back({static_cast<int>(c), bytes, bytes / (channels[c].bytes_per_s * r.makespan_s)});
  }
  std::stable_sort(r.channels.begin(), r.channels.end(),
                   [](const ChannelUse& a, const ChannelUse& b) { return a.utilization > b.utilization; });
  r.stats = net.stats();
  return r;
}

}  // namespace xpusim

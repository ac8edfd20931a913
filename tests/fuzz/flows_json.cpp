// Fuzz target: the flow study reader (sim/scenario/flow_study.hpp). An accepted study has networks
// with the same hosts, and names hosts (never a switch, never a host to itself) for every message,
// positive sizes and finite starts; each incast query's responses come from distinct hosts to one,
// of one size, at once, and each shuffle's messages join every ordered pair of its hosts once, at
// once; its resolved configuration reads back to the same messages; and a small one runs to the
// end with every message finishing no sooner than alone, every group timed, and no link past its
// capacity.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "sim/scenario/flow_study.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace xpusim;
  using fuzz::expect;
  FlowStudy s;
  if (!fuzz::accepted([&] {
        const auto doc = parse_json_text(fuzz::as_text(data, size), "flows.json");
        s = parse_flow_study(JsonView(doc, "flows.json"));
      }))
    return 0;
  expect(!s.flows.empty(), "no messages");
  expect(!s.networks.empty(), "no network");
  const auto hosts = static_cast<int>(s.networks.front().topology.hosts().size());
  for (const auto& network : s.networks) expect(network.topology.hosts().size() == s.networks.front().topology.hosts().size(), "networks with other hosts");
  for (const auto& f : s.flows) {
    expect(f.src >= 0 && f.src < hosts && f.dst >= 0 && f.dst < hosts && f.src != f.dst, "message not between two hosts");
    expect(f.bytes >= 1 && std::isfinite(f.bytes), "message size not positive");
    expect(f.start_s >= 0 && std::isfinite(f.start_s), "message start not finite");
  }
  const bool shuffles = s.traffic && s.traffic->pattern == TrafficPattern::shuffle;
  std::map<int, std::set<int>> senders;                   // incast query -> its responses' senders
  std::map<int, std::set<std::pair<int, int>>> pairs;     // shuffle -> its (src, dst) pairs
  std::map<int, std::set<int>> members;                   // shuffle -> its hosts
  for (const auto& f : s.flows) {
    if (f.group < 0) continue;
    const FlowSpec& first = *std::find_if(s.flows.begin(), s.flows.end(), [&](const FlowSpec& g) { return g.group == f.group; });
    expect(f.start_s == first.start_s, "a group's messages start apart");
    if (shuffles) {
      expect(pairs[f.group].emplace(f.src, f.dst).second, "a shuffle sends twice between two hosts");
      members[f.group].insert(f.src);
      continue;
    }
    expect(f.dst == first.dst && f.bytes == first.bytes, "a query's responses differ");
    expect(senders[f.group].insert(f.src).second, "a query asks one host twice");
  }
  for (const auto& [g, hosts] : members) {
    const auto width = static_cast<std::size_t>(s.traffic->width);
    expect(hosts.size() == width && pairs[g].size() == width * (width - 1), "a shuffle is not all-to-all of its width");
  }
  FlowStudy again;
  expect(fuzz::accepted([&] { again = parse_flow_study(JsonView(resolved_config(s), "config.json")); }),
         "resolved configuration refused");
  expect(again.flows.size() == s.flows.size(), "resolved configuration has other messages");
  for (std::size_t i = 0; i < s.flows.size(); ++i)
    expect(again.flows[i].src == s.flows[i].src && again.flows[i].dst == s.flows[i].dst &&
               again.flows[i].bytes == s.flows[i].bytes && again.flows[i].protocol == s.flows[i].protocol &&
               again.flows[i].group == s.flows[i].group,
           "resolved configuration changes a message");
  // Running is bounded by the topology's and the traffic's size; only small studies run here.
  std::size_t nodes = 0;
  for (const auto& network : s.networks) nodes += network.topology.nodes().size();
  if (nodes > 64 || s.flows.size() > 64) return 0;
  for (const auto& network : s.networks) {
    const FlowStudyResult r = run_flow_study(s, network);
    expect(r.makespan_s > 0 && std::isfinite(r.makespan_s), "makespan not positive");
    for (std::size_t i = 0; i < s.flows.size(); ++i) {
      const double t = r.flows[i].completion_s(s.flows[i]);
      expect(std::isfinite(t) && t > 0, "completion time not positive");
      // Times are absolute: a completion time is good to a few ulps of its finish time.
      const double ulps = 8 * std::numeric_limits<double>::epsilon() * r.flows[i].finish_s;
      expect(t >= r.flows[i].alone_s * (1 - 1e-9) - ulps, "a message faster shared than alone");
    }
    // (A group can finish sooner among other traffic than alone: max-min sharing is not monotone, as
    // a stranger slowing one of its messages can leave more to another.)
    expect(r.groups.size() == (members.empty() ? senders.size() : members.size()), "groups lost in the run");
    for (const auto& u : r.channels) expect(u.utilization <= 1 + 1e-9, "a link past its capacity");
  }
  return 0;
}

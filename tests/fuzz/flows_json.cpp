// Fuzz target: the flow study reader (sim/scenario/flow_study.hpp). An accepted study has networks
// with the same hosts, and names hosts (never a switch, never a host to itself) for every message,
// positive sizes and finite starts; each incast query's responses come from distinct hosts to one,
// of one size, at once; its resolved configuration reads back to the same messages; and a small
// one runs to the end
// with every message finishing no sooner than alone and no link past its capacity.
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
  std::map<int, std::set<int>> senders;  // incast query -> its responses' senders
  for (const auto& f : s.flows) {
    if (f.query < 0) continue;
    const FlowSpec& first = *std::find_if(s.flows.begin(), s.flows.end(), [&](const FlowSpec& g) { return g.query == f.query; });
    expect(f.dst == first.dst && f.bytes == first.bytes && f.start_s == first.start_s, "a query's responses differ");
    expect(senders[f.query].insert(f.src).second, "a query asks one host twice");
  }
  FlowStudy again;
  expect(fuzz::accepted([&] { again = parse_flow_study(JsonView(resolved_config(s), "config.json")); }),
         "resolved configuration refused");
  expect(again.flows.size() == s.flows.size(), "resolved configuration has other messages");
  for (std::size_t i = 0; i < s.flows.size(); ++i)
    expect(again.flows[i].src == s.flows[i].src && again.flows[i].dst == s.flows[i].dst &&
               again.flows[i].bytes == s.flows[i].bytes && again.flows[i].protocol == s.flows[i].protocol &&
               again.flows[i].query == s.flows[i].query,
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
    for (const auto& u : r.channels) expect(u.utilization <= 1 + 1e-9, "a link past its capacity");
  }
  return 0;
}

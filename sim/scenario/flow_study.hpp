#pragma once
// A flow study (`xpusim run` on a file with a "topology" or "topologies"): a network, described as
// topology files describe it (explicit hosts, switches and links, a leaf-spine or a fat-tree), or
// several with the same hosts, and the messages sent over it, listed one by one or drawn as
// open-loop traffic at an offered load. Every message runs through the flow-level simulator
// (models/network/flow_network.hpp) on each network, and again alone on the same path, so that
// the report can give each one's slowdown: the fabric questions of a capacity study ("what is the
// p99 slowdown at 60% load on this leaf-spine, which uplinks run hot, and what does 2:1
// oversubscription cost against 1:1?").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/network/flow_network.hpp"
#include "models/network/topology.hpp"
#include "sim/engine/json_input.hpp"
#include "sim/scenario/message_sizes.hpp"

namespace xpusim {

struct FlowSpec {
  int src = 0, dst = 0;  // hosts, by their place in the topology's host list
  double bytes = 0;      // payload
  double start_s = 0;
  std::string protocol;  // a name of models/catalog/protocols.json
  int group = -1;        // drawn incast or shuffle traffic: the query or shuffle it belongs to
};

// Open-loop traffic: messages arrive as a Poisson process, each from a host drawn uniformly to a
// destination its pattern gives, of a size drawn from `sizes`, at the rate that offers `load` of
// the hosts' summed injection bandwidth on the first network: rate = load x sum of NIC bandwidths
// / mean size. Every network then carries the same messages.
enum class TrafficPattern {
  uniform,      // to any other host, drawn uniformly (or, with `local`, one on the same switch)
  permutation,  // to the host's partner: a random cyclic permutation of the hosts (Sattolo's
                // algorithm), so each host sends to one other and receives from one
  stride,       // host i to host (i + stride) mod hosts, as fat-tree studies stress their core
  incast,       // queries: each arrival is a host asking `fan_in` others, drawn uniformly, for
                // responses of one drawn size, sent at once (partition-aggregate, as DCTCP's
                // query traffic); the query completes with its last response
  shuffle,      // shuffles: each arrival is `width` hosts, drawn uniformly, each sending a message
                // of its own drawn size to each of the others at once (a MapReduce shuffle, an
                // all-to-all of expert parallelism); the shuffle completes with its last message
};
// Traffic whose messages come in groups (queries, shuffles) that complete together, as a coflow.
inline bool grouped(TrafficPattern p) { return p == TrafficPattern::incast || p == TrafficPattern::shuffle; }

struct TrafficSpec {
  int flows = 0;  // messages (for incast, responses: a multiple of fan_in; for shuffle, a multiple
                  // of width x (width - 1))
  MessageSizes sizes;
  double load = 0;  // (0, 1]
  int64_t seed = 1;
  TrafficPattern pattern = TrafficPattern::uniform;
  int stride = 0;  // for TrafficPattern::stride, in [1, hosts)
  int fan_in = 0;  // for TrafficPattern::incast, in [1, hosts)
  int width = 0;   // for TrafficPattern::shuffle, in [2, hosts]
  // For TrafficPattern::uniform, when given: the fraction of messages sent to a host on the
  // sender's switch (the one its first link reaches, on the first network: its rack on a
  // leaf-spine or fat-tree), the others to hosts on other switches. Absent: any other host.
  std::optional<double> local;
  std::string protocol;
};

struct StudyNetwork {
  std::string name;     // given in "topologies"; a lone "topology" is named by its kind
  Topology topology;
  nlohmann::json json;  // as the file gave it, for the resolved configuration
  // The host's node in the topology.
  int host(int index) const { return topology.hosts()[static_cast<std::size_t>(index)]; }
  const std::string& host_name(int index) const { return topology.name(host(index)); }
};

struct FlowStudy {
  std::vector<StudyNetwork> networks;  // every one has the same hosts, in the same order
  bool several = false;                // read from "topologies" (a list), not "topology"
  std::string protocol;                // of every message that names none
  std::vector<FlowSpec> flows;         // the listed ones, then the drawn ones
  int listed = 0;                      // how many of them the file listed
  std::optional<TrafficSpec> traffic;
};

// Reads a flow study; bad input is an InputError naming the file and JSON pointer.
FlowStudy parse_flow_study(const JsonView& root);
// Everything the run used, defaults filled in (the drawn flows are regenerated from the seed).
nlohmann::json resolved_config(const FlowStudy& study);
// A host node's injection bandwidth: the summed capacity of the channels leaving it (bytes/s).
double nic_bytes_per_s(const Topology& topology, int host);
// Draws the traffic's messages on `topology` (the study's first network), appending them to `out`.
void draw_traffic(const TrafficSpec& spec, const Topology& topology, std::vector<FlowSpec>& out);
// The hosts on one switch (TrafficSpec::local): a host that shares its switch with no other, and
// whether every host is on one switch.
std::optional<int> host_alone_on_its_switch(const Topology& topology);
bool hosts_on_one_switch(const Topology& topology);

struct FlowOutcome {
  double finish_s = 0;
  double alone_s = 0;  // completion time of the same message alone on the same path
  double completion_s(const FlowSpec& f) const { return finish_s - f.start_s; }
};

// A group of messages (FlowSpec::group): from its first start to its last finish, against the same
// group alone on the network (its messages sharing only with each other).
struct GroupOutcome {
  double start_s = 0, finish_s = 0, alone_s = 0;
  double completion_s() const { return finish_s - start_s; }
};

struct ChannelUse {
  int channel = 0;
  double wire_bytes = 0;   // payload and protocol overhead
  double utilization = 0;  // of its capacity over the study's makespan
};

struct FlowStudyResult {
  std::vector<FlowOutcome> flows;  // as FlowStudy::flows
  std::vector<GroupOutcome> groups;  // by FlowSpec::group; empty when the study has none
  std::vector<ChannelUse> channels;  // every channel that carried bytes, busiest first
  double makespan_s = 0;  // from the first start to the last finish
  FlowNetworkStats stats;
};

// The study on one of its networks.
FlowStudyResult run_flow_study(const FlowStudy& study, const StudyNetwork& network);

}  // namespace xpusim

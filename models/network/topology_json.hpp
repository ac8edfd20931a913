#pragma once
// Topologies from JSON. Either explicit:
//   {"hosts": ["client0", "server0"], "switches": ["tor"],
//    "links": [{"between": ["client0", "tor"], "gbps": 25, "latency_us": 0.5}, ...]}
// or generated: {"leaf_spine": {"leaves": 8, "spines": 4, "hosts_per_leaf": 16, "host_gbps": 100,
//   "uplink_gbps": 400, "latency_us": 0.5}}, {"fat_tree": {"k": 4, "gbps": 100, "latency_us": 0.5}}.
// Every error names the file and the JSON pointer of the value at fault.
#include <string>

#include "models/network/topology.hpp"
#include "sim/engine/json_input.hpp"

namespace xpusim {

Topology parse_topology(const JsonView& root);
Topology load_topology(const std::string& path);

}  // namespace xpusim

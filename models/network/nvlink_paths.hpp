#pragma once
// The paths NCCL's point-to-point transfers (send/receive, and so its all-to-all) take between
// GPUs of a server whose NVLinks form a mesh (a DGX-1): over the links between the two GPUs where
// there are some; else through one other GPU of the communicator over NVLink ("NVB", on unless
// NCCL_NVB_DISABLE: src/graph/paths.cc allows a path through at most one intermediate GPU), the
// one whose narrower hop has the most links; else through the host over PCIe. NCCL sees only the
// NVLinks among the GPUs it runs on (src/graph/topo.cc adds a link only to a GPU in its system).
#include <vector>

#include "models/network/topology.hpp"

namespace xpusim {

struct NvlinkPaths {
  // Hosts 0 .. d-1 are the GPUs used, in the order given; a link per linked pair (its NVLinks'
  // bandwidth), and each GPU's PCIe link to a host bridge.
  Topology topology;
  // paths[a][b]: the channels from GPU a to GPU b (empty for a == b).
  std::vector<std::vector<std::vector<int>>> paths;
};

// links[a][b]: NVLinks between devices a and b of the server (symmetric, 0 on the diagonal);
// `devices`: the distinct devices used. Each NVLink carries `link_bytes_per_s` each way, each
// GPU's PCIe link `host_bytes_per_s`. Throws std::invalid_argument for fewer than 2 devices, one
// the mesh does not have, or one given twice.
NvlinkPaths nvlink_paths(const std::vector<std::vector<int>>& links, const std::vector<int>& devices,
                         double link_bytes_per_s, double host_bytes_per_s);

}  // namespace xpusim

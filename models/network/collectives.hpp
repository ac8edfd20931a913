#pragma once
// Analytic collective times (latency + size / bus bandwidth), ring within a server and
// hierarchical across servers, as NCCL and HCCL run large all-reduces: reduce-scatter inside
// each server, all-reduce of each device's shard across servers (all of a server's shards share
// its network), all-gather inside each server. Bus bandwidth conventions follow nccl-tests
// (doc/PERFORMANCE.md): an all-reduce moves 2(n-1)/n of the buffer through each link.
#include <string>

namespace xpusim {

struct CollectiveTopology {
  int devices_per_node = 1;
  int nodes = 1;
  double fabric_bytes_per_s = 0;   // achieved, per device, one direction (inside a server)
  double fabric_step_s = 0;        // latency of one algorithm step inside a server
  double network_bytes_per_s = 0;  // achieved, per server, one direction (between servers)
  double network_latency_s = 0;    // per step between servers
};

double all_reduce_seconds(const CollectiveTopology& t, double bytes);

}  // namespace xpusim

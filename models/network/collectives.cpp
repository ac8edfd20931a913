#include "models/network/collectives.hpp"

namespace xpusim {

double all_reduce_seconds(const CollectiveTopology& t, double bytes) {
  const double d = t.devices_per_node, n = t.nodes;
  if (d * n <= 1 || bytes <= 0) return 0;
  // Reduce-scatter and all-gather inside the server: (d-1)/d of the buffer each, d-1 steps each.
  const double intra = d > 1 ? 2 * ((d - 1) / d * bytes / t.fabric_bytes_per_s + (d - 1) * t.fabric_step_s) : 0;
  if (n <= 1) return intra;
  // Across servers: every device's shard, b/d, in a ring of n servers, all d shards at once
  // through the server's network.
  const double inter = 2 * (n - 1) / n * bytes / t.network_bytes_per_s + 2 * (n - 1) * t.network_latency_s;
  return intra + inter;
}

}  // namespace xpusim

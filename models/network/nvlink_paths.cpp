#include "models/network/nvlink_paths.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace xpusim {

NvlinkPaths nvlink_paths(const std::vector<std::vector<int>>& links, const std::vector<int>& devices,
                         double link_bytes_per_s, double host_bytes_per_s) {
  const auto d = devices.size();
  auto known = [&](int g) { return g >= 0 && static_cast<std::size_t>(g) < links.size(); };
  std::vector<int> sorted = devices;
  std::sort(sorted.begin(), sorted.end());
  if (d < 2 || !std::all_of(devices.begin(), devices.end(), known) ||
      std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    throw std::invalid_argument("nvlink_paths: 2 or more distinct devices of the mesh");
  auto between = [&](std::size_t a, std::size_t b) {
    return links[static_cast<std::size_t>(devices[a])][static_cast<std::size_t>(devices[b])];
  };
  NvlinkPaths out;
  Topology& t = out.topology;
  for (int g : devices) t.add_host("gpu" + std::to_string(g));
  const int bridge = t.add_switch("host-bridge");
  std::vector<int> pcie(d);  // each GPU's link to the bridge
  for (std::size_t a = 0; a < d; ++a) pcie[a] = t.add_link(static_cast<int>(a), bridge, host_bytes_per_s, 0);
  std::map<std::pair<std::size_t, std::size_t>, int> nvlink;  // (a, b), a < b: its link
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t b = a + 1; b < d; ++b)
      if (between(a, b) > 0)
        nvlink[{a, b}] = t.add_link(static_cast<int>(a), static_cast<int>(b), between(a, b) * link_bytes_per_s, 0);
  // The channel from a to b over their NVLinks (channel 2i runs from the link's first end).
  auto hop = [&](std::size_t a, std::size_t b) {
    const int link = nvlink.at({std::min(a, b), std::max(a, b)});
    return 2 * link + (a < b ? 0 : 1);
  };
  out.paths.assign(d, std::vector<std::vector<int>>(d));
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t b = 0; b < d; ++b) {
      if (a == b) continue;
      std::vector<int>& path = out.paths[a][b];
      if (between(a, b) > 0) {
        path = {hop(a, b)};
        continue;
      }
      std::size_t via = d;
      int widest = 0;  // links on the narrower hop through `via`
      for (std::size_t k = 0; k < d; ++k)
        if (k != a && k != b && std::min(between(a, k), between(k, b)) > widest) {
          widest = std::min(between(a, k), between(k, b));
          via = k;
        }
      path = via < d ? std::vector<int>{hop(a, via), hop(via, b)}
                     : std::vector<int>{2 * pcie[a], 2 * pcie[b] + 1};  // up to the bridge, down to b
    }
  return out;
}

}  // namespace xpusim

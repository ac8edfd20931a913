#include "models/remote/pool_topology.hpp"

namespace xpusim {

PoolTopology build_pool_topology(const PoolTopologySpec& spec) {
  PoolTopology p;
  Topology& t = p.topology;
  std::vector<int> tors;
  if (spec.racks.empty()) {
    tors.push_back(t.add_switch("top-of-rack"));
  } else {
    const int spine = t.add_switch("spine");
    for (const auto& r : spec.racks) {
      tors.push_back(t.add_switch(r.name + "/top-of-rack"));
      p.rack_uplinks.push_back(t.add_link(tors.back(), spine, r.uplink_bytes_per_s, spec.link_latency_s));
    }
  }
  auto tor_of = [&](int rack) { return spec.racks.empty() ? tors[0] : tors.at(static_cast<std::size_t>(rack)); };
  for (const auto& c : spec.clients) {
    const int h = t.add_host(c.name);
    p.client_hosts.push_back(h);
    p.client_nic_links.push_back(t.add_link(h, tor_of(c.rack), c.nic_bytes_per_s, spec.link_latency_s));
  }
  for (const auto& s : spec.servers) {
    const int pcie = t.add_switch(s.name + "/pcie");
    p.server_nic_links.push_back(t.add_link(pcie, tor_of(s.rack), s.nic_bytes_per_s, spec.link_latency_s));
    auto& gpus = p.gpu_hosts.emplace_back();
    auto& uplinks = p.pcie_switch_uplinks.emplace_back();
    auto& switch_of = p.gpu_pcie_switch.emplace_back();
    int below = pcie;  // where the next GPU attaches
    for (int g = 0; g < s.gpus; ++g) {
      if (s.gpus_per_switch > 0 && g % s.gpus_per_switch == 0) {
        below = t.add_switch(s.name + "/pcie-switch" + std::to_string(g / s.gpus_per_switch));
        uplinks.push_back(t.add_link(below, pcie, spec.pcie_bytes_per_s, 0));
      }
      switch_of.push_back(static_cast<int>(uplinks.size()) - 1);
      gpus.push_back(t.add_host(s.name + "/gpu" + std::to_string(g)));
      t.add_link(gpus.back(), below, spec.pcie_bytes_per_s, 0);
    }
    // The host reaches each GPU over that GPU's own lanes, so a local client of several GPUs
    // copies to all of them at once.
    p.local_hosts.push_back(t.add_host(s.name + "/host"));
    t.add_link(p.local_hosts.back(), pcie, spec.pcie_bytes_per_s * s.gpus, 0);
  }
  return p;
}

}  // namespace xpusim

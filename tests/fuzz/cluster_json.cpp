// Fuzz target: the pooled-GPU cluster file reader (sim/scenario/cluster_study.hpp). An accepted
// study must be runnable as read: servers, clients and jobs that name each other, GPUs the
// servers have (all of a job's replicas on one), memory fractions in (0, 1] summing to at most 1
// per GPU placed by hand, positive bandwidths, known protocols, racks that servers and clients are
// in (or none at all), and a configuration that can be written back out.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "models/catalog/catalog.hpp"
#include "models/cpu/host_profile.hpp"
#include "models/network/protocol.hpp"
#include "sim/engine/dates.hpp"
#include "sim/scenario/cluster_study.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "workloads/zoo/model_zoo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace xpusim;
  using fuzz::expect;
  // The host is described by a committed profile, never probed while fuzzing.
  static const bool once = (use_host_profile_file(XPUSIM_SOURCE_DIR "/tests/golden/host_profile_zen5.json"), true);
  (void)once;
  const Catalog& catalog = Catalog::builtin();
  ClusterStudy s;
  if (!fuzz::accepted([&] {
        const auto doc = parse_json_text(fuzz::as_text(data, size), "cluster.json");
        s = parse_cluster_study(JsonView(doc, "cluster.json"), catalog);
      }))
    return 0;
  expect(!s.networks.empty() && !s.servers.empty() && !s.jobs.empty(), "no network, server or job");
  const auto protocols = protocol_names();
  for (const auto& n : s.networks) {
    expect(std::find(protocols.begin(), protocols.end(), n.protocol) != protocols.end(), "unknown protocol");
    expect(std::isfinite(n.link_latency_us) && n.link_latency_us >= 0, "bad link latency");
    expect(n.client_nic_gbps >= 0 && n.server_nic_gbps >= 0, "negative NIC speed");
    expect(n.uplink_gbps >= 0 && (n.uplink_gbps == 0 || !s.racks.empty()), "uplink speed without racks");
  }
  expect(s.pcie_gbytes_per_s > 0 && std::isfinite(s.pcie_gbytes_per_s), "PCIe bandwidth not positive");
  expect(s.price_date.empty() || is_iso_date(s.price_date), "price date not YYYY-MM-DD");
  std::set<std::string> hosts;
  for (const auto& r : s.racks) {
    expect(!r.name.empty() && hosts.insert(r.name).second, "rack name empty or repeated");
    expect(r.uplink_gbps > 0 && std::isfinite(r.uplink_gbps), "rack uplink not positive");
  }
  auto in_a_rack = [&](int rack) {
    return s.racks.empty() ? rack == 0 : rack >= 0 && static_cast<std::size_t>(rack) < s.racks.size();
  };
  std::map<std::string, const ClusterServer*> servers;
  for (const auto& x : s.servers) {
    expect(!x.name.empty() && hosts.insert(x.name).second, "server name empty or repeated");
    expect(catalog.has_instance(x.instance), "unknown server instance");
    expect(x.nic_gbps > 0 && std::isfinite(x.nic_gbps), "server NIC not positive");
    expect(in_a_rack(x.rack), "server in no rack of the cluster");
    servers[x.name] = &x;
  }
  for (const auto& c : s.clients) {
    expect(!c.name.empty() && hosts.insert(c.name).second, "client name empty or repeated");
    expect(c.instance.empty() || catalog.has_instance(c.instance), "unknown client instance");
    expect(c.nic_gbps > 0 && std::isfinite(c.nic_gbps), "client NIC not positive");
    expect(in_a_rack(c.rack), "client in no rack of the cluster");
  }
  std::set<std::string> names;
  std::map<std::pair<std::string, int>, double> shares;
  for (const auto& j : s.jobs) {
    expect(names.insert(j.name).second, "job name repeated");
    expect(hosts.count(j.client) && !servers.count(j.client), "a job's client is not a client");
    expect(ModelRegistry::instance().find(j.model) != nullptr, "unknown model");
    expect(j.fraction > 0 && j.fraction <= 1, "fraction outside (0, 1]");
    expect(j.batch >= 1 && j.iterations >= 1 && j.seq_len >= 0, "batch, iterations or sequence length < 1");
    expect(std::isfinite(j.submit_s) && j.submit_s >= 0, "submit time not finite and >= 0");
    // Some server (the job's own, if it names one) has every GPU the job's replicas need.
    int most = 0;
    for (const auto& x : s.servers)
      if (j.server.empty() || x.name == j.server) most = std::max(most, catalog.devices_per_target(x.instance));
    expect(j.gpus >= 1 && j.gpus <= most, "a job needs GPUs no server has");
    expect(j.server.empty() == j.gpu_ids.empty(), "GPUs named without a server, or a server without its GPUs");
    if (j.server.empty()) continue;
    expect(servers.count(j.server) == 1, "a job's server is not a server");
    expect(static_cast<int>(j.gpu_ids.size()) == j.gpus, "not one GPU per replica");
    std::set<int> distinct(j.gpu_ids.begin(), j.gpu_ids.end());
    expect(distinct.size() == j.gpu_ids.size(), "a GPU given to two replicas");
    expect(*distinct.begin() >= 0 && *distinct.rbegin() < most, "a GPU the server lacks");
    for (int g : j.gpu_ids) {
      shares[{j.server, g}] += j.fraction;
      expect(shares[{j.server, g}] <= 1 + 1e-9, "fractions of one GPU sum past 1");
    }
  }
  (void)resolved_config(s).dump();
  return 0;
}

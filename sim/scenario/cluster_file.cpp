// Reading a pooled-GPU cluster file (sim/scenario/cluster_study.hpp), strictly: every error
// names the file and the JSON pointer.
#include "sim/scenario/cluster_study.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "models/network/protocol.hpp"
#include "sim/engine/dates.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

namespace {

int gpus_of(const Catalog& catalog, const std::string& instance) {
  const InstanceType& t = catalog.instance(instance);
  return t.accelerators ? t.accelerators->count : 0;
}

std::string instance_name(const JsonView& v, const Catalog& catalog) {
  const std::string name = v.as_string();
  if (!catalog.has_instance(name)) v.fail("unknown instance \"" + name + "\"; known: " + catalog.instance_names_joined());
  return name;
}

std::string unique_name(const JsonView& v, std::set<std::string>& seen) {
  const std::string name = v.as_string();
  if (name.empty()) v.fail("name must not be empty");
  if (!seen.insert(name).second) v.fail("duplicate name \"" + name + "\"");
  return name;
}

// The rack a server or client is in: required where the cluster has racks, refused where it has
// none.
int rack_of(const JsonView& v, const std::vector<ClusterRack>& racks) {
  const auto r = v.find("rack");
  if (racks.empty()) {
    if (r) r->fail("the cluster has no \"racks\"");
    return 0;
  }
  if (!r) v.fail("\"rack\" is required where the cluster has \"racks\"");
  const std::string name = r->as_string();
  for (std::size_t i = 0; i < racks.size(); ++i)
    if (racks[i].name == name) return static_cast<int>(i);
  r->fail("unknown rack \"" + name + "\"");
}

RemotingCosts parse_remoting(const JsonView& v) {
  v.allow_only({"request_bytes", "response_bytes", "client_call_us", "server_call_us", "launch_window"});
  RemotingCosts c;
  if (auto x = v.find("request_bytes")) c.request_bytes = x->as_number_in(1, 1e9);
  if (auto x = v.find("response_bytes")) c.response_bytes = x->as_number_in(1, 1e9);
  if (auto x = v.find("client_call_us")) c.client_call_s = x->as_number_in(0, 1e6) * 1e-6;
  if (auto x = v.find("server_call_us")) c.server_call_s = x->as_number_in(0, 1e6) * 1e-6;
  if (auto x = v.find("launch_window")) c.launch_window = static_cast<int>(x->as_integer_in(1, 1 << 20));
  return c;
}

ClusterJob parse_job(const JsonView& v, const ClusterStudy& s, const Catalog& catalog, std::set<std::string>& names) {
  v.allow_only({"name", "client", "server", "gpu", "gpus", "buckets", "fraction", "submit_s", "model", "mode",
                "precision", "batch", "seq_len", "iterations"});
  ClusterJob j;
  j.name = unique_name(v.at("name"), names);
  const auto client = v.at("client");
  j.client = client.as_string();
  if (std::none_of(s.clients.begin(), s.clients.end(), [&](const ClusterClient& c) { return c.name == j.client; }))
    client.fail("unknown client \"" + j.client + "\"");
  if (auto t = v.find("submit_s")) j.submit_s = t->as_number_in(0, 1e9);
  const auto server = v.find("server");
  if (!server) {
    if (auto g = v.find("gpu")) g->fail("a GPU index needs a \"server\"");
    for (const auto& x : s.servers)
      if (catalog.make_device(x.instance)->name() != catalog.make_device(s.servers[0].instance)->name())
        v.fail("a job without a \"server\" is placed by the pool, whose GPUs must then be of one type (" +
               s.servers[0].instance + " and " + x.instance + " differ)");
  }
  auto it = s.servers.begin();
  if (server) {
    j.server = server->as_string();
    it = std::find_if(s.servers.begin(), s.servers.end(), [&](const ClusterServer& x) { return x.name == j.server; });
    if (it == s.servers.end()) server->fail("unknown server \"" + j.server + "\"");
  }
  const auto listed = v.find("gpu");
  const bool list = listed && listed->raw().is_array();
  const auto count_given = v.find("gpus");
  const JsonView& gpus_at = count_given ? *count_given : v;  // where a count that does not fit is reported
  if (count_given) {
    j.gpus = static_cast<int>(count_given->as_integer_in(1, 1 << 20));
    if (list && static_cast<std::size_t>(j.gpus) != listed->size())
      count_given->fail(fmt::format("{} GPUs, but \"gpu\" lists {}", j.gpus, listed->size()));
  } else if (list) {
    j.gpus = static_cast<int>(listed->size());
  }
  if (!server) {
    int most = 0;
    for (const auto& x : s.servers) most = std::max(most, gpus_of(catalog, x.instance));
    if (j.gpus > most) gpus_at.fail(fmt::format("no server has {} GPUs (at most {})", j.gpus, most));
  } else {
    // Replicas on the GPUs listed, or on GPUs gpu, gpu + 1, ... of the server.
    const int count = gpus_of(catalog, it->instance);
    auto in_server = [&](const JsonView& at, int64_t g) {
      if (g < 0 || g >= count) at.fail(fmt::format("server \"{}\" has GPUs 0 to {}, not {}", j.server, count - 1, g));
      return static_cast<int>(g);
    };
    if (list) {
      if (listed->size() == 0) listed->fail("a list of GPUs needs at least one");
      for (const auto& x : listed->items()) {
        const int g = in_server(x, x.as_integer());
        if (std::find(j.gpu_ids.begin(), j.gpu_ids.end(), g) != j.gpu_ids.end()) x.fail(fmt::format("GPU {} is listed twice", g));
        j.gpu_ids.push_back(g);
      }
    } else {
      const int first = listed ? in_server(*listed, listed->as_integer()) : 0;
      if (first + j.gpus > count)
        gpus_at.fail(fmt::format("server \"{}\" has GPUs 0 to {}: {} from GPU {} do not fit", j.server, count - 1,
                                      j.gpus, first));
      for (int g = first; g < first + j.gpus; ++g) j.gpu_ids.push_back(g);
    }
  }
  if (auto f = v.find("fraction")) {
    j.fraction = f->as_number();
    if (!(j.fraction > 0 && j.fraction <= 1)) f->fail(fmt::format("fraction must be in (0, 1], found {}", j.fraction));
  }
  const auto model = v.at("model");
  j.model = model.as_string();
  const ModelInfo* info = ModelRegistry::instance().find(j.model);
  if (!info) model.fail(ModelRegistry::instance().unknown(j.model, "model"));
  if (auto m = v.find("mode")) {
    const std::string mode = m->as_string();
    if (mode != "training" && mode != "inference") m->fail("mode must be \"training\" or \"inference\"");
    j.mode = mode == "training" ? Mode::training : Mode::inference;
  }
  if (auto b = v.find("buckets")) {
    if (j.mode != Mode::training) b->fail("an inference job has no gradients to bucket");
    const auto policy = GradientBuckets::named(b->as_string());
    if (!policy) b->fail("unknown gradient exchange \"" + b->as_string() + "\" (known: ddp, horovod)");
    j.buckets = *policy;
  }
  if (auto p = v.find("precision")) {
    const auto parsed = parse_precision(p->as_string());
    if (!parsed) p->fail("unknown precision \"" + p->as_string() + "\"");
    j.precision = *parsed;
  }
  if (auto b = v.find("batch")) j.batch = b->as_integer_in(1, 65536);
  if (auto q = v.find("seq_len")) {
    if (info->default_seq_len == 0) q->fail("model \"" + j.model + "\" has no sequence length");
    j.seq_len = q->as_integer_in(1, 65536);
  }
  if (auto n = v.find("iterations")) j.iterations = static_cast<int>(n->as_integer_in(1, 100000));
  return j;
}

NetworkVariant parse_network(const JsonView& v, NetworkVariant n) {
  if (auto p = v.find("protocol")) n.protocol = protocol_name(*p);
  if (auto l = v.find("link_latency_us")) n.link_latency_us = l->as_number_in(0, 1e6);
  if (auto c = v.find("client_nic_gbps")) n.client_nic_gbps = c->as_number_in(0.001, 1e6);
  if (auto x = v.find("server_nic_gbps")) n.server_nic_gbps = x->as_number_in(0.001, 1e6);
  if (auto u = v.find("uplink_gbps")) n.uplink_gbps = u->as_number_in(0.001, 1e6);
  n.label = n.protocol;
  if (auto l = v.find("label")) n.label = l->as_string();
  return n;
}

}  // namespace

std::optional<PoolPlacement> placement_named(const std::string& name) {
  if (name == "pack") return PoolPlacement::pack;
  if (name == "spread") return PoolPlacement::spread;
  if (name == "near") return PoolPlacement::near;
  return std::nullopt;
}

const char* placement_name(PoolPlacement placement) {
  switch (placement) {
    case PoolPlacement::pack: return "pack";
    case PoolPlacement::spread: return "spread";
    case PoolPlacement::near: return "near";
  }
  return "";
}

ClusterStudy parse_cluster_study(const JsonView& root, const Catalog& catalog) {
  root.allow_only({"cluster", "networks", "jobs", "interference", "remoting", "placement", "price_date"});
  ClusterStudy s;
  const auto cluster = root.at("cluster");
  cluster.allow_only({"protocol", "link_latency_us", "pcie_gbytes_per_s", "racks", "servers", "clients"});
  std::set<std::string> hosts;  // names of servers, clients and racks (all name switches or hosts)
  if (auto racks = cluster.find("racks")) {
    racks->expect_array();
    if (racks->size() == 0) racks->fail("\"racks\" lists no rack");
    for (const auto& v : racks->items()) {
      v.allow_only({"name", "uplink_gbps"});
      s.racks.push_back({unique_name(v.at("name"), hosts), v.at("uplink_gbps").as_number_in(0.001, 1e6)});
    }
  }
  const NetworkVariant own = parse_network(cluster, {});
  if (auto list = root.find("networks")) {
    list->expect_array();
    if (list->size() == 0) list->fail("\"networks\" lists no network");
    for (const auto& v : list->items()) {
      v.allow_only({"label", "protocol", "link_latency_us", "client_nic_gbps", "server_nic_gbps", "uplink_gbps"});
      s.networks.push_back(parse_network(v, own));
      if (s.networks.back().uplink_gbps > 0 && s.racks.empty()) v.at("uplink_gbps").fail("the cluster has no \"racks\"");
    }
  } else {
    s.networks.push_back(own);
  }
  if (auto b = cluster.find("pcie_gbytes_per_s")) s.pcie_gbytes_per_s = b->as_number_in(0.001, 1e4);
  const auto servers = cluster.at("servers");
  servers.expect_array();
  if (servers.size() == 0) servers.fail("a cluster needs at least one GPU server");
  for (const auto& v : servers.items()) {
    v.allow_only({"name", "instance", "nic_gbps", "rack", "gpus_per_pcie_switch"});
    ClusterServer x;
    x.name = unique_name(v.at("name"), hosts);
    x.rack = rack_of(v, s.racks);
    x.instance = instance_name(v.at("instance"), catalog);
    const InstanceType& t = catalog.instance(x.instance);
    if (gpus_of(catalog, x.instance) == 0 || catalog.make_device(x.instance)->device_class() != "gpu")
      v.at("instance").fail("instance \"" + x.instance + "\" has no GPUs to pool");
    if (auto n = v.find("nic_gbps")) x.nic_gbps = n->as_number_in(0.001, 1e6);
    else if (t.network_gbps > 0) x.nic_gbps = t.network_gbps;
    else v.fail("server \"" + x.name + "\" needs \"nic_gbps\" (its instance has no network figure)");
    if (auto n = v.find("gpus_per_pcie_switch"))
      x.gpus_per_pcie_switch = static_cast<int>(n->as_integer_in(1, gpus_of(catalog, x.instance)));
    s.servers.push_back(x);
  }
  const auto clients = cluster.at("clients");
  clients.expect_array();
  for (const auto& v : clients.items()) {
    v.allow_only({"name", "instance", "nic_gbps", "rack"});
    ClusterClient c;
    c.name = unique_name(v.at("name"), hosts);
    c.rack = rack_of(v, s.racks);
    if (auto i = v.find("instance")) c.instance = instance_name(*i, catalog);
    c.nic_gbps = v.at("nic_gbps").as_number_in(0.001, 1e6);
    s.clients.push_back(c);
  }
  if (auto r = root.find("remoting")) s.remoting = parse_remoting(*r);
  if (auto i = root.find("interference")) {
    i->allow_only({"mode", "seed"});
    const std::string mode = i->at("mode").as_string();
    if (mode != "median" && mode != "sampled") i->at("mode").fail("mode must be \"median\" or \"sampled\"");
    s.sharing.sampled = mode == "sampled";
    if (auto seed = i->find("seed")) s.sharing.seed = static_cast<uint64_t>(seed->as_integer_in(0, INT64_MAX));
  }
  if (auto d = root.find("price_date")) {
    s.price_date = d->as_string();
    if (!is_iso_date(s.price_date)) d->fail("expected a date YYYY-MM-DD, found \"" + s.price_date + "\"");
  }
  if (auto p = root.find("placement")) {
    const auto placement = placement_named(p->as_string());
    if (!placement) p->fail("placement must be \"pack\", \"spread\" or \"near\"");
    s.placement = *placement;
  }
  const auto jobs = root.at("jobs");
  jobs.expect_array();
  if (jobs.size() == 0) jobs.fail("a cluster study needs at least one job");
  std::set<std::string> names;
  std::map<std::pair<std::string, int>, double> memory_shares;
  for (const auto& v : jobs.items()) {
    ClusterJob j = parse_job(v, s, catalog, names);
    s.jobs.push_back(j);
    if (j.server.empty()) continue;
    for (int g : j.gpu_ids) {
      double& share = memory_shares[{j.server, g}];
      share += j.fraction;
      if (share > 1 + 1e-9)
        v.fail(fmt::format("fractions of {}/gpu{} sum to {:.3g} with this job (at most 1)", j.server, g, share));
    }
  }
  return s;
}

// A job's GPUs as the file may give them: none (the pool places it), the first of consecutive
// ones, or the list.
nlohmann::json gpu_json(const ClusterJob& j) {
  if (j.gpu_ids.empty()) return nullptr;
  for (std::size_t r = 1; r < j.gpu_ids.size(); ++r)
    if (j.gpu_ids[r] != j.gpu_ids[0] + static_cast<int>(r)) return j.gpu_ids;
  return j.gpu_ids[0];
}

nlohmann::json resolved_config(const ClusterStudy& s) {
  nlohmann::json servers = nlohmann::json::array(), clients = nlohmann::json::array(), jobs = nlohmann::json::array();
  // Racks appear only where the file has them, so that a rackless cluster resolves as before.
  auto with_rack = [&](nlohmann::json host, int rack) {
    if (!s.racks.empty()) host["rack"] = s.racks[static_cast<std::size_t>(rack)].name;
    return host;
  };
  for (const auto& x : s.servers) {
    nlohmann::json server = with_rack({{"name", x.name}, {"instance", x.instance}, {"nic_gbps", x.nic_gbps}}, x.rack);
    if (x.gpus_per_pcie_switch > 0) server["gpus_per_pcie_switch"] = x.gpus_per_pcie_switch;
    servers.push_back(server);
  }
  for (const auto& c : s.clients)
    clients.push_back(with_rack({{"name", c.name}, {"instance", c.instance.empty() ? nlohmann::json() : nlohmann::json(c.instance)},
                                 {"nic_gbps", c.nic_gbps}},
                                c.rack));
  for (const auto& j : s.jobs)
    jobs.push_back({{"name", j.name}, {"client", j.client},
                    {"server", j.server.empty() ? nlohmann::json() : nlohmann::json(j.server)},
                    {"gpu", gpu_json(j)}, {"gpus", j.gpus},
                    {"buckets", j.mode == Mode::training ? nlohmann::json(j.buckets.name) : nlohmann::json()},
                    {"fraction", j.fraction},
                    {"submit_s", j.submit_s},
                    {"model", j.model}, {"mode", j.mode == Mode::training ? "training" : "inference"},
                    {"precision", precision_name(j.precision)}, {"batch", j.batch}, {"seq_len", j.seq_len},
                    {"iterations", j.iterations}});
  nlohmann::json networks = nlohmann::json::array();
  for (const auto& n : s.networks)
    networks.push_back({{"label", n.label}, {"protocol", n.protocol}, {"link_latency_us", n.link_latency_us},
                        {"client_nic_gbps", n.client_nic_gbps > 0 ? nlohmann::json(n.client_nic_gbps) : nlohmann::json()},
                        {"server_nic_gbps", n.server_nic_gbps > 0 ? nlohmann::json(n.server_nic_gbps) : nlohmann::json()}});
  const RemotingCosts& r = s.remoting;
  nlohmann::json cluster = {{"pcie_gbytes_per_s", s.pcie_gbytes_per_s}, {"servers", servers}, {"clients", clients}};
  if (!s.racks.empty()) {
    nlohmann::json racks = nlohmann::json::array();
    for (const auto& r : s.racks) racks.push_back({{"name", r.name}, {"uplink_gbps", r.uplink_gbps}});
    cluster["racks"] = racks;
  }
  for (std::size_t i = 0; i < s.networks.size(); ++i)
    if (s.networks[i].uplink_gbps > 0) networks[i]["uplink_gbps"] = s.networks[i].uplink_gbps;
  return {{"cluster", cluster},
          {"networks", networks},
          {"remoting", {{"request_bytes", r.request_bytes}, {"response_bytes", r.response_bytes},
                        {"client_call_us", r.client_call_s * 1e6}, {"server_call_us", r.server_call_s * 1e6},
                        {"launch_window", r.launch_window}}},
          {"interference", {{"mode", s.sharing.sampled ? "sampled" : "median"}, {"seed", s.sharing.seed}}},
          {"placement", placement_name(s.placement)},
          {"price_date", s.price_date.empty() ? nlohmann::json() : nlohmann::json(s.price_date)},
          {"jobs", jobs}};
}

}  // namespace xpusim

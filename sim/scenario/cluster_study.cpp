// Running a pooled-GPU cluster study: every job through the remote-GPU pool, and alone on a
// local GPU of its kind for its slowdown.
#include "sim/scenario/cluster_study.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "models/gpu/gpu_device.hpp"
#include "models/memory/footprint.hpp"
#include "models/network/protocol.hpp"
#include "models/remote/pool_topology.hpp"
#include "models/training/collective_protocols.hpp"
#include "models/training/data_parallel.hpp"
#include "models/training/server_collective.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim {

namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

// All-reduce flows over a server's PCIe links in the pool: those links run at what copies achieve
// (the cluster's pcie_gbytes_per_s), so no further overhead; NCCL's Simple latency per step
// (gradient buckets are large enough that NCCL picks Simple; the pool's fabrics are NCCL's).
ProtocolProfile pcie_collective(const Fabric& f) {
  ProtocolProfile p;
  p.name = f.name;
  p.description = "gradient all-reduce over the server's PCIe switch";
  p.packet_payload_bytes = 1;
  p.endpoint_latency_s = f.nccl_gpus.empty() ? f.step_latency_s : nccl_protocol(f.nccl_gpus, true, "Simple").fabric_step_s;
  return p;
}

ClusterStudyResult run_on(const Catalog& catalog, const ClusterStudy& s, const NetworkVariant& network) {
  PoolTopologySpec spec;
  spec.pcie_bytes_per_s = s.pcie_gbytes_per_s * 1e9;
  spec.link_latency_s = network.link_latency_us * 1e-6;
  std::map<std::string, int> server_index, client_index;
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<double> server_gbps, client_gbps;
  for (const auto& x : s.servers) {
    server_index[x.name] = static_cast<int>(spec.servers.size());
    server_gbps.push_back(network.server_nic_gbps > 0 ? network.server_nic_gbps : x.nic_gbps);
    spec.servers.push_back(
        {x.name, catalog.devices_per_target(x.instance), server_gbps.back() * 1e9 / 8, x.rack, x.gpus_per_pcie_switch});
    devices.push_back(catalog.make_device(x.instance));
  }
  for (const auto& c : s.clients) {
    client_index[c.name] = static_cast<int>(spec.clients.size());
    client_gbps.push_back(network.client_nic_gbps > 0 ? network.client_nic_gbps : c.nic_gbps);
    spec.clients.push_back({c.name, client_gbps.back() * 1e9 / 8, c.rack});
  }
  std::vector<double> uplink_gbps;
  for (const auto& r : s.racks) {
    uplink_gbps.push_back(network.uplink_gbps > 0 ? network.uplink_gbps : r.uplink_gbps);
    spec.racks.push_back({r.name, uplink_gbps.back() * 1e9 / 8});
  }
  const PoolTopology pool = build_pool_topology(spec);
  const ProtocolProfile& protocol = protocol_profile(network.protocol);

  // One GPU index per (server, gpu), in server order.
  std::vector<PoolGpu> gpus;
  std::vector<std::string> gpu_names;
  std::vector<int> first_gpu, server_of_gpu;
  int switches = 0;  // numbered across servers
  for (std::size_t i = 0; i < s.servers.size(); ++i) {
    first_gpu.push_back(static_cast<int>(gpus.size()));
    for (int g = 0; g < spec.servers[i].gpus; ++g) {
      const auto at = static_cast<std::size_t>(g);
      const int on = pool.gpu_pcie_switch[i][at];
      gpus.push_back({pool.gpu_hosts[i][at], &interference_for(devices[i]->name()), static_cast<int>(i), g,
                      on < 0 ? -1 : switches + on});
      gpu_names.push_back(fmt::format("{}/gpu{}", s.servers[i].name, g));
      server_of_gpu.push_back(static_cast<int>(i));
    }
    switches += static_cast<int>(pool.pcie_switch_uplinks[i].size());
  }

  ClusterStudyResult out;
  out.network = network.label;
  out.placement = placement_name(s.placement);
  std::map<std::string, ProtocolProfile> pcie_collectives;  // by fabric; jobs point at them
  std::vector<TenantJob> tenants;
  std::vector<std::vector<std::size_t>> tenants_of_row;  // a job's replicas
  std::vector<std::size_t> row_of_tenant;
  for (const ClusterJob& j : s.jobs) {
    ClusterJobResult row;
    row.job = j;
    // A job the pool places runs on a GPU of the one type every server has.
    const int server = j.server.empty() ? 0 : server_index.at(j.server);
    Device& device = *devices[static_cast<std::size_t>(server)];
    const bool eager = device.execution_style(j.mode) == ExecutionStyle::eager;
    const Graph g = device.lower(build_model(j.model, {j.batch, j.precision, j.mode, j.seq_len, eager}), SoftwareSetup{});
    row.memory_gib_needed = static_cast<double>(footprint(g).total()) / kGiB;
    row.memory_gib_share = j.fraction * static_cast<double>(device.memory_bytes()) / kGiB;
    row.fits = row.memory_gib_needed <= row.memory_gib_share;
    out.jobs.push_back(row);
    tenants_of_row.emplace_back();
    if (!row.fits) continue;
    TenantJob t;
    t.name = j.name;
    t.client_host = pool.client_hosts[static_cast<std::size_t>(client_index.at(j.client))];
    t.submit_s = j.submit_s;
    t.fraction = j.fraction;
    for (const Kernel& k : g.kernels) t.kernel_s.push_back(device.cost(k).total_s);
    if (j.gpus > 1) {
      t.group = static_cast<int>(out.jobs.size() - 1);
      if (j.mode == Mode::training) {
        // Bucket by bucket as backward fills them (PyTorch DDP's 25 MiB, or Horovod's fusion
        // buffer on its cycle), each over the server's fabric (the pool's servers have one GPU
        // type): on a mesh, over the links among the GPUs the job is given, timed once placed. A
        // PCIe fabric is the pool's own PCIe links, which the all-reduce then shares with the copies.
        const InstanceType& instance = catalog.instance(s.servers[static_cast<std::size_t>(server)].instance);
        const Fabric& fabric = catalog.fabric(instance.accelerators->fabric);
        const std::vector<GradientBucket> buckets = gradient_buckets(g, j.buckets);
        ServerCollective all_reduce(catalog, instance, j.gpus, 1);
        for (const GradientBucket& b : buckets)
          t.all_reduces.push_back({b.last_kernel, fabric.mesh.empty() ? all_reduce.seconds(b.bytes) : 0, b.bytes});
        if (!fabric.mesh.empty())
          t.all_reduce_seconds_on = [&catalog, &instance, buckets](const std::vector<int>& on) {
            ServerCollective among(catalog, instance, static_cast<int>(on.size()), 1, ServerCollectiveOp::all_reduce, on);
            std::vector<double> seconds;
            for (const GradientBucket& b : buckets) seconds.push_back(among.seconds(b.bytes));
            return seconds;
          };
        t.all_reduce_cycle_s = j.buckets.cycle_s;
        if (fabric.over_pcie)
          t.all_reduce_protocol = &pcie_collectives.try_emplace(fabric.name, pcie_collective(fabric)).first->second;
        const auto update =
            std::find_if(g.kernels.begin(), g.kernels.end(), [](const Kernel& k) { return k.pass == Pass::update; });
        t.update_kernel = static_cast<int>(update - g.kernels.begin());
      }
    }
    t.dispatch_s = dynamic_cast<GpuDevice&>(device).spec().fitted.op_overhead_us * 1e-6;
    const StepTransfers io = step_transfers(j.model, j.batch, j.seq_len, j.mode);
    t.to_device_bytes = io.to_device;
    t.from_device_bytes = io.from_device;
    t.iterations = j.iterations;
    t.protocol = &protocol;
    t.costs = s.remoting;
    for (int r = 0; r < j.gpus; ++r) {
      t.gpu = j.server.empty() ? -1 : first_gpu[static_cast<std::size_t>(server)] + j.gpu_ids[static_cast<std::size_t>(r)];
      t.gpu_host = t.gpu < 0 ? 0 : gpus[static_cast<std::size_t>(t.gpu)].host;
      tenants_of_row.back().push_back(tenants.size());
      row_of_tenant.push_back(out.jobs.size() - 1);
      tenants.push_back(t);
    }
  }

  FlowNetwork net(pool.topology);
  const PoolResult shared = run_gpu_pool(net, tenants, gpus, s.sharing, s.placement);
  double samples_per_s = 0;
  for (std::size_t r = 0; r < out.jobs.size(); ++r) {
    if (tenants_of_row[r].empty()) continue;
    ClusterJobResult& row = out.jobs[r];
    // The same job alone on the GPUs it ran on, from its server itself, arriving at time 0. A job
    // takes as long per iteration as its slowest replica.
    std::vector<TenantJob> locals;
    for (std::size_t i : tenants_of_row[r]) {
      const TenantResult& ran = shared.tenants[i];
      const int server = server_of_gpu[static_cast<std::size_t>(ran.gpu)];
      const int index = ran.gpu - first_gpu[static_cast<std::size_t>(server)];
      row.gpu += row.gpu.empty() ? gpu_names[static_cast<std::size_t>(ran.gpu)] : fmt::format("+gpu{}", index);
      row.start_s = ran.start_s;
      row.finish_s = std::max(row.finish_s, ran.iteration_end_s.back());
      row.iteration_ms = std::max(row.iteration_ms, ran.seconds_per_iteration() * 1e3);
      TenantJob local = tenants[i];
      local.client_host = pool.local_hosts[static_cast<std::size_t>(server)];
      local.protocol = &ideal_protocol();
      local.costs = RemotingCosts::local();
      local.gpu = ran.gpu;
      local.gpu_host = gpus[static_cast<std::size_t>(ran.gpu)].host;
      local.submit_s = 0;
      locals.push_back(local);
    }
    FlowNetwork alone(pool.topology);
    for (const TenantResult& solo : run_gpu_pool(alone, locals, gpus, s.sharing).tenants)
      row.local_iteration_ms = std::max(row.local_iteration_ms, solo.seconds_per_iteration() * 1e3);
    row.slowdown = row.iteration_ms / row.local_iteration_ms;
    row.throughput_per_s = static_cast<double>(row.job.batch * row.job.gpus) / (row.iteration_ms * 1e-3);
    samples_per_s += row.throughput_per_s;
  }
  out.makespan_s = shared.makespan_s;
  // Each GPU and NIC is measured over the time its own jobs ran (from 0 until the last of them
  // ended), not over the whole study, so that a short job's GPU does not look idle.
  std::vector<double> gpu_span(gpus.size(), 0), client_span(s.clients.size(), 0), server_span(s.servers.size(), 0);
  for (std::size_t i = 0; i < tenants.size(); ++i) {
    const TenantResult& ran = shared.tenants[i];
    const double end = ran.iteration_end_s.back();
    const ClusterJob& j = out.jobs[row_of_tenant[i]].job;
    auto extend = [end](double& span) { span = std::max(span, end); };
    extend(gpu_span[static_cast<std::size_t>(ran.gpu)]);
    extend(client_span[static_cast<std::size_t>(client_index.at(j.client))]);
    extend(server_span[static_cast<std::size_t>(server_of_gpu[static_cast<std::size_t>(ran.gpu)])]);
  }
  for (std::size_t g = 0; g < gpus.size(); ++g)
    out.gpus.push_back({gpu_names[g], 1, gpu_span[g] > 0 ? shared.gpu_busy_s[g] / gpu_span[g] : 0});
  auto nic = [&](const std::string& name, int link, double gbps, double span) {
    const double bytes = std::max(net.channel_bytes(2 * link), net.channel_bytes(2 * link + 1));
    out.nics.push_back({name, gbps, span > 0 ? bytes / (gbps * 1e9 / 8 * span) : 0});
  };
  for (std::size_t i = 0; i < s.clients.size(); ++i)
    nic(s.clients[i].name, pool.client_nic_links[i], client_gbps[i], client_span[i]);
  for (std::size_t i = 0; i < s.servers.size(); ++i)
    nic(s.servers[i].name, pool.server_nic_links[i], server_gbps[i], server_span[i]);
  for (std::size_t i = 0; i < s.servers.size(); ++i)
    for (std::size_t k = 0; k < pool.pcie_switch_uplinks[i].size(); ++k)
      nic(fmt::format("{}/pcie-switch{}", s.servers[i].name, k), pool.pcie_switch_uplinks[i][k], s.pcie_gbytes_per_s * 8,
          server_span[i]);
  for (std::size_t i = 0; i < s.racks.size(); ++i)  // over the whole study: a rack's jobs are many
    nic(s.racks[i].name + "/uplink", pool.rack_uplinks[i], uplink_gbps[i], shared.makespan_s);

  auto price = [&](const std::string& instance) {
    const InstanceType& t = catalog.instance(instance);
    const auto p = s.price_date.empty() ? t.latest_price() : t.price_on(s.price_date);
    if (!p) out.unpriced.push_back(instance);
    return p ? p->usd_per_hour : 0.0;
  };
  for (const auto& x : s.servers) out.usd_per_hour += price(x.instance);
  for (const auto& c : s.clients)
    if (!c.instance.empty()) out.usd_per_hour += price(c.instance);
  if (samples_per_s > 0) out.usd_per_million_samples = out.usd_per_hour / 3600 / samples_per_s * 1e6;
  return out;
}

}  // namespace

std::vector<ClusterStudyResult> run_cluster_study(const Catalog& catalog, const ClusterStudy& s) {
  std::vector<ClusterStudyResult> out;
  for (const auto& n : s.networks) out.push_back(run_on(catalog, s, n));
  return out;
}

}  // namespace xpusim

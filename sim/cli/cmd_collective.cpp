// `xpusim collective`: the collectives of distributed training on accelerator servers, made of
// flows on the servers' fabric and network, reported as nccl-tests reports them (time, algorithm
// bandwidth, bus bandwidth) so that they compare with all_reduce_perf, reduce_scatter_perf,
// all_gather_perf, broadcast_perf and alltoall_perf runs, with the algorithm (ring or tree between
// servers, direct for an all-to-all) and protocol (NCCL's LL, LL128 or Simple; HCCL on Gaudi)
// that ran them.
#include <algorithm>

#include <fmt/format.h>

#include "models/catalog/catalog.hpp"
#include "models/training/server_collective.hpp"
#include "reports/report_writer.hpp"
#include "reports/table.hpp"
#include "sim/cli/commands.hpp"
#include "sim/cli/device_choice.hpp"
#include "sim/engine/input_error.hpp"

namespace xpusim::cli {

namespace {

struct CollectiveFlags {
  std::vector<std::string> instances;
  std::vector<int> nodes{1};
  std::vector<double> bytes{1073741824.0};
  std::vector<std::string> ops{"all-reduce"};
  std::string algorithm;
  DeviceChoice devices;
};

ServerCollectiveOp parse_op(const std::string& name) {
  for (auto op : {ServerCollectiveOp::all_reduce, ServerCollectiveOp::reduce_scatter, ServerCollectiveOp::all_gather,
                  ServerCollectiveOp::broadcast, ServerCollectiveOp::all_to_all})
    if (name == server_collective_name(op)) return op;
  throw InputError("--op", "", fmt::format("unknown collective \"{}\" (known: all-reduce, reduce-scatter, all-gather, broadcast, "
                                           "all-to-all)",
                                           name));
}

}  // namespace

Action add_collective_command(CLI::App& app) {
  auto f = std::make_shared<CollectiveFlags>();
  auto output = std::make_shared<OutputOptions>();
  auto* cmd = app.add_subcommand("collective",
                                 "all-reduce, reduce-scatter, all-gather, broadcast or all-to-all across accelerator servers, "
                                 "made of flows: time, "
                                 "algorithm and bus bandwidth as nccl-tests reports them, and the algorithm and protocol "
                                 "that ran it");
  cmd->add_option("--instance", f->instances, "accelerator instances (a list runs each)")->required()->delimiter(',');
  cmd->add_option("--nodes", f->nodes, "servers (default 1; a list runs each)")->delimiter(',');
  cmd->add_option("--bytes", f->bytes,
                  "bytes per device: an all-reduce's or a broadcast's buffer, a reduce-scatter's input, an all-gather's "
                  "output, an all-to-all's send buffer (default 1 GiB; a list runs each)")
      ->delimiter(',');
  cmd->add_option("--algorithm", f->algorithm,
                  "ring, tree or nvls: only that algorithm, as NCCL_ALGO forces it (default: the fastest)");
  cmd->add_option("--op", f->ops,
                  "all-reduce (default), reduce-scatter, all-gather, broadcast or all-to-all (a list runs each)")
      ->delimiter(',');
  add_device_options(*cmd, f->devices);
  add_output_options(*cmd, *output);
  return [f, output] {
    const Catalog& catalog = Catalog::builtin();
    for (const auto& i : f->instances)
      if (!catalog.has_instance(i) || !catalog.instance(i).accelerators)
        throw InputError("--instance", "", fmt::format("\"{}\" is not an accelerator instance", i));
    for (int n : f->nodes)
      if (n < 1 || n > 100000) throw InputError("--nodes", "", fmt::format("must be in [1, 100000], found {}", n));
    for (double b : f->bytes)
      if (!(b >= 1 && b <= 1e13)) throw InputError("--bytes", "", fmt::format("must be in [1, 1e13], found {}", b));
    if (!f->algorithm.empty() && f->algorithm != "ring" && f->algorithm != "tree" && f->algorithm != "nvls")
      throw InputError("--algorithm", "", fmt::format("must be ring, tree or nvls, found \"{}\"", f->algorithm));
    std::vector<ServerCollectiveOp> ops;
    for (const auto& o : f->ops) ops.push_back(parse_op(o));
    for (int n : f->nodes)
      if (n > kAllToAllMaxServers && std::find(ops.begin(), ops.end(), ServerCollectiveOp::all_to_all) != ops.end())
        throw InputError("--nodes", "", fmt::format("an all-to-all runs on at most {} servers, found {}", kAllToAllMaxServers, n));
    nlohmann::json rows = nlohmann::json::array();
    TextTable table({"op", "instance", "servers", "devices", "bytes", "time us", "algbw GB/s", "busbw GB/s", "algorithm", "protocol"});
    std::string csv = csv_line({"op", "instance", "servers", "devices", "bytes", "time_us", "algbw_gbytes_per_s", "busbw_gbytes_per_s", "algorithm", "protocol"});
    for (const auto& i : f->instances) {
      const InstanceType& t = catalog.instance(i);
      const std::vector<int> used = chosen_devices(f->devices, i, t.accelerators->count);
      const int per_node = static_cast<int>(used.size());
      for (int n : f->nodes) {
        if (n > 1 && t.network.empty()) throw InputError("--nodes", "", fmt::format("{} has no network to other servers", i));
        for (ServerCollectiveOp op : ops) {
          ServerCollective collective(catalog, t, per_node, n, op, used);
          // In one server only NVLS is a choice (a ring stays a ring; HCCL's direct phases too).
          if (!f->algorithm.empty() && (n > 1 || f->algorithm == "nvls" || collective.offers(f->algorithm))) {
            try {
              collective.only(f->algorithm);
            } catch (const std::invalid_argument& e) {
              throw InputError("--algorithm", "", fmt::format("{} on {}: {}", f->algorithm, i, e.what()));
            }
          }
          const std::string name = server_collective_name(op);
          for (double b : f->bytes) {
            const int ranks = per_node * n;
            const ServerCollective::Timing timing = collective.time(b);
            const double s = timing.seconds;
            // nccl-tests (doc/PERFORMANCE.md): algbw = bytes / time, busbw = algbw x the op's factor.
            const double algbw = s > 0 ? b / s / 1e9 : 0, busbw = algbw * bus_bandwidth_factor(op, ranks);
            rows.push_back({{"op", name}, {"instance", i}, {"servers", n}, {"devices", ranks}, {"bytes", b},
                            {"time_us", round_significant(s * 1e6)}, {"algbw_gbytes_per_s", round_significant(algbw)},
                            {"busbw_gbytes_per_s", round_significant(busbw)},
                            {"algorithm", timing.algorithm}, {"protocol", timing.protocol}});
            const std::vector<std::string> cells{name, i, std::to_string(n), std::to_string(ranks), fmt::format("{:.0f}", b),
                                                 fixed(s * 1e6, 1), fixed(algbw, 2), fixed(busbw, 2), timing.algorithm,
                                                 timing.protocol};
            table.add_row(cells);
            csv += csv_line(cells);
          }
        }
      }
    }
    const nlohmann::json config = {{"instances", f->instances}, {"nodes", f->nodes}, {"bytes", f->bytes}, {"ops", f->ops},
                                   {"algorithm", f->algorithm}, {"devices", to_json(f->devices)}};
    emit(*output, make_report("collective", config, rows), table.render(), csv);
  };
}

}  // namespace xpusim::cli

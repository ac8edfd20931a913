#include <fmt/format.h>

#include "models/catalog/catalog.hpp"
#include "models/cpu/cpu_device.hpp"
#include "reports/report_writer.hpp"
#include "sim/cli/commands.hpp"
#include "sim/engine/input_error.hpp"
#include "sim/scenario/kernel_spec.hpp"

namespace xpusim::cli {

Action add_kernel_command(CLI::App& app) {
  struct Flags {
    std::string op, shape, precision = "fp32";
    std::vector<std::string> instances{"host"};
    int threads = 0;
    OutputOptions output;
  };
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand("kernel", "one kernel on one or more instances: time and breakdown");
  cmd->add_option("--op", f->op, "conv2d, gemm, relu, add, gelu, softmax, layernorm, maxpool, avgpool")->required();
  cmd->add_option("--shape", f->shape, "e.g. n=1,c=64,h=56,w=56,k=64,r=3,s=3,pad=1")->required();
  cmd->add_option("--precision", f->precision, "int8, bf16, fp16, fp32, tf32 (default fp32)");
  cmd->add_option("--instance", f->instances, "catalog instances or devices (gaudi1, a100-sxm4-40gb, ...), or "
                  "host (default host)")->delimiter(',');
  cmd->add_option("--threads", f->threads, "threads (default: every core of the instance)");
  add_output_options(*cmd, f->output);
  return [f] {
    auto precision = parse_precision(f->precision);
    if (!precision) throw InputError("--precision", "", fmt::format("unknown precision \"{}\"", f->precision));
    if (f->threads < 0) throw InputError("--threads", "", "must be a positive integer");
    const Kernel k = make_kernel(f->op, f->shape, *precision);
    const Catalog& catalog = Catalog::builtin();
    for (const auto& i : f->instances)
      if (!catalog.has_target(i))
        throw InputError("--instance", "", fmt::format("unknown instance \"{}\" (known: {})", i, catalog.target_names_joined()));
    std::vector<KernelRunResult> rows;
    nlohmann::json results = nlohmann::json::array();
    for (const auto& i : f->instances) {
      const auto device = catalog.make_device(i, f->threads);
      if (k.is_matmul() && !device->supports(*precision))
        throw InputError("--precision", "", fmt::format("{} cannot run {}", device->name(), f->precision));
      const DeviceKernelCost c = device->evaluate(k);
      const auto* cpu = dynamic_cast<const CpuDeviceModel*>(device.get());
      KernelRunResult r{i, cpu ? cpu->cpu().spec.name : device->name(), k.name, std::string(k.kind()), k.signature(),
                        f->precision, std::string(c.bound()), std::string(c.memory_level),
                        cpu ? cpu->threads() : 0, c.total_s * 1e6, c.compute_s * 1e6, c.memory_s * 1e6,
                        c.overhead_s * 1e6, k.flops() / 1e9, double(k.bytes()), c.effective_macs, c.utilization};
      results.push_back(to_json(r));
      rows.push_back(r);
    }
    nlohmann::json config = {{"op", f->op}, {"shape", f->shape}, {"precision", f->precision},
                             {"instances", f->instances},
                             {"threads", f->threads > 0 ? nlohmann::json(f->threads) : nlohmann::json("all cores")}};
    emit(f->output, make_report("kernel", config, results), kernel_results_table(rows), kernel_results_csv(rows));
  };
}

}  // namespace xpusim::cli

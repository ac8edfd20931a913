// `xpusim host probe` measures this machine again and saves its profile; `xpusim host show`
// prints the profile in use (measuring it first if there is none yet).
#include <fmt/format.h>

#include "models/cpu/host_profile.hpp"
#include "models/cpu/onednn_runner.hpp"
#include "reports/report_writer.hpp"
#include "reports/table.hpp"
#include "sim/cli/commands.hpp"

namespace xpusim::cli {

namespace {

std::string profile_table(const HostProfile& p, const std::string& path) {
  TextTable t({"figure", "value"});
  auto row = [&](const std::string& name, const std::string& value) { t.add_row({name, value}); };
  auto gib = [](int64_t bytes) { return fmt::format("{:.2f} MiB", double(bytes) / (1 << 20)); };
  row("cpu", p.cpu.model_name);
  row("microarchitecture", fmt::format("{} (family {:#x} model {:#x} stepping {})", p.cpu.microarchitecture,
                                       p.cpu.family, p.cpu.model, p.cpu.stepping));
  row("cores", fmt::format("{} physical, {} logical", p.cpu.physical_cores, p.cpu.logical_cpus));
  row("clock, scalar / vector load", fmt::format("{} / {} GHz", p.clock_scalar_ghz, p.clock_vector_ghz));
  row("vector width", fmt::format("{} bits", p.vector_width_bits));
  row("f32 MACs per cycle", fmt::format("{}", p.f32_macs_per_cycle));
  row("int8 MACs per cycle", fmt::format("{} ({})", p.int8_macs_per_cycle, p.int8_path));
  row("bf16 MACs per cycle", p.bf16_macs_per_cycle > 0 ? fmt::format("{}", p.bf16_macs_per_cycle) : "- (no avx512_bf16)");
  if (p.cpu.isa.amx) {
    row("AMX cycles: tile multiply / store", p.amx_tile_multiply_cycles > 0
                                                 ? fmt::format("{} / {}", p.amx_tile_multiply_cycles, p.amx_tile_store_cycles)
                                                 : "- (the OS did not grant the tiles)");
    row("AMX tiles in the host model", onednn_runs_amx() ? "yes (oneDNN runs them)" : "no (oneDNN is held below them here)");
  }
  row("vector ops per cycle (512-bit)", fmt::format("{}", p.vector_ops_per_cycle));
  row("L2 / L3 effective (reported)", fmt::format("{} / {} ({})", gib(p.l2_bytes), gib(p.l3_effective_bytes),
                                                  gib(p.l3_reported_bytes)));
  row("read GB/s one core: L2 / L3 / DRAM", fmt::format("{} / {} / {}", p.l2_gbps_core, p.l3_gbps_core, p.dram_gbps_core));
  row("read GB/s all cores: L2 / L3 / DRAM", fmt::format("{} / {} / {}", p.l2_gbps_all, p.l3_gbps_all, p.dram_gbps_all));
  row("matmul efficiency beyond L2", p.schema_version >= 2 ? fmt::format("{}", p.matmul_beyond_l2_efficiency)
                                                            : "- (profile schema 1)");
  row("oneDNN call / fork-join", fmt::format("{} / {} us", p.kernel_call_us, p.fork_join_us));
  std::string out = t.render();
  out += path.empty() ? "profile kept in memory only\n" : fmt::format("profile: {}\n", path);
  return out;
}

void print_profile(const OutputOptions& output, const HostProfile& p, const std::string& command) {
  const std::string& path = host_profile_path();
  const nlohmann::json config = {{"host_profile", path}};
  const nlohmann::json results = to_json(p);
  const std::string csv = "figure,value\n" + fmt::format("microarchitecture,{}\n", p.cpu.microarchitecture);
  emit(output, make_report(command, config, results), profile_table(p, path), csv);
}

}  // namespace

Action add_host_command(CLI::App& app) {
  auto output = std::make_shared<OutputOptions>();
  auto* cmd = app.add_subcommand("host", "this machine's measured profile (what the `host` instance is built from)");
  cmd->require_subcommand(1);
  auto* probe = cmd->add_subcommand("probe", "measure this machine again (about 2 s) and save its profile");
  auto* show = cmd->add_subcommand("show", "print the profile in use, measuring it if there is none");
  add_output_options(*probe, *output);
  add_output_options(*show, *output);
  return [output, probe] {
    if (probe->parsed()) return print_profile(*output, reprobe_host_profile(), "host probe");
    print_profile(*output, host_profile(), "host show");
  };
}

}  // namespace xpusim::cli

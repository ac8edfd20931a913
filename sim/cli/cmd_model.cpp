#include <fmt/format.h>

#include "models/catalog/catalog.hpp"
#include "models/cpu/cpu_tlm.hpp"
#include "models/gaudi/gaudi_device.hpp"
#include "models/gaudi/gaudi_tlm.hpp"
#include "reports/report_writer.hpp"
#include "sim/cli/commands.hpp"
#include "sim/engine/input_error.hpp"
#include "sim/scenario/study.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace xpusim::cli {

namespace {

struct ModelFlags {
  std::vector<std::string> models, precisions, instances;
  std::vector<int64_t> batches;
  bool training = false, decode = false;
  int64_t seq_len = 0;
  int threads = 0;
  std::string trace;
  bool channels_last = true;
  OutputOptions output;
};

StudyConfig to_config(const ModelFlags& f) {
  StudyConfig c = default_study();
  if (!f.models.empty()) c.models = f.models;
  if (!f.batches.empty()) c.batches = f.batches;
  if (!f.instances.empty()) c.instances = f.instances;
  if (!f.precisions.empty()) {
    c.precisions.clear();
    for (const auto& p : f.precisions) {
      auto parsed = parse_precision(p);
      if (!parsed) throw InputError("--precision", "", fmt::format("unknown precision \"{}\"", p));
      c.precisions.push_back(*parsed);
    }
  }
  if (f.training && f.decode) throw InputError("--decode", "", "a generation step is inference, not --training");
  c.mode = f.training ? Mode::training : Mode::inference;
  c.decode = f.decode;
  c.seq_len = f.seq_len;
  if (f.threads != 0) c.threads = f.threads;
  c.software.channels_last = f.channels_last;
  validate_study(c);
  return c;
}

// Runs the one configuration through the SystemC TLM model and writes its timeline.
void write_trace(const StudyConfig& c, const std::string& path) {
  if (c.models.size() != 1 || c.precisions.size() != 1 || c.batches.size() != 1 || c.instances.size() != 1)
    throw InputError("--trace", "", "needs exactly one model, precision, batch and instance");
  const Graph g = build_model(c.models[0], {c.batches[0], c.precisions[0], c.mode, c.seq_len, false, c.decode});
  const Catalog& catalog = Catalog::builtin();
  TraceWriter trace;
  const auto accelerator = catalog.make_device(c.instances[0]);
  if (const auto* gaudi = dynamic_cast<const GaudiDevice*>(accelerator.get())) {
    const auto result = simulate_graph_on_gaudi(gaudi->spec(), gaudi->lower(g, c.software), &trace, 1);
    write_output_file("--trace", path, trace.to_json().dump() + "\n");
    std::fprintf(stderr, "trace: %s (%zu events, simulated %.3f ms)\n", path.c_str(), trace.event_count(),
                 result.total_s * 1e3);
    return;
  }
  if (accelerator->device_class() != "cpu")
    throw InputError("--trace", "", "the SystemC model exists for CPU and Gaudi instances only");
  const CpuDevice device = catalog.device(c.instances[0]);
  auto result = simulate_graph_on_cpu(device, g, c.threads.value_or(device.cores), &trace, 1);
  for (const auto& k : result.kernels)
    trace.complete(1, 0, g.kernels[k.index].name, k.start_s, k.end_s - k.start_s,
                   {{"signature", g.kernels[k.index].signature()}});
  trace.name_thread(1, 0, "graph");
  write_output_file("--trace", path, trace.to_json().dump() + "\n");
  std::fprintf(stderr, "trace: %s (%zu events, simulated %.3f ms)\n", path.c_str(), trace.event_count(),
               result.total_s * 1e3);
}

}  // namespace

void run_model_study(const StudyConfig& config, const OutputOptions& output, const std::string& command) {
  const auto rows = run_study(config);
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : rows) results.push_back(to_json(r));
  emit(output, make_report(command, resolved_config(config), results), model_results_table(rows),
       model_results_csv(rows));
}

Action add_model_command(CLI::App& app) {
  auto flags = std::make_shared<ModelFlags>();
  auto* cmd = app.add_subcommand("model", "a model on one or more instances: latency, throughput, "
                                 "utilization, $ per 1M inferences (no flags: the default study)");
  cmd->add_option("--model", flags->models, ModelRegistry::instance().names_joined())->delimiter(',');
  cmd->add_option("--precision", flags->precisions, "int8, bf16, fp16, fp32, tf32")->delimiter(',');
  cmd->add_option("--batch", flags->batches, "batch sizes")->delimiter(',');
  cmd->add_option("--instance", flags->instances, "catalog instances (c6i.large, dl1.24xlarge, p4d.24xlarge, ...), "
                  "accelerator devices (gaudi1, a100-40gb-mig-3g.20gb, ...), or host")->delimiter(',');
  cmd->add_flag("!--nchw", flags->channels_last, "NCHW activations instead of channels-last (GPU convolutions "
                "then transpose around tensor cores)");
  cmd->add_option("--seq-len", flags->seq_len, "sequence length of sequence models (default: the model's, 128 for BERT, 1024 for GPT-2)");
  cmd->add_option("--threads", flags->threads, "threads (default: every core of the instance)");
  cmd->add_flag("--training", flags->training, "a training step instead of inference");
  cmd->add_flag("--decode", flags->decode, "one generation step of a decoder model (gpt2, ...): the token after "
                "--seq-len cached ones; latency is per token, throughput tokens per second");
  cmd->add_option("--trace", flags->trace, "simulate one configuration in SystemC and write a "
                  "Perfetto/Chrome trace here");
  add_output_options(*cmd, flags->output);
  return [flags] {
    StudyConfig c = to_config(*flags);
    if (!flags->trace.empty()) {
      check_output_file("--trace", flags->trace);  // before the simulation, not after it
      write_trace(c, flags->trace);
    }
    run_model_study(c, flags->output, "model");
  };
}

}  // namespace xpusim::cli

// The xpusim binary end to end: bad input of every class gives one line naming the file or flag
// and the location, exit code 2, and no output files; good input writes its report files.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include "models/catalog/catalog.hpp"
#include "models/cpu/host_profile.hpp"
#include "models/network/protocol.hpp"
#include "tests/shared_data.hpp"
#include "workloads/zoo/model_zoo.hpp"

namespace fs = std::filesystem;

namespace {
struct CliRun {
  int code;
  std::string out, err;
};

// Runs xpusim with `args`; `env` ("NAME=value ") is set for it alone.
CliRun run_with_env(const std::string& env, const std::string& args) {
  const fs::path dir = fs::temp_directory_path() / ("xpusim_cli_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string err_file = (dir / "stderr").string();
  std::string cmd = env + std::string(XPUSIM_BINARY) + " " + args + " 2>" + err_file;
  CliRun r{};
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_file);
  r.err.assign(std::istreambuf_iterator<char>(e), {});
  return r;
}

CliRun run(const std::string& args) { return run_with_env("", args); }

fs::path scratch(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("xpusim_cli_" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

fs::path write_scenario(const std::string& name, const std::string& text) {
  fs::path f = scratch("scenarios") / name;
  std::ofstream(f) << text;
  return f;
}

void expect_input_error(const std::string& args, const std::string& must_contain) {
  const fs::path out = scratch("out_bad");
  fs::remove_all(out);
  CliRun r = run(args + " --out " + out.string());
  EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
  EXPECT_NE(r.err.find(must_contain), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(out)) << "partial output for " << args;
}
}  // namespace

TEST(Cli, MalformedJsonNamesLineAndColumn) {
  auto f = write_scenario("syntax.json", "{\n  \"models\": [\"resnet50\",]\n}");
  expect_input_error("run " + f.string(), f.string() + ":2:");
}

TEST(Cli, UnknownKeyNamesPointer) {
  auto f = write_scenario("key.json", R"({"models": ["resnet50"], "precisions": ["int8"], "batches": [1],
      "instances": ["c5.large"], "colour": "red"})");
  expect_input_error("run " + f.string(), f.string() + "/colour: unknown key");
}

TEST(Cli, UnknownModelInstanceAndPrecision) {
  auto m = write_scenario("model.json", R"({"models": ["resnet51"], "precisions": ["int8"], "batches": [1], "instances": ["c5.large"]})");
  expect_input_error("run " + m.string(), m.string() + "/models/0: unknown model \"resnet51\"");
  auto i = write_scenario("inst.json", R"({"models": ["resnet50"], "precisions": ["int8"], "batches": [1], "instances": ["c5.large", "gaudi9"]})");
  expect_input_error("run " + i.string(), i.string() + "/instances/1: unknown instance \"gaudi9\"");
  auto p = write_scenario("prec.json", R"({"models": ["resnet50"], "precisions": ["int4"], "batches": [1], "instances": ["c5.large"]})");
  expect_input_error("run " + p.string(), p.string() + "/precisions/0: unknown precision \"int4\"");
  expect_input_error("model --model resnet51", "--model: unknown model");
  expect_input_error("model --instance c9.large", "--instance: unknown instance");
  expect_input_error("model --precision int4", "--precision: unknown precision");
}

TEST(Cli, NonPositiveBatchAndImpossibleValues) {
  auto b = write_scenario("batch.json", R"({"models": ["resnet50"], "precisions": ["int8"], "batches": [0], "instances": ["c5.large"]})");
  expect_input_error("run " + b.string(), b.string() + "/batches/0: must be a positive integer");
  auto t = write_scenario("type.json", R"({"models": ["resnet50"], "precisions": ["int8"], "batches": ["one"], "instances": ["c5.large"]})");
  expect_input_error("run " + t.string(), b.string().substr(0, 0) + "/batches/0: expected an integer");
  auto s = write_scenario("seq.json", R"({"models": ["bert-base"], "precisions": ["fp32"], "batches": [1], "instances": ["c5.large"], "seq_len": 4096})");
  expect_input_error("run " + s.string(), s.string() + "/seq_len: BERT sequence length must be <= 512");
  expect_input_error("model --batch 0", "--batch: must be a positive integer");
  expect_input_error("kernel --op conv2d --shape c=3,h=4,w=4,k=8,r=7,s=7", "--shape: the filter is larger");
  expect_input_error("kernel --op conv9d --shape c=3", "--op: unknown op");
  expect_input_error("run /nonexistent/scenario.json", "/nonexistent/scenario.json: cannot open file");
  expect_input_error("calibrate --rounds 0", "--rounds: must be a positive integer");
  expect_input_error("calibrate --precision fp16", "--precision: calibration runs int8, bf16 or fp32, not \"fp16\"");
  expect_input_error("calibrate --model resnet50 --seq-len 64", "--seq-len: model \"resnet50\" has no sequence length");
  expect_input_error("model --model resnet50 --decode", "--decode: model \"resnet50\" generates no tokens");
  expect_input_error("model --model gpt2 --decode --training", "--decode: a generation step is inference, not --training");
  expect_input_error("model --model gpt2 --decode --seq-len 1024", "--seq-len: GPT-2 decodes at most 1023 cached tokens");
  auto d = write_scenario("decode.json", R"({"models": ["bert-base"], "precisions": ["fp16"], "batches": [1], "instances": ["v100-sxm2-16gb"], "mode": "decode"})");
  expect_input_error("run " + d.string(), d.string() + "/mode: model \"bert-base\" generates no tokens");
  expect_input_error("calibrate --model gpt2 --seq-len 2048", "--seq-len: GPT-2 sequence length must be <= 1024");
}

TEST(Cli, UnwritableOutputPathsNameTheFlag) {
  CliRun r = run("model --model resnet50 --batch 1 --instance c5.large --out /proc/forbidden/out");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("xpusim: --out: cannot create directory /proc/forbidden/out", 0), 0u) << r.err;
  const fs::path file = scratch("not_a_dir") / "file";
  std::ofstream(file) << "x";
  r = run("model --model resnet50 --batch 1 --instance c5.large --out " + file.string());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--out: cannot create directory"), std::string::npos) << r.err;
  r = run("model --model resnet50 --batch 1 --precision int8 --instance c5.large --trace /proc/forbidden/t.json");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("--trace: cannot write"), std::string::npos) << r.err;
}

// The first run measures the host and saves its profile; the second reads it: the two reports
// are byte-identical. A malformed profile given with --host-profile is bad input.
TEST(Cli, HostProfileIsMeasuredOnceAndReused) {
  const fs::path dir = scratch("profile");
  const std::string env = "XPUSIM_HOST_PROFILE=" + (dir / "host.json").string() + " ";
  auto model = [&](const std::string& extra) {
    return run_with_env(env, "model --model resnet50 --batch 1 --precision int8 --instance host,c5.large --json" + extra);
  };
  CliRun first = model("");
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.err.find("measured this host"), std::string::npos) << first.err;
  ASSERT_TRUE(fs::exists(dir / "host.json"));
  CliRun second = model("");
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(second.err, "");
  EXPECT_EQ(first.out, second.out);
  // The same file named with --host-profile gives the same report.
  CliRun named = model(" --host-profile " + (dir / "host.json").string());
  EXPECT_EQ(named.out, first.out);

  std::ofstream(dir / "bad.json") << R"({"schema": "xpusim.host-profile/1", "cpu": 3})";
  expect_input_error("model --instance host --host-profile " + (dir / "bad.json").string(),
                     (dir / "bad.json").string() + "/cpu: expected an object");
}

TEST(Cli, UsageErrorsExitTwoAndHelpExitsZero) {
  EXPECT_EQ(run("frobnicate").code, 2);
  EXPECT_EQ(run("model --batch").code, 2);
  CliRun help = run("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("calibrate"), std::string::npos);
}

TEST(Cli, ScenarioRunWritesReportCsvAndResolvedConfig) {
  auto f = write_scenario("ok.json", R"({"models": ["resnet50"], "precisions": ["int8", "fp32"], "batches": [1, 8], "instances": ["c5.large", "c6i.large"]})");
  const fs::path out = scratch("out_ok");
  CliRun r = run("run " + f.string() + " --json --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["schema"], "xpusim.report/1");
  EXPECT_EQ(report["results"].size(), 8u);
  std::ifstream saved(out / "report.json");
  EXPECT_EQ(nlohmann::json::parse(saved), report);
  EXPECT_TRUE(fs::exists(out / "results.csv"));
  std::ifstream config(out / "config.json");
  EXPECT_EQ(nlohmann::json::parse(config)["threads"], "all cores");
}

TEST(Cli, KernelCommandReportsBreakdown) {
  CliRun r = run("kernel --op conv2d --shape n=1,c=64,h=56,w=56,k=64,r=3,s=3,pad=1 --precision int8 --instance c5.large,c6i.large --json");
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["results"].size(), 2u);
  EXPECT_EQ(j["results"][0]["bound"], "cores");
  EXPECT_GT(j["results"][0]["time_us"].get<double>(), 0);
}

// bf16 calibrates on the host's bf16 datapath (VDPBF16PS, or AMX tiles where oneDNN runs them),
// and falls back to fp32, saying so, on a host without one.
TEST(Cli, CalibrateRunsBf16OnTheHostsBf16Datapath) {
  CliRun r = run("calibrate --model resnet50 --precision bf16 --rounds 1 --repeats 1 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto results = nlohmann::json::parse(r.out)["results"];
  const xpusim::CpuSpec host = xpusim::cpu_spec_from_profile(xpusim::host_profile());
  const bool bf16 = host.avx512_bf16 || host.amx;
  EXPECT_EQ(results["requested_precision"], "bf16");
  EXPECT_EQ(results["precision"], bf16 ? "bf16" : "fp32");
  EXPECT_EQ(results["note"].get<std::string>().empty(), bf16);
  ASSERT_GE(results["kernels"].size(), 25u);
  for (const auto& k : results["kernels"]) {
    EXPECT_GT(k["measured_us"].get<double>(), 0) << k["name"];
    EXPECT_GT(k["predicted_us"].get<double>(), 0) << k["name"];
    EXPECT_NE(k["signature"].get<std::string>().find(bf16 ? "bf16" : "f32"), std::string::npos) << k["signature"];
  }
}

// A generation step: latency per token, throughput in tokens per second (a batch of sequences,
// one token each), the report saying so; its memory holds the cache of keys and values.
TEST(Cli, ModelDecodeStepReportsTokens) {
  CliRun r = run("model --model gpt2 --decode --seq-len 512 --precision fp16 --batch 1,8 --instance a100-sxm4-40gb --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["config"]["mode"], "decode");
  const auto rows = report["results"];
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row["mode"], "decode");
    EXPECT_NEAR(row["throughput_per_s"].get<double>(), row["batch"].get<double>() / (row["latency_ms"].get<double>() / 1e3),
                1e-5 * row["throughput_per_s"].get<double>());  // six significant digits
  }
  // Eight sequences share each step's weights: more tokens per second, not eight times the step.
  EXPECT_GT(rows[1]["throughput_per_s"].get<double>(), 4 * rows[0]["throughput_per_s"].get<double>());
  EXPECT_GT(rows[1]["memory_gib_needed"].get<double>(), rows[0]["memory_gib_needed"].get<double>());
}

// A sequence model calibrates at the sequence length asked for: GPT-2's attention scores are
// seq_len x seq_len per head.
TEST(Cli, CalibrateTakesASequenceLength) {
  CliRun r = run("calibrate --model gpt2 --precision fp32 --seq-len 32 --rounds 1 --repeats 1 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["config"]["seq_len"], 32);
  int scores = 0;
  for (const auto& k : report["results"]["kernels"])
    if (k["name"].get<std::string>().ends_with(".attn.scores")) {
      ++scores;
      EXPECT_NE(k["signature"].get<std::string>().find("b12 m32 n32 k64"), std::string::npos) << k["signature"];
    }
  EXPECT_EQ(scores, 1);  // twelve layers, one distinct kernel
}

TEST(Cli, TraceIsAChromeTraceOfTheSimulatedGraph) {
  const fs::path out = scratch("trace");
  CliRun r = run("model --model resnet50 --precision int8 --batch 1 --instance c6i.large --trace " +
              (out / "t.json").string() + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream t(out / "t.json");
  auto trace = nlohmann::json::parse(t);
  int complete = 0;
  for (const auto& e : trace["traceEvents"]) complete += e["ph"] == "X";
  EXPECT_GE(complete, 2 * 72);  // every kernel on the core and on the graph track
  EXPECT_EQ(run("model --trace x.json").code, 2);  // the default study has many configurations
}

namespace {
const std::string kTraces = std::string(XPUSIM_SHARED_DIR) + "/data/traces/";
const std::string kOpenbNodes = kTraces + "alibaba-gpu-v2023/openb_node_list_gpu_node.csv";
const std::string kOpenbPods = kTraces + "alibaba-gpu-v2023/openb_pod_list_default.csv";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST(Cli, ReplayAndScheduleRejectBadInputWithFileAndLine) {
  XPUSIM_REQUIRE_SHARED_DATA();
  auto pods = write_scenario("pods.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np0,1000,100,1,500\np1,1000,x,1,500\n");
  expect_input_error("replay --nodes " + kOpenbNodes + " --pods " + pods.string(), pods.string() + ":line 3: column memory_mib");
  expect_input_error("schedule --nodes " + kOpenbNodes + " --pods " + pods.string(), pods.string() + ":line 3:");
  expect_input_error("replay --nodes " + kOpenbNodes + " --pods " + kOpenbPods + " --policy tetris", "--policy: unknown placement policy");
  expect_input_error("replay --nodes " + kOpenbNodes + " --pods " + kOpenbPods + " --seeds 4x", "--seeds:");
  expect_input_error("schedule --nodes " + kOpenbNodes + " --pods " + kOpenbPods + " --queue lifo", "--queue: unknown queue policy");
  expect_input_error("schedule --nodes " + kOpenbNodes + " --pods " + kTraces + "alibaba-gpu-v2023/openb_pod_list_multigpu20.csv",
                     "has no job durations");
  auto prices = write_scenario("prices.json", R"({"gpus": [{"model": "G2", "usd_per_gpu_hour": -1, "price_source": "x"}]})");
  expect_input_error("schedule --nodes " + kOpenbNodes + " --pods " + kOpenbPods + " --gpu-prices " + prices.string(),
                     prices.string() + "/gpus/0/usd_per_gpu_hour");
  // Skipping bad rows is allowed, and counted.
  pods = write_scenario("pods.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np0,1000,100,1,500\np1,1000,x,1,500\n");
  CliRun skipped = run("replay --nodes " + kOpenbNodes + " --pods " + pods.string() + " --skip-bad-rows --seeds 42 --policy fgd --json");
  EXPECT_EQ(skipped.code, 0) << skipped.err;
  EXPECT_NE(skipped.err.find("skipped 1 bad row"), std::string::npos) << skipped.err;
}

TEST(Cli, ReplayWritesTheReferenceLayoutIdenticallyEachTime) {
  XPUSIM_REQUIRE_SHARED_DATA();
  const fs::path a = scratch("replay_a"), b = scratch("replay_b");
  const std::string args = "replay --nodes " + kOpenbNodes + " --pods " + kOpenbPods + " --policy best-fit,fgd --seeds 42-43 --out ";
  ASSERT_EQ(run(args + a.string()).code, 0);
  ASSERT_EQ(run(args + b.string() + " --jobs 2").code, 0);
  for (const char* f : {"analysis_allo_discrete.csv", "analysis_frag_discrete.csv", "analysis_frag_ratio_discrete.csv",
                        "report.json", "report.html"})
    EXPECT_EQ(slurp(a / f), slurp(b / f)) << f;
  const std::string html = slurp(a / "report.html");
  EXPECT_EQ(std::count(html.begin(), html.end(), '<') - std::count(html.begin(), html.end(), '>'), 0);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_NE(html.find("openb_pod_list_default: GPU allocation"), std::string::npos);
  const std::string alloc = slurp(a / "analysis_allo_discrete.csv");
  EXPECT_EQ(alloc.substr(0, alloc.find(",0,1,2")), "workload,sc_policy,tune,seed,total_gpus");
  EXPECT_NE(alloc.find("\nopenb_pod_list_default,06-FGD,1.3,43,6212,"), std::string::npos);
  EXPECT_EQ(std::count(alloc.begin(), alloc.end(), '\n'), 5);
}

TEST(Cli, ScheduleReportsAreDeterministic) {
  XPUSIM_REQUIRE_SHARED_DATA();
  const std::string args = "schedule --nodes " + kTraces + "tiresias/n32g4.csv --pods " + kTraces +
                           "tiresias/60_job.csv --policy best-fit,fgd --queue fifo,las --gpu-model V100 --json";
  CliRun a = run(args), b = run(args);
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  auto j = nlohmann::json::parse(a.out);
  ASSERT_EQ(j["results"].size(), 4u);
  for (const auto& r : j["results"]) {
    EXPECT_EQ(r["completed"].get<int>() + r["unschedulable"].get<int>(), 60);
    EXPECT_GT(r["fleet_cost_usd"].get<double>(), 0);  // V100 has a price
  }
}

TEST(Cli, TrainRejectsImpossibleJobsNamingTheFlag) {
  expect_input_error("train --model resnet50 --instance gaudi9", "--instance: unknown instance \"gaudi9\"");
  expect_input_error("train --model resnet50 --instance dl1.24xlarge --precision tf32", "--precision: gaudi1 (dl1.24xlarge) cannot train in tf32");
  expect_input_error("train --model resnet50 --instance dl1.24xlarge --nodes 0", "--nodes: must be in [1, 100000]");
  expect_input_error("train --model resnet50 --instance p3.2xlarge --devices 2", "--devices: p3.2xlarge has 1 device(s), not 2");
  expect_input_error("train --model resnet50 --instance dl1.24xlarge --global-batch 1001",
                     "--global-batch: 1001 samples do not split evenly over the 8 devices");
  expect_input_error("train --model resnet50 --instance p4d.24xlarge --baseline dl1.24xlarge", "--baseline: \"dl1.24xlarge\" is not one of --instance");
  expect_input_error("train --model resnet50 --instance p4d.24xlarge --price-date 2023-13-01", "--price-date: expected YYYY-MM-DD");
  expect_input_error("train --model resnet99 --instance p4d.24xlarge", "--model: unknown model");
}

TEST(Cli, TrainReportsWhatDoesNotFit) {
  CliRun r = run("train --model bert-large --instance p3.2xlarge --batch 256 --seq-len 512 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out)["results"][0];
  EXPECT_FALSE(j["fits"].get<bool>());
  EXPECT_GT(j["memory_gib_needed"].get<double>(), j["memory_gib_available"].get<double>());
  CliRun text = run("train --model bert-large --instance p3.2xlarge --batch 256 --seq-len 512");
  EXPECT_NE(text.out.find("does not fit: needs"), std::string::npos) << text.out;
}

TEST(Cli, ModelAndKernelReachAcceleratorsThroughTheDeviceInterface) {
  CliRun m = run("model --model resnet50 --instance dl1.24xlarge,p4d.24xlarge --precision bf16 --batch 64 --json");
  ASSERT_EQ(m.code, 0) << m.err;
  const auto rows = nlohmann::json::parse(m.out)["results"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["device_class"], "gaudi");
  EXPECT_EQ(rows[1]["device_class"], "gpu");
  CliRun k = run("kernel --op gemm --shape m=4096,n=4096,k=4096 --instance gaudi1,a100-40gb-mig-1g.5gb --precision bf16 --json");
  ASSERT_EQ(k.code, 0) << k.err;
  const auto ks = nlohmann::json::parse(k.out)["results"];
  ASSERT_EQ(ks.size(), 2u);
  EXPECT_EQ(ks[0]["bound"], "MME");
  EXPECT_EQ(ks[1]["bound"], "tensor cores");
}

TEST(Cli, ValidateListsEveryCoveredMeasurementAndTheFittedParameters) {
  XPUSIM_REQUIRE_SHARED_DATA();
  CliRun r = run("validate --json --calibration " + std::string(XPUSIM_SHARED_DIR) + "/reference/calibration.json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out)["results"];
  EXPECT_GE(j["measurements"].size(), 11u);
  EXPECT_GE(j["fitted_parameters"].size(), 6u);
  EXPECT_LE(j["accelerator_worst_abs_error_pct"].get<double>(), 15);
  expect_input_error("validate --calibration /nonexistent/calibration.json", "--calibration: /nonexistent/calibration.json: no such file");
}

// A pooled-GPU cluster: one V100 server, two clients, and the given jobs.
std::string cluster_file(const std::string& jobs, const std::string& clients = R"([{"name": "vm0", "nic_gbps": 25}, {"name": "vm1", "nic_gbps": 25}])",
                         const std::string& server = "p3.2xlarge") {
  return R"({"cluster": {"protocol": "roce-v2", "servers": [{"name": "s", "instance": ")" + server +
         R"(", "nic_gbps": 100}], "clients": )" + clients + R"(}, "jobs": )" + jobs + "}";
}

const char* kTrainJob = R"("model": "resnet50", "mode": "training", "batch": 16, "iterations": 2)";

TEST(Cli, ClusterBadInputNamesFileAndPointer) {
  auto check = [](const std::string& text, const std::string& where, const std::string& message) {
    const auto f = write_scenario("cluster.json", text);
    expect_input_error("run " + f.string(), f.string() + where + ": " + message);
  };
  const std::string job = std::string(R"({"name": "a", "client": "vm0", "server": "s", )") + kTrainJob;
  check(cluster_file("[" + job + R"(, "fraction": 1.5}])"), "/jobs/0/fraction", "fraction must be in (0, 1], found 1.5");
  check(cluster_file("[" + job + R"(, "fraction": 0.6}, {"name": "b", "client": "vm1", "server": "s", "fraction": 0.5, )" +
                     kTrainJob + "}]"),
        "/jobs/1", "fractions of s/gpu0 sum to 1.1 with this job (at most 1)");
  check(cluster_file(R"([{"name": "a", "client": "vm9", "server": "s", "model": "resnet50"}])"), "/jobs/0/client",
        "unknown client \"vm9\"");
  check(cluster_file("[" + job + R"(, "gpu": 3}])"), "/jobs/0/gpu", "server \"s\" has GPUs 0 to 0, not 3");
  // GPUs by list, as CUDA_VISIBLE_DEVICES names them (a p3.8xlarge has four).
  const std::string four = R"([{"name": "vm0", "nic_gbps": 25}, {"name": "vm1", "nic_gbps": 25}])";
  check(cluster_file("[" + job + R"(, "gpu": [2, 4]}])", four, "p3.8xlarge"), "/jobs/0/gpu/1", "server \"s\" has GPUs 0 to 3, not 4");
  check(cluster_file("[" + job + R"(, "gpu": [2, 2]}])", four, "p3.8xlarge"), "/jobs/0/gpu/1", "GPU 2 is listed twice");
  check(cluster_file("[" + job + R"(, "gpu": []}])", four, "p3.8xlarge"), "/jobs/0/gpu", "a list of GPUs needs at least one");
  check(cluster_file("[" + job + R"(, "gpu": [0, 3], "gpus": 3}])", four, "p3.8xlarge"), "/jobs/0/gpus",
        "3 GPUs, but \"gpu\" lists 2");
  check(cluster_file("[" + job + R"(, "gpu": [0, 3], "fraction": 0.5}, {"name": "b", "client": "vm1", "server": "s", "gpu": [3], "fraction": 0.6, )" +
                     kTrainJob + "}]", four, "p3.8xlarge"),
        "/jobs/1", "fractions of s/gpu3 sum to 1.1 with this job (at most 1)");
  check(cluster_file("[" + job + "}]", R"([{"name": "vm0", "nic_gbps": -25}])"), "/cluster/clients/0/nic_gbps", "");
  check(cluster_file("[" + job + "}]", R"([{"name": "vm0", "nic_gbps": 25}])", "c5.large"), "/cluster/servers/0/instance",
        "instance \"c5.large\" has no GPUs to pool");
  check(cluster_file("[" + job + "}, " + job + "}]"), "/jobs/1/name", "duplicate name \"a\"");
  std::string dated = cluster_file("[" + job + "}]");
  dated.insert(dated.size() - 1, R"(, "price_date": "last week")");
  check(dated, "/price_date", "expected a date YYYY-MM-DD, found \"last week\"");
  // Racks: every server and client names one that the cluster lists; none without "racks".
  auto racked = [&](const std::string& server_rack, const std::string& client_rack) {
    return R"({"cluster": {"racks": [{"name": "r1", "uplink_gbps": 100}], "servers": [{"name": "s", "instance": "p3.2xlarge", "nic_gbps": 100)" +
           server_rack + R"(}], "clients": [{"name": "vm0", "nic_gbps": 25)" + client_rack + R"(}]}, "jobs": [)" + job + "}]}";
  };
  check(racked(R"(, "rack": "r2")", R"(, "rack": "r1")"), "/cluster/servers/0/rack", "unknown rack \"r2\"");
  check(racked(R"(, "rack": "r1")", ""), "/cluster/clients/0", "\"rack\" is required where the cluster has \"racks\"");
  check(cluster_file("[" + job + "}]", R"([{"name": "vm0", "nic_gbps": 25, "rack": "r1"}])"), "/cluster/clients/0/rack",
        "the cluster has no \"racks\"");
  std::string variants = cluster_file("[" + job + "}]");
  variants.insert(variants.size() - 1, R"(, "networks": [{"protocol": "tcp", "uplink_gbps": 10}])");
  check(variants, "/networks/0/uplink_gbps", "the cluster has no \"racks\"");
  // Several GPUs: as many as the server has, from the named one on, each GPU's fractions summed.
  check(cluster_file("[" + job + R"(, "gpus": 2}])"), "/jobs/0/gpus", "server \"s\" has GPUs 0 to 0: 2 from GPU 0 do not fit");
  check(cluster_file(R"([{"name": "a", "client": "vm0", "gpus": 8, )" + std::string(kTrainJob) + "}]", R"([{"name": "vm0", "nic_gbps": 25}])",
                     "p3.8xlarge"),
        "/jobs/0/gpus", "no server has 8 GPUs (at most 4)");
  check(cluster_file("[" + job + R"(, "gpus": 2, "fraction": 0.5}, {"name": "b", "client": "vm1", "server": "s", "gpu": 1, "fraction": 0.6, )" +
                         kTrainJob + "}]",
                     R"([{"name": "vm0", "nic_gbps": 25}, {"name": "vm1", "nic_gbps": 25}])", "p3.8xlarge"),
        "/jobs/1", "fractions of s/gpu1 sum to 1.1 with this job (at most 1)");
  std::string placed = cluster_file("[" + job + "}]");
  placed.insert(placed.size() - 1, R"(, "placement": "nearest")");
  check(placed, "/placement", "placement must be \"pack\", \"spread\" or \"near\"");
  // PCIe switches: at least one GPU behind each, at most the server's GPUs.
  std::string switched = cluster_file("[" + job + "}]");
  switched.insert(switched.find(R"("nic_gbps": 100)"), R"("gpus_per_pcie_switch": 2, )");
  check(switched, "/cluster/servers/0/gpus_per_pcie_switch", "must be in [1, 1], found 2");
  // Gradient buckets: a known policy, for training only.
  check(cluster_file("[" + job + R"(, "buckets": "nccl"}])"), "/jobs/0/buckets",
        "unknown gradient exchange \"nccl\" (known: ddp, horovod)");
  check(cluster_file(R"([{"name": "a", "client": "vm0", "model": "bert-base", "mode": "inference", "buckets": "ddp"}])"),
        "/jobs/0/buckets", "an inference job has no gradients to bucket");
}

// `xpusim run` on an example cluster file, twice: it must succeed with byte-identical output.
// Returns the report's results, one per network (none when the run failed).
nlohmann::json example_run_results(const std::string& example) {
  const std::string args = "run " + std::string(XPUSIM_SOURCE_DIR) + "/sim/scenario/examples/" + example + " --json";
  const CliRun a = run(args), b = run(args);
  EXPECT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  return a.code == 0 ? nlohmann::json::parse(a.out)["results"] : nlohmann::json::array();
}

TEST(Cli, FlowStudyRunsItsExampleAndNamesBadMessagesByPointer) {
  const auto results = example_run_results("leaf_spine_fct.json");
  ASSERT_EQ(results.size(), 2u);  // 2:1 and 1:1 oversubscribed uplinks, the same messages
  // The three 50 MB messages into h0 share its 100 Gbit/s link: none ends before 150 MB crossed it.
  const double incast_us = 3 * 50e6 / (100e9 / 8 * xpusim::protocol_profile("roce-v2").efficiency()) * 1e6;
  for (const auto& network : results) {
    EXPECT_EQ(network["summary"]["messages"], 2003);
    int incast = 0;
    for (const auto& m : network["messages"]) {
      EXPECT_GE(m["slowdown"].get<double>(), 1 - 1e-6);
      if (m["bytes"] == 5e7 && m["dst"] == "h0") {
        ++incast;
        EXPECT_GE(m["completion_us"].get<double>(), incast_us * (1 - 1e-6));
      }
    }
    EXPECT_EQ(incast, 3) << network["topology"];
    for (const auto& l : network["links"]) EXPECT_LE(l["utilization"].get<double>(), 1.0);
  }
  // The permutation example: each host sends all its messages to one partner.
  const auto permutation = example_run_results("fat_tree_permutation.json");
  ASSERT_EQ(permutation.size(), 1u);
  std::map<std::string, std::string> partner;
  for (const auto& m : permutation[0]["messages"]) {
    EXPECT_EQ(partner.emplace(m["src"], m["dst"]).first->second, m["dst"].get<std::string>());
    EXPECT_GE(m["slowdown"].get<double>(), 1 - 1e-6);
  }
  EXPECT_EQ(partner.size(), 16u);
  // Measured web search sizes, a quarter of them within the rack (leaf of 8 hosts).
  const auto websearch = example_run_results("leaf_spine_websearch.json");
  ASSERT_EQ(websearch.size(), 2u);
  int in_rack = 0;
  for (const auto& m : websearch[0]["messages"])
    in_rack += std::stoi(m["src"].get<std::string>().substr(1)) / 8 == std::stoi(m["dst"].get<std::string>().substr(1)) / 8;
  EXPECT_NEAR(in_rack / 20000.0, 0.25, 0.015);  // binomial sigma 0.003
  // Incast queries: 1,000 of 16 responses each, all to one host.
  const auto incast = example_run_results("leaf_spine_incast.json");
  ASSERT_EQ(incast.size(), 1u);
  EXPECT_EQ(incast[0]["summary"]["queries"]["queries"], 1000);
  std::map<int, std::set<std::string>> receivers;
  for (const auto& m : incast[0]["messages"]) receivers[m["query"].get<int>()].insert(m["dst"].get<std::string>());
  ASSERT_EQ(receivers.size(), 1000u);
  for (const auto& [q, hosts] : receivers) EXPECT_EQ(hosts.size(), 1u) << "query " << q;
  // Shuffles of 8 hosts, Hadoop sizes: 300 of 56 messages each, on both fabrics.
  const auto shuffle = example_run_results("leaf_spine_shuffle.json");
  ASSERT_EQ(shuffle.size(), 2u);
  for (const auto& network : shuffle) {
    EXPECT_EQ(network["summary"]["shuffles"]["shuffles"], 300);
    std::map<int, std::set<std::string>> members;
    for (const auto& m : network["messages"]) members[m["shuffle"].get<int>()].insert(m["src"].get<std::string>());
    ASSERT_EQ(members.size(), 300u);
    for (const auto& [g, hosts] : members) EXPECT_EQ(hosts.size(), 8u) << "shuffle " << g;
  }
  auto check = [](const std::string& body, const std::string& where, const std::string& message) {
    const auto f = write_scenario("flows.json", R"({"topology": {"leaf_spine": {"leaves": 2, "spines": 1, "hosts_per_leaf": 2,
        "host_gbps": 100, "uplink_gbps": 100, "latency_us": 1}}, )" + body + "}");
    expect_input_error("run " + f.string(), f.string() + where + ": " + message);
  };
  const std::string roce = R"("protocol": "roce-v2", )";
  check(roce + R"("flows": [{"src": "h0", "dst": "h9", "bytes": 1}])", "/flows/0/dst", "unknown host \"h9\"");
  check(roce + R"("flows": [{"src": "leaf0", "dst": "h1", "bytes": 1}])", "/flows/0/src",
        "\"leaf0\" is a switch: messages start and end at hosts");
  check(roce + R"("flows": [{"src": "h1", "dst": "h1", "bytes": 1}])", "/flows/0/dst", "a message from a host to itself");
  check(roce + R"("flows": [{"src": "h0", "dst": "h1", "bytes": 0}])", "/flows/0/bytes", "");
  check(roce + R"("flows": [{"src": "h0", "dst": "h1", "bytes": 1, "protocol": "udp"}])", "/flows/0/protocol",
        "unknown protocol \"udp\"");
  check(R"("flows": [{"src": "h0", "dst": "h1", "bytes": 1}])", "/", "missing required key \"protocol\"");
  check(roce + R"("flows": [])", "/", "a flow study needs messages");
  check(roce + R"("traffic": {"flows": 10, "min_bytes": 100, "max_bytes": 10, "load": 0.5})", "/traffic/max_bytes",
        "must be at least min_bytes (100)");
  check(roce + R"("traffic": {"flows": 10, "min_bytes": 100, "max_bytes": 1000, "load": 0})", "/traffic/load",
        "must be in (0, 1], found 0");
  const std::string traffic = R"("traffic": {"flows": 10, "min_bytes": 100, "max_bytes": 1000, "load": 0.5, )";
  check(roce + R"("traffic": {"flows": 10, "min_bytes": 100, "max_bytes": 1000, "load": 1e-15})", "/traffic/load",
        "10 messages at this load arrive over");
  check(roce + traffic + R"("pattern": "all-to-all"})", "/traffic/pattern",
        "unknown pattern \"all-to-all\"; known: uniform, permutation, stride, incast, shuffle");
  check(roce + traffic + R"("pattern": "incast"})", "/traffic", "the incast pattern needs \"fan_in\"");
  check(roce + traffic + R"("fan_in": 2})", "/traffic/fan_in", "only the incast pattern takes a fan_in");
  check(roce + traffic + R"("pattern": "incast", "fan_in": 4})", "/traffic/fan_in", "must be in [1, 3], found 4");
  check(roce + traffic + R"("pattern": "incast", "fan_in": 3})", "/traffic/flows",
        "incast traffic sends fan_in (3) responses per query: 10 is not a multiple");
  check(roce + traffic + R"("pattern": "shuffle"})", "/traffic", "the shuffle pattern needs \"width\"");
  check(roce + traffic + R"("pattern": "shuffle", "width": 1})", "/traffic/width", "must be in [2, 4], found 1");
  check(roce + traffic + R"("pattern": "shuffle", "width": 3})", "/traffic/flows",
        "a shuffle of width 3 sends 6 messages: 10 is not a multiple");
  check(roce + traffic + R"("width": 2})", "/traffic/width", "only the shuffle pattern takes a width");
  check(roce + traffic + R"("pattern": "permutation", "local": 0.5})", "/traffic/local",
        "only the uniform pattern takes a local fraction");
  check(roce + traffic + R"("local": 1.5})", "/traffic/local", "must be in [0, 1], found 1.5");
  // Sizes: log-uniform bounds or a distribution, named or as CDF points.
  const std::string sized = R"("traffic": {"flows": 10, "load": 0.5, "sizes": )";
  check(roce + sized + R"("websearch", "min_bytes": 1})", "/traffic/sizes",
        "give \"sizes\" or \"min_bytes\" and \"max_bytes\", not both");
  check(roce + sized + R"("web"})", "/traffic/sizes", "unknown message sizes \"web\"; known: hadoop, storage, websearch");
  check(roce + sized + R"({"cdf": [[10, 5], [20, 100]]}})", "/traffic/sizes/cdf/0", "a CDF starts at 0 percent");
  check(roce + sized + R"({"cdf": [[10, 0], [20, 1]]}})", "/traffic/sizes/cdf/1", "a CDF ends at 100 percent");
  check(roce + sized + R"({"cdf": [[10, 0], [5, 50], [20, 100]]}})", "/traffic/sizes/cdf/1",
        "bytes and percents must both increase from point to point");
  check(roce + sized + R"({"cdf": [[10, 0, 1], [20, 100]]}})", "/traffic/sizes/cdf/0",
        "a point is [bytes, cumulative percent]");
  check(roce + sized + R"({"cdf": [[0, 0], [0.5, 100]]}})", "/traffic/sizes/cdf/1",
        "the largest message must be at least 1 byte");
  // Local traffic needs hosts that share a switch, and others off it.
  auto local = [](const std::string& leaf_spine, const std::string& fraction, const std::string& message) {
    const auto f = write_scenario("flows.json", R"({"topology": {"leaf_spine": {)" + leaf_spine +
        R"(, "host_gbps": 100, "uplink_gbps": 100, "latency_us": 1}}, "protocol": "roce-v2", "traffic": {"flows": 10,
        "min_bytes": 100, "max_bytes": 1000, "load": 0.5, "local": )" + fraction + "}}");
    expect_input_error("run " + f.string(), f.string() + "/traffic/local: " + message);
  };
  local(R"("leaves": 2, "spines": 1, "hosts_per_leaf": 1)", "0.5", "host \"h0\" shares its switch with no other host");
  local(R"("leaves": 1, "spines": 1, "hosts_per_leaf": 4)", "0.5", "every host is on one switch: none can send off it");
  check(roce + traffic + R"("pattern": "stride"})", "/traffic", "the stride pattern needs \"stride\"");
  check(roce + traffic + R"("stride": 1})", "/traffic/stride", "only the stride pattern takes a stride");
  check(roce + traffic + R"("pattern": "stride", "stride": 4})", "/traffic/stride", "must be in [1, 3], found 4");
  // Several networks: named, once each, with the same hosts.
  const auto several = [](const std::string& second) {
    return write_scenario("flows.json", R"({"topologies": [{"name": "a", "leaf_spine": {"leaves": 2, "spines": 1,
        "hosts_per_leaf": 2, "host_gbps": 100, "uplink_gbps": 100, "latency_us": 1}}, )" + second +
        R"(], "protocol": "tcp", "flows": [{"src": "h0", "dst": "h3", "bytes": 1}]})");
  };
  auto f = several(R"({"name": "b", "fat_tree": {"k": 2, "gbps": 10, "latency_us": 1}})");
  expect_input_error("run " + f.string(), f.string() + "/topologies/1: its hosts differ from those of \"a\"");
  f = several(R"({"name": "a", "leaf_spine": {"leaves": 1, "spines": 1, "hosts_per_leaf": 4, "host_gbps": 10, "uplink_gbps": 10, "latency_us": 1}})");
  expect_input_error("run " + f.string(), f.string() + "/topologies/1/name: empty or repeated name \"a\"");
  f = several(R"({"leaf_spine": {"leaves": 1, "spines": 1, "hosts_per_leaf": 4, "host_gbps": 10, "uplink_gbps": 10, "latency_us": 1}})");
  expect_input_error("run " + f.string(), f.string() + "/topologies/1: missing required key \"name\"");
  f = several(R"({"name": "b", "leaf_spine": {"leaves": 1, "spines": 1, "hosts_per_leaf": 4, "host_gbps": 10, "uplink_gbps": 10, "latency_us": 1}})");
  const CliRun ok = run("run " + f.string() + " --json");
  EXPECT_EQ(ok.code, 0) << ok.err;
  check(R"("topologies": [], "protocol": "tcp", "flows": [{"src": "h0", "dst": "h1", "bytes": 1}])", "/topologies",
        "give \"topology\" or \"topologies\", not both");
}

TEST(Cli, ClusterRunIsDeterministicAndFasterNetworksNeverSlowAJob) {
  const auto results = example_run_results("remote_v100_networks.json");
  ASSERT_EQ(results.size(), 4u);  // 10GbE TCP, 25GbE TCP, 100GbE RoCE, EDR InfiniBand
  for (const char* job : {"resnet50-train", "bert-infer"}) {
    double previous = 1e300;
    for (const auto& network : results) {
      for (const auto& row : network["jobs"]) {
        if (row["name"] != job) continue;
        const double slowdown = row["slowdown_vs_local"].get<double>();
        EXPECT_GE(slowdown, 1.0) << network["network"] << " " << job;  // remote never beats local
        EXPECT_LE(slowdown, previous * (1 + 1e-9)) << network["network"] << " " << job;
        previous = slowdown;
      }
    }
  }
}

TEST(Cli, ClusterLatencyCostsTwoRoundTripsPerIteration) {
  // The same jobs over 100 GbE RoCE with round trips from 10 to 200 us. Launches are asynchronous
  // and the window (64 launches of ~60 us of eager dispatch each) covers every round trip here, so
  // an iteration waits for latency only in its two synchronous calls: the input copy's answer and
  // the output copy (which synchronizes). Each 1 us of round trip costs each iteration 2 us.
  const auto results = example_run_results("v100_pool_latency.json");
  ASSERT_EQ(results.size(), 5u);
  const double rtt_us[] = {10, 25, 50, 100, 200};
  for (std::size_t job = 0; job < 2; ++job) {
    const double base = results[0]["jobs"][job]["iteration_ms"].get<double>();
    for (std::size_t n = 1; n < 5; ++n) {
      const double added_us = (results[n]["jobs"][job]["iteration_ms"].get<double>() - base) * 1e3;
      EXPECT_NEAR(added_us, 2 * (rtt_us[n] - rtt_us[0]), 0.02 * 2 * (rtt_us[n] - rtt_us[0]))
          << results[n]["network"] << " " << results[n]["jobs"][job]["name"];
    }
  }
}

TEST(Cli, ClusterJobsAllReduceOverTheNvlinksAmongTheirGpus) {
  // Two BERT-large trainers on one p3.16xlarge (a DGX-1's NVLink mesh), each on two GPUs: GPUs 0
  // and 1 share one NVLink, GPUs 2 and 3 two, so the second job's gradients all-reduce twice as
  // fast. Same compute, same clients: its iterations are shorter, locally as remotely.
  const std::string job = R"("gpus": 2, "model": "bert-large", "mode": "training", "batch": 16, "iterations": 2})";
  const fs::path file = write_scenario(
      "mesh.json", cluster_file(R"([{"name": "on-0-1", "client": "vm0", "server": "s", "gpu": 0, )" + job +
                                    R"(, {"name": "on-2-3", "client": "vm1", "server": "s", "gpu": 2, )" + job + "]",
                                R"([{"name": "vm0", "nic_gbps": 100}, {"name": "vm1", "nic_gbps": 100}])", "p3.16xlarge"));
  const CliRun r = run("run " + file.string() + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto jobs = nlohmann::json::parse(r.out)["results"][0]["jobs"];
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_LT(jobs[1]["iteration_ms"].get<double>(), 0.95 * jobs[0]["iteration_ms"].get<double>());
  EXPECT_LT(jobs[1]["local_iteration_ms"].get<double>(), 0.95 * jobs[0]["local_iteration_ms"].get<double>());
  // Placed by the pool, four such jobs take the four pairs of GPUs joined by two NVLinks (the
  // lowest free GPUs would give two of them one), each as fast locally as on GPUs 2 and 3.
  // Named by list, GPUs 0 and 3 (two NVLinks) run it as fast as GPUs 2 and 3.
  const fs::path listed = write_scenario(
      "mesh-listed.json", cluster_file(R"([{"name": "on-0-3", "client": "vm0", "server": "s", "gpu": [0, 3], )" + job + "]",
                                       R"([{"name": "vm0", "nic_gbps": 100}])", "p3.16xlarge"));
  const CliRun l = run("run " + listed.string() + " --json");
  ASSERT_EQ(l.code, 0) << l.err;
  const auto on_0_3 = nlohmann::json::parse(l.out)["results"][0]["jobs"][0];
  EXPECT_EQ(on_0_3["gpu"], "s/gpu0+gpu3");
  EXPECT_NEAR(on_0_3["local_iteration_ms"].get<double>(), jobs[1]["local_iteration_ms"].get<double>(),
              1e-9 * jobs[1]["local_iteration_ms"].get<double>());
  const auto placed = example_run_results("v100_mesh_placement.json");
  ASSERT_EQ(placed.size(), 1u);
  std::vector<std::string> pairs;
  const double on_2_3 = jobs[1]["local_iteration_ms"].get<double>();
  for (const auto& row : placed[0]["jobs"]) {
    pairs.push_back(row["gpu"].get<std::string>());
    EXPECT_NEAR(row["local_iteration_ms"].get<double>(), on_2_3, 1e-9 * on_2_3) << row["gpu"];
  }
  EXPECT_EQ(pairs, (std::vector<std::string>{"dgx/gpu0+gpu3", "dgx/gpu1+gpu2", "dgx/gpu4+gpu7", "dgx/gpu5+gpu6"}));
}

TEST(Cli, GpusPickWhichDevicesOfAServerCollectivesAndTrainingUse) {
  // On a p3.16xlarge GPUs 0 and 3 share two NVLinks, 0 and 1 one: the all-reduce's bus bandwidth
  // doubles, BERT-large's gradient all-reduces take about half as long. --devices 2 is GPUs 0, 1.
  auto results = [](const std::string& args) {
    const CliRun r = run(args + " --json");
    EXPECT_EQ(r.code, 0) << args << "\n" << r.err;
    return r.code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
  };
  const std::string collective = "collective --instance p3.16xlarge --bytes 1073741824";
  const auto both = results(collective + " --gpus 0,3"), one = results(collective + " --gpus 1,0");
  ASSERT_FALSE(both.empty() || one.empty());
  EXPECT_EQ(both["config"]["devices"], nlohmann::json({0, 3}));
  const double two_links = both["results"][0]["busbw_gbytes_per_s"].get<double>();
  EXPECT_NEAR(two_links, 2 * one["results"][0]["busbw_gbytes_per_s"].get<double>(), 1e-3 * two_links);
  EXPECT_EQ(results(collective + " --devices 2")["results"], one["results"]);
  const std::string train = "train --model bert-large --instance p3.16xlarge";
  const double faster = results(train + " --gpus 0,3")["results"][0]["communication_ms"].get<double>();
  const double slower = results(train + " --gpus 0,1")["results"][0]["communication_ms"].get<double>();
  EXPECT_LT(faster, 0.55 * slower);
  EXPECT_GT(faster, 0.45 * slower);
  expect_input_error(collective + " --gpus 0,8", "--gpus: p3.16xlarge has devices 0 to 7, not 8");
  expect_input_error(train + " --gpus 2,2", "--gpus: device 2 is given twice");
  EXPECT_EQ(run(collective + " --gpus 0,1 --devices 2").code, 2);
}

TEST(Cli, ClusterRacksSlowJobsOnlyAsTheirUplinksNarrow) {
  // Eight ResNet-50 trainers in one rack on four V100s in another, uplinks from 400 down to
  // 10 Gbit/s: no job gets faster as the uplinks narrow, and at 10 Gbit/s the uplinks, not the
  // 25 Gbit/s client NICs, are the busiest links.
  const auto results = example_run_results("v100_pool_racks.json");
  ASSERT_EQ(results.size(), 4u);
  std::map<std::string, double> previous;
  for (const auto& network : results) {
    ASSERT_EQ(network["jobs"].size(), 8u);
    for (const auto& row : network["jobs"]) {
      const double ms = row["iteration_ms"].get<double>();
      const std::string name = row["name"].get<std::string>();
      if (previous.count(name)) {
        EXPECT_GE(ms, previous[name] * (1 - 1e-9)) << network["network"] << " " << name;
      }
      previous[name] = ms;
    }
  }
  double uplink = 0, nic = 0;
  for (const auto& n : results[3]["nics"]) {
    const double u = n["utilization"].get<double>();
    EXPECT_LE(u, 1 + 1e-9) << n["host"];
    double& busiest = n["host"].get<std::string>().ends_with("/uplink") ? uplink : nic;
    busiest = std::max(busiest, u);
  }
  EXPECT_GT(uplink, nic);
  EXPECT_GT(previous["train-1"], results[0]["jobs"][0]["iteration_ms"].get<double>());  // 10 Gbit/s slows it
}

TEST(Cli, ClusterJobsOnSeveralGpusScaleLocallyAndShareTheirServersNic) {
  // ResNet-50 training on 1, 2 and 4 V100s of a p3.8xlarge each, remote over three networks, and
  // on 2 and 4 with Horovod's buckets. Locally, more GPUs only add what of the bucketed all-reduce
  // over NVLink backward does not hide: what `xpusim train` finds for the same server (an
  // independent path through the same kernels and buckets). Horovod's last bucket waits for its
  // 5 ms cycle; train's timeline starts a dispatch interval (60 us) before the first kernel, where
  // the pool's cycle starts at it, so those agree within 0.1 ms. Remotely every replica's input
  // batch crosses the one server NIC, so slower networks cost the 4-GPU job most.
  std::map<std::string, double> exposed_ms;
  for (const char* buckets : {"ddp", "horovod"})
    for (int gpus : {2, 4}) {
      const CliRun t = run(fmt::format(
          "train --model resnet50 --instance p3.8xlarge --devices {} --batch 64 --precision fp16 --buckets {} --json",
          gpus, buckets));
      ASSERT_EQ(t.code, 0) << t.err;
      exposed_ms[fmt::format("{}{}", buckets, gpus)] =
          nlohmann::json::parse(t.out)["results"][0]["exposed_communication_ms"].get<double>();
    }
  EXPECT_GT(exposed_ms["ddp2"], 0.05);
  EXPECT_GT(exposed_ms["horovod2"], exposed_ms["ddp2"] + 4);
  const auto results = example_run_results("v100_pool_multi_gpu.json");
  ASSERT_EQ(results.size(), 3u);  // 100 GbE RoCE, 25 GbE TCP, 10 GbE TCP
  for (const auto& network : results) {
    const auto& jobs = network["jobs"];
    ASSERT_EQ(jobs.size(), 5u);
    const double one_local = jobs[0]["local_iteration_ms"].get<double>();
    double previous_slowdown = 0;
    const char* placed[] = {"one/gpu0", "two/gpu0+gpu1", "four/gpu0+gpu1+gpu2+gpu3"};
    for (std::size_t i = 0; i < 3; ++i) {
      const double gpus = static_cast<double>(1 << i);
      EXPECT_EQ(jobs[i]["gpu"], placed[i]);
      const double samples_per_s = gpus * 64 / (jobs[i]["iteration_ms"].get<double>() * 1e-3);
      EXPECT_NEAR(jobs[i]["throughput_per_s"].get<double>() / samples_per_s, 1, 1e-5);  // reports round to 6 digits
      const double local = jobs[i]["local_iteration_ms"].get<double>();
      if (i > 0) {
        EXPECT_NEAR(local - one_local, exposed_ms[fmt::format("ddp{}", 1 << i)], 0.005) << i;
      }
      const double slowdown = jobs[i]["slowdown_vs_local"].get<double>();
      EXPECT_GE(slowdown, previous_slowdown * (1 - 1e-9)) << network["network"];
      previous_slowdown = slowdown;
    }
    for (std::size_t i : {3u, 4u}) {
      const int gpus = i == 3 ? 2 : 4;
      const double local = jobs[i]["local_iteration_ms"].get<double>();
      EXPECT_NEAR(local - one_local, exposed_ms[fmt::format("horovod{}", gpus)], 0.1) << gpus;
      EXPECT_GT(jobs[i]["iteration_ms"].get<double>(), jobs[i - 2]["iteration_ms"].get<double>());
    }
  }
  EXPECT_GT(results[2]["jobs"][2]["slowdown_vs_local"].get<double>(), 2.0);  // 4 GPUs behind 10 GbE
}

TEST(Cli, ClusterJobsOnAPcieServerAllReduceOverItsPcieLinksAsTrainFinds) {
  // 4 P100 joined by PCIe only: the replicas' all-reduce is a ring of flows over the pool's PCIe
  // links (12 GB/s, as the host's copies see them) rather than the fabric's closed form at
  // 15.75 GB/s x 0.77 = 12.1 GB/s in `xpusim train`; locally the exposed part agrees within
  // 0.05 ms (of 1.4 and 2.2 ms: nine times NVLink's).
  const auto results = example_run_results("p100_pcie_pool_multi_gpu.json");
  ASSERT_EQ(results.size(), 2u);
  for (const auto& network : results) {
    const auto& jobs = network["jobs"];
    ASSERT_EQ(jobs.size(), 3u);
    for (std::size_t i : {1u, 2u}) {
      const int gpus = 1 << i;
      const CliRun t = run(fmt::format(
          "train --model resnet50 --instance p100x4-25gbe-roce --devices {} --batch 64 --precision fp32 --json", gpus));
      ASSERT_EQ(t.code, 0) << t.err;
      const double exposed_ms = nlohmann::json::parse(t.out)["results"][0]["exposed_communication_ms"].get<double>();
      EXPECT_GT(exposed_ms, 1.0);
      const double added = jobs[i]["local_iteration_ms"].get<double>() - jobs[0]["local_iteration_ms"].get<double>();
      EXPECT_NEAR(added, exposed_ms, 0.05) << gpus;
    }
  }
  // The all-reduce runs on the pool's PCIe links: at half their speed the last bucket, which is
  // what backward does not hide, takes twice as long (the copies slow too, alike for one GPU and
  // two).
  std::string text = slurp(fs::path(XPUSIM_SOURCE_DIR) / "sim/scenario/examples/p100_pcie_pool_multi_gpu.json");
  const std::string pcie = R"("pcie_gbytes_per_s": 12)";
  ASSERT_NE(text.find(pcie), std::string::npos);
  text.replace(text.find(pcie), pcie.size(), R"("pcie_gbytes_per_s": 6)");
  const auto f = write_scenario("pcie6.json", text);
  const CliRun slow = run("run " + f.string() + " --json");
  ASSERT_EQ(slow.code, 0) << slow.err;
  const auto report = nlohmann::json::parse(slow.out);
  const auto& jobs = report["results"][0]["jobs"];
  const double added = jobs[1]["local_iteration_ms"].get<double>() - jobs[0]["local_iteration_ms"].get<double>();
  const auto& fast = results[0]["jobs"];
  EXPECT_NEAR(added / (fast[1]["local_iteration_ms"].get<double>() - fast[0]["local_iteration_ms"].get<double>()), 2, 0.1);
}

TEST(Cli, ClusterNearPlacementKeepsJobsInTheirRackAndOffItsUplink) {
  // Eight ResNet-50 trainers, four per rack, arriving together with their clients' racks
  // alternating; one 4-GPU server per rack behind 25 Gbit/s uplinks. Near puts every job in its
  // client's rack; pack fills one server first, so half the jobs copy their inputs across two
  // uplinks that four of them share, and those run slower.
  const auto near = example_run_results("v100_pool_near.json");  // the file says near
  ASSERT_EQ(near.size(), 1u);
  EXPECT_EQ(near[0]["placement"], "near");
  // `schedule --policy` compares placements in one run, the file's aside.
  const std::string file = std::string(XPUSIM_SOURCE_DIR) + "/sim/scenario/examples/v100_pool_near.json";
  const CliRun both = run("schedule --cluster " + file + " --policy pack,near --json");
  ASSERT_EQ(both.code, 0) << both.err;
  const auto compared = nlohmann::json::parse(both.out)["results"];
  ASSERT_EQ(compared.size(), 2u);
  EXPECT_EQ(compared[0]["placement"], "pack");
  EXPECT_EQ(compared[1], near[0]);
  double near_total = 0, pack_total = 0, in_rack_ms = 0;
  int crossing = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    const auto& n = near[0]["jobs"][i];
    const auto& p = compared[0]["jobs"][i];
    const char rack = n["client"].get<std::string>()[0];
    EXPECT_EQ(n["gpu"].get<std::string>()[0], rack) << n["name"];
    if (i == 0) in_rack_ms = n["iteration_ms"].get<double>();
    EXPECT_NEAR(n["iteration_ms"].get<double>(), in_rack_ms, 1e-6 * in_rack_ms);
    if (p["gpu"].get<std::string>()[0] != rack) {
      ++crossing;
      EXPECT_GT(p["iteration_ms"].get<double>(), 1.1 * in_rack_ms) << p["name"];
    }
    near_total += n["throughput_per_s"].get<double>();
    pack_total += p["throughput_per_s"].get<double>();
  }
  EXPECT_EQ(crossing, 4);
  EXPECT_GT(near_total, 1.05 * pack_total);
  // A trace's policies and options do not apply to a cluster file.
  expect_input_error("schedule --cluster " + file + " --policy best-fit",
                     "--policy: unknown pool placement \"best-fit\" (with --cluster: pack, spread, near)");
  expect_input_error("schedule --cluster " + file + " --queue sjf",
                     "--queue: applies to a trace (--nodes and --pods), not to --cluster");
}

TEST(Cli, ClusterGpusBehindOnePcieSwitchShareItsUplinkUnlessSpread) {
  // A DGX-1V with a 400 Gbit/s NIC and two GPUs behind each PCIe switch (as its PLX switches);
  // four clients run ResNet-50 inference on a whole GPU each, placed by the pool. Pack takes GPUs 0
  // to 3, so each pair's copies divide one switch's uplink and an iteration takes one more copy
  // time (the batch's inputs at the PCIe rate, in RoCE's wire bytes); spread takes one GPU per
  // switch and runs as a local GPU but for the network's latency.
  const std::string file = std::string(XPUSIM_SOURCE_DIR) + "/sim/scenario/examples/v100_pool_pcie_switches.json";
  const auto spread = example_run_results("v100_pool_pcie_switches.json");  // the file says spread
  const CliRun both = run("schedule --cluster " + file + " --policy pack,spread --json");
  ASSERT_EQ(both.code, 0) << both.err;
  const auto compared = nlohmann::json::parse(both.out)["results"];
  ASSERT_EQ(compared.size(), 2u);
  ASSERT_EQ(spread.size(), 1u);
  EXPECT_EQ(compared[1], spread[0]);
  const double wire_bytes = xpusim::step_transfers("resnet50", 256, 0, xpusim::Mode::inference).to_device /
                            xpusim::protocol_profile("roce-v2").efficiency();
  const double copy_ms = 1e3 * wire_bytes / 12e9;  // the file's pcie_gbytes_per_s
  for (std::size_t k = 0; k < 4; ++k) {
    const auto &packed = compared[0]["jobs"][k], &spreaded = spread[0]["jobs"][k];
    EXPECT_EQ(packed["gpu"], fmt::format("switched/gpu{}", k));
    EXPECT_EQ(spreaded["gpu"], fmt::format("switched/gpu{}", 2 * k));
    EXPECT_LT(spreaded["slowdown_vs_local"].get<double>(), 1.01) << spreaded["name"];
    EXPECT_NEAR(packed["iteration_ms"].get<double>() - spreaded["iteration_ms"].get<double>(), copy_ms, 0.01 * copy_ms)
        << packed["name"];
  }
  // The report lists the switches' uplinks: packed, the two with GPUs busy and the others idle.
  std::map<std::string, double> use;
  for (const auto& n : compared[0]["nics"]) use[n["host"].get<std::string>()] = n["utilization"].get<double>();
  ASSERT_EQ(use.count("switched/pcie-switch3"), 1u);
  EXPECT_NEAR(use["switched/pcie-switch0"], use["switched/pcie-switch1"], 1e-9);
  EXPECT_GT(use["switched/pcie-switch0"], 0.2);
  EXPECT_EQ(use["switched/pcie-switch2"], 0);
}

TEST(Cli, CollectiveReportsNcclTestsBandwidths) {
  // network-measurements.md a100-nvlink-allreduce: 230.77 GB/s bus bandwidth at 1 GiB on one p4d.
  const CliRun r = run("collective --instance p4d.24xlarge --nodes 1,2 --bytes 8,1073741824 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out)["results"];
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_NEAR(rows[1]["busbw_gbytes_per_s"].get<double>(), 230.77, 0.01 * 230.77);
  EXPECT_EQ(rows[1]["protocol"], "Simple");
  const double algbw = rows[3]["algbw_gbytes_per_s"].get<double>();
  EXPECT_NEAR(rows[3]["busbw_gbytes_per_s"].get<double>(), algbw * 2 * 15 / 16, 1e-3 * algbw);
  EXPECT_LT(rows[3]["busbw_gbytes_per_s"].get<double>(), rows[1]["busbw_gbytes_per_s"].get<double>());
  // 8 bytes run NCCL's LL protocol: in one server its ring latency, 6.6 us + 14 x 0.6 us; on two,
  // its tree: 6.8 us, 14 chain hops of 0.6 us, and 2 edges between the servers of LL's 5.0 us
  // plus the network's own latency.
  EXPECT_EQ(rows[0]["protocol"], "LL");
  EXPECT_EQ(rows[0]["algorithm"], "ring");
  EXPECT_NEAR(rows[0]["time_us"].get<double>(), 15.0, 0.01);
  EXPECT_EQ(rows[2]["protocol"], "LL");
  EXPECT_EQ(rows[2]["algorithm"], "tree");
  const double efa_us = xpusim::Catalog::builtin().network("efa").latency_s * 1e6;
  EXPECT_NEAR(rows[2]["time_us"].get<double>(), 6.8 + 14 * 0.6 + 2 * (5.0 + efa_us), 0.01);
  // In one server --algorithm ring turns NVLink SHARP off, as NCCL_ALGO=Ring does; DL1's direct
  // phases, the only way HCCL runs there, are left as they are.
  for (const auto& [args, algorithm] : {std::pair{"p5.48xlarge", "ring"}, std::pair{"dl1.24xlarge", "direct"}}) {
    const CliRun one = run(std::string("collective --instance ") + args + " --bytes 1073741824 --algorithm ring --json");
    ASSERT_EQ(one.code, 0) << one.err;
    EXPECT_EQ(nlohmann::json::parse(one.out)["results"][0]["algorithm"], algorithm) << args;
  }
  expect_input_error("collective --instance c5.large", "--instance: \"c5.large\" is not an accelerator instance");
  expect_input_error("collective --instance p4d.24xlarge --bytes 0", "--bytes: must be in [1, 1e13], found 0");
  expect_input_error("collective --instance p4d.24xlarge --devices 9", "--devices: p4d.24xlarge has 8 device(s), not 9");
  expect_input_error("collective --instance p4d.24xlarge --algorithm x", "--algorithm: must be ring, tree or nvls, found \"x\"");
  expect_input_error("collective --instance p4d.24xlarge --algorithm nvls",
                     "--algorithm: nvls on p4d.24xlarge: NVLink SHARP runs all-reduces inside one server of Hopper GPUs");
  expect_input_error("collective --instance dl1.24xlarge --nodes 2 --algorithm tree",
                     "--algorithm: tree on dl1.24xlarge: the tree is NCCL's, for all-reduces between servers of NVIDIA GPUs");
  expect_input_error("collective --instance p4d.24xlarge --op alltoall",
                     "--op: unknown collective \"alltoall\" (known: all-reduce, reduce-scatter, all-gather, broadcast, "
                     "all-to-all)");
  expect_input_error("collective --instance p4d.24xlarge --op all-reduce,all-to-all --nodes 2,600",
                     "--nodes: an all-to-all runs on at most 512 servers, found 600");
  expect_input_error("collective --instance p4d.24xlarge --op all-to-all --nodes 2 --algorithm ring",
                     "--algorithm: ring on p4d.24xlarge: no ring runs this collective");
  // The other collectives of nccl-tests, with their own bus bandwidth factor, (n-1)/n.
  // A broadcast's is 1: its bus bandwidth is its algorithm bandwidth. At 1 GiB every one of them
  // reaches NVLink's, as the all-reduce does.
  const CliRun sharded =
      run("collective --instance p4d.24xlarge --op reduce-scatter,all-gather,all-to-all,broadcast --json");
  ASSERT_EQ(sharded.code, 0) << sharded.err;
  const auto ops = nlohmann::json::parse(sharded.out)["results"];
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_EQ(ops[0]["op"], "reduce-scatter");
  EXPECT_EQ(ops[1]["op"], "all-gather");
  EXPECT_EQ(ops[2]["op"], "all-to-all");
  EXPECT_EQ(ops[3]["op"], "broadcast");
  for (const auto& row : ops) {
    const double algbw = row["algbw_gbytes_per_s"].get<double>();
    EXPECT_NEAR(row["busbw_gbytes_per_s"].get<double>(), row["op"] == "broadcast" ? algbw : algbw * 7 / 8, 1e-3 * algbw);
    EXPECT_NEAR(row["busbw_gbytes_per_s"].get<double>(), 230.77, 0.01 * 230.77) << row["op"];
  }
}

TEST(Cli, ScheduleOnAPooledClusterQueuesJobsForMemory) {
  const std::string file = std::string(XPUSIM_SOURCE_DIR) + "/sim/scenario/examples/v100_pool_schedule.json";
  const CliRun r = run("schedule --cluster " + file + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  const auto jobs = report["results"][0]["jobs"], asked = report["config"]["jobs"];
  ASSERT_EQ(jobs.size(), 10u);
  int waited = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& j = jobs[i];
    const double wait = j["wait_s"].get<double>(), jct = j["jct_s"].get<double>();
    EXPECT_GE(wait, 0) << j["name"];
    // Once started, a job runs its iterations, all but the first at the reported steady pace.
    const int iterations = asked[i]["iterations"].get<int>();
    EXPECT_GE(jct - wait, (iterations - 1) * j["iteration_ms"].get<double>() * 1e-3 * (1 - 1e-6)) << j["name"];
    waited += wait > 0;
  }
  EXPECT_GE(waited, 4);  // two V100s for ten jobs that each hold up to a whole one
  expect_input_error("schedule --cluster " + file + " --nodes n.csv", "--cluster: give --cluster or --nodes and --pods, not both");
  expect_input_error("schedule --pods p.csv", "--nodes: required (or --cluster)");
}

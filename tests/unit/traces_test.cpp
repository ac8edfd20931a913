// Trace readers: the real files load with the documented sizes; bad rows are reported with
// file:line and rejected, or skipped and counted; formats are detected from headers.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/shared_data.hpp"

#include "sim/engine/input_error.hpp"
#include "workloads/traces/synthetic_trace.hpp"
#include "workloads/traces/trace_readers.hpp"

namespace fs = std::filesystem;
using namespace xpusim;

namespace {

const std::string kTraces = std::string(XPUSIM_SHARED_DIR) + "/data/traces";

std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("xpusim_traces_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

int64_t gpus(const NodeList& l) {
  int64_t g = 0;
  for (const auto& n : l.nodes) g += n.gpu_count;
  return g;
}

}  // namespace

TEST(Traces, OpenbNodeAndPodListsHaveTheirPublishedSizes) {
  XPUSIM_REQUIRE_SHARED_DATA();
  const auto nodes = read_node_list(kTraces + "/alibaba-gpu-v2023/openb_node_list_gpu_node.csv");
  EXPECT_EQ(nodes.nodes.size(), 1213u);
  EXPECT_EQ(gpus(nodes), 6212);
  const auto pods = read_pod_list(kTraces + "/alibaba-gpu-v2023/openb_pod_list_default.csv");
  ASSERT_EQ(pods.pods.size(), 8152u);
  EXPECT_EQ(pods.pods[1].gpu_milli, 460);
  EXPECT_DOUBLE_EQ(pods.pods[0].duration_s, 12537496.0);
  // multigpu variants have five columns and no times.
  const auto multi = read_pod_list(kTraces + "/alibaba-gpu-v2023/openb_pod_list_multigpu20.csv");
  EXPECT_LT(multi.pods.front().duration_s, 0);
}

TEST(Traces, PaiMachineSpecHas6742Gpus) {
  XPUSIM_REQUIRE_SHARED_DATA();
  const auto nodes = read_node_list(kTraces + "/alibaba-gpu-v2020/pai_machine_spec.csv");
  EXPECT_EQ(nodes.nodes.size(), 1897u);  // distinct machines in the file (PROVENANCE.md says 1,896)
  EXPECT_EQ(gpus(nodes), 6742);
  EXPECT_EQ(nodes.nodes.front().cpu_milli, 96000);
  EXPECT_EQ(nodes.nodes.front().memory_mib, 512 * 1024);
}

TEST(Traces, PhillyJobsAreSortedRelativeAndFilteredByCluster) {
  XPUSIM_REQUIRE_SHARED_DATA();
  const auto all = read_pod_list(kTraces + "/philly-derived/philly.csv");
  EXPECT_EQ(all.pods.size(), 82247u);  // 82,248 lines with the header
  EXPECT_DOUBLE_EQ(all.pods.front().submit_s, 0.0);
  for (std::size_t i = 1; i < all.pods.size(); ++i) ASSERT_LE(all.pods[i - 1].submit_s, all.pods[i].submit_s);
  const auto one = read_pod_list(kTraces + "/philly-derived/philly.csv", "auto", BadRows::reject, "6214e9");
  EXPECT_EQ(one.pods.size(), 41226u);
  EXPECT_THROW(read_pod_list(kTraces + "/philly-derived/philly.csv", "auto", BadRows::reject, "nope"), InputError);
}

TEST(Traces, TiresiasJobsAndClusterSpec) {
  XPUSIM_REQUIRE_SHARED_DATA();
  const auto jobs = read_pod_list(kTraces + "/tiresias/60_job.csv");
  EXPECT_EQ(jobs.pods.size(), 60u);
  EXPECT_EQ(jobs.pods[1].num_gpu, 8);
  EXPECT_EQ(jobs.pods[1].workload, "vgg11");
  const auto nodes = read_node_list(kTraces + "/tiresias/n32g4.csv");
  EXPECT_EQ(nodes.nodes.size(), 32u);
  EXPECT_EQ(gpus(nodes), 128);
}

TEST(Traces, PaiTaskTableExpandsInstancesAndConvertsUnits) {
  const auto path = write_temp("pai_task_table.csv",
                                "j1,worker,2,Terminated,100,160,600,29.3,50,T4\n"
                                "j2,ps,1,Terminated,10,20,100,2,800,MISC\n");
  const auto pods = read_pod_list(path);
  ASSERT_EQ(pods.pods.size(), 3u);
  EXPECT_EQ(pods.pods[0].cpu_milli, 6000);  // 600 % of a core
  EXPECT_EQ(pods.pods[0].num_gpu, 1);
  EXPECT_EQ(pods.pods[0].gpu_milli, 500);  // 50 % of a GPU
  EXPECT_EQ(pods.pods[0].gpu_spec, "T4");
  EXPECT_DOUBLE_EQ(pods.pods[1].duration_s, 60);
  EXPECT_EQ(pods.pods[2].num_gpu, 8);
  EXPECT_EQ(pods.pods[2].gpu_spec, "");  // MISC: any model
}

TEST(Traces, BadRowIsRejectedWithFileAndLine) {
  const auto path = write_temp("bad_pods.csv",
                                "name,cpu_milli,memory_mib,num_gpu,gpu_milli\n"
                                "p0,1000,100,1,500\n"
                                "\n"
                                "p1,1000,100,one,500\n"
                                "p2,1000,100,1,1500\n"
                                "p3,1000,100\n");
  try {
    read_pod_list(path);
    FAIL() << "accepted a bad row";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.where(), "line 4");
    EXPECT_NE(std::string(e.what()).find("num_gpu"), std::string::npos) << e.what();
  }
  const auto skipped = read_pod_list(path, "auto", BadRows::skip);
  EXPECT_EQ(skipped.pods.size(), 1u);
  EXPECT_EQ(skipped.problems.skipped, 3u);
  EXPECT_NE(skipped.problems.first_messages[1].find("line 5"), std::string::npos);
  EXPECT_NE(skipped.problems.first_messages[2].find("expected 5 fields"), std::string::npos);
}

TEST(Traces, WrongHeaderAndUnknownFormatAreErrors) {
  const auto path = write_temp("odd.csv", "a,b,c\n1,2,3\n");
  EXPECT_THROW(read_pod_list(path), InputError);
  EXPECT_THROW(read_node_list(path), InputError);
  EXPECT_THROW(read_pod_list(path, "openb"), InputError);
  EXPECT_THROW(read_pod_list(path, "yaml"), InputError);
  EXPECT_THROW(read_pod_list("/nonexistent/pods.csv"), InputError);
  const auto times = write_temp("philly_bad.csv", "timestamp,duration,num_gpus,gpu_time,cluster\n2017-13-01 00:00:00,1,1,1,a\n");
  EXPECT_THROW(read_pod_list(times), InputError);
}

TEST(Traces, SyntheticTraceOffersTheRequestedLoadAndRoundTrips) {
  XPUSIM_REQUIRE_SHARED_DATA();
  const auto templ = read_pod_list(kTraces + "/alibaba-gpu-v2023/openb_pod_list_default.csv");
  SyntheticTraceConfig c;
  c.jobs = 20000;
  c.load = 0.5;
  c.max_duration_s = 3600;
  const int64_t capacity = 1000 * 1000;  // 1000 GPUs
  const auto trace = synthesize_trace(templ, capacity, c);
  double work = 0;
  for (const auto& p : trace.pods) work += static_cast<double>(p.gpu_request_milli()) * p.duration_s;
  const double offered = work / (static_cast<double>(capacity) * trace.pods.back().submit_s);
  EXPECT_NEAR(offered, 0.5, 0.05);
  const auto again = synthesize_trace(templ, capacity, c);
  EXPECT_EQ(to_openb_csv(trace.pods), to_openb_csv(again.pods));  // same seed, same trace
  const auto path = write_temp("synthetic.csv", to_openb_csv(trace.pods));
  EXPECT_EQ(read_pod_list(path).pods.size(), trace.pods.size());
}

// Inputs the fuzz targets found or that guard against exhausting memory (tests/fuzz/corpus).
TEST(Traces, FuzzFindingsAreRejectedOrRepaired) {
  // A fractional share of several GPUs means nothing: multi-GPU pods take whole GPUs.
  const auto pods = write_temp("multi_share.csv", "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np0,1000,100,21,460\n");
  try {
    read_openb_pods(pods);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2: column gpu_milli"), std::string::npos) << e.what();
  }
  // 0.01% of a GPU is still a share: one milli-GPU, never zero.
  const auto tasks = write_temp("pai_task_table.csv", "j,t,1,Terminated,0,10,100,1,0.01,T4\n");
  const auto list = read_pai_tasks(tasks);
  ASSERT_EQ(list.pods.size(), 1u);
  EXPECT_EQ(list.pods[0].num_gpu, 1);
  EXPECT_EQ(list.pods[0].gpu_milli, 1);
  // Sizes that would not fit in memory are errors, not allocations.
  const auto cluster = write_temp("cluster.csv", "num_switch,num_node_p_switch,num_gpu_p_node,num_cpu_p_node,mem_p_node\n"
                                                  "10000,100000,8,64,512\n");
  EXPECT_THROW(read_tiresias_cluster(cluster), InputError);
  std::string many = "";
  for (int i = 0; i < 300; ++i) many += "j" + std::to_string(i) + ",t,100000,Terminated,0,10,100,1,100,T4\n";
  EXPECT_THROW(read_pai_tasks(write_temp("pai_task_table_big.csv", many)), InputError);
}

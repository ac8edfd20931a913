// Reports against their golden files in tests/golden: structure exact, numbers within 1e-6
// relative, and two runs byte-identical. The default study (default_study.json) takes its host
// rows from a committed host profile (a Zen 5 machine's), so they are the same on every machine;
// the training comparison (train_resnet50.json), the pooled-GPU cluster
// (cluster_v100_fractions.json) and the collectives (collective_p4d_dl1.json) involve no host at
// all.
#include <array>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {
const std::string kGolden = std::string(XPUSIM_SOURCE_DIR) + "/tests/golden/";

std::string run_xpusim(const std::string& args) {
  std::string out;
  const std::string cmd = std::string(XPUSIM_BINARY) + " " + args;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  EXPECT_EQ(pclose(p), 0);
  return out;
}

void expect_close(const nlohmann::json& got, const nlohmann::json& want, const std::string& where) {
  ASSERT_EQ(got.type(), want.type()) << where;
  if (want.is_object()) {
    ASSERT_EQ(got.size(), want.size()) << where;
    for (auto it = want.begin(); it != want.end(); ++it) {
      ASSERT_TRUE(got.contains(it.key())) << where << "/" << it.key();
      expect_close(got[it.key()], it.value(), where + "/" + it.key());
    }
  } else if (want.is_array()) {
    ASSERT_EQ(got.size(), want.size()) << where;
    for (std::size_t i = 0; i < want.size(); ++i) expect_close(got[i], want[i], where + "/" + std::to_string(i));
  } else if (want.is_number_float()) {
    EXPECT_NEAR(got.get<double>(), want.get<double>(), 1e-6 * std::abs(want.get<double>())) << where;
  } else {
    EXPECT_EQ(got, want) << where;
  }
}
}  // namespace

// Runs xpusim twice with `args`: the two reports must be byte-identical. Returns the report.
nlohmann::json deterministic_report(const std::string& args) {
  const std::string first = run_xpusim(args), second = run_xpusim(args);
  EXPECT_EQ(first, second) << "two runs of `xpusim " << args << "` differ";
  return nlohmann::json::parse(first);
}

nlohmann::json golden_file(const std::string& name) {
  std::ifstream in(kGolden + name);
  EXPECT_TRUE(in) << name;
  return in ? nlohmann::json::parse(in) : nlohmann::json::object();
}

// DL1 against p4d and p3dn, one and two servers, at the older p4d price.
const std::string kTrainArgs = "train --model resnet50 --instance dl1.24xlarge,p4d.24xlarge,p3dn.24xlarge --nodes 1,2 "
                               "--baseline p4d.24xlarge --price-date 2023-02-27 --json";

TEST(Golden, DefaultStudyIsDeterministicAndMatchesGolden) {
  const auto report = deterministic_report("model --json --host-profile " + kGolden + "host_profile_zen5.json");
  const auto golden = golden_file("default_study.json");
  EXPECT_EQ(report["schema"], golden["schema"]);
  int host_rows = 0;
  for (const auto& r : report["results"]) host_rows += r["instance"] == "host";
  EXPECT_EQ(host_rows, 8);  // 2 models x 2 precisions x 2 batches
  expect_close(report["results"], golden["results"], "/results");
}

TEST(Golden, TrainingComparisonIsDeterministicAndMatchesGolden) {
  const auto report = deterministic_report(kTrainArgs);
  const auto golden = golden_file("train_resnet50.json");
  EXPECT_EQ(report["schema"], golden["schema"]);
  ASSERT_EQ(report["results"].size(), 6u);
  expect_close(report["config"], golden["config"], "/config");
  expect_close(report["results"], golden["results"], "/results");
}

TEST(Golden, PooledGpuClusterIsDeterministicAndMatchesGolden) {
  const auto report =
      deterministic_report("run " + std::string(XPUSIM_SOURCE_DIR) + "/sim/scenario/examples/v100_fractions.json --json");
  const auto golden = golden_file("cluster_v100_fractions.json");
  EXPECT_EQ(report["schema"], golden["schema"]);
  expect_close(report["config"], golden["config"], "/config");
  expect_close(report["results"], golden["results"], "/results");
}

TEST(Golden, CollectivesAreDeterministicAndMatchGolden) {
  // Every collective on NVSwitch (NCCL) and Gaudi's all-to-all RoCE (HCCL), in one server and
  // across two and four, from 8 bytes (latency) to 1 GiB (bandwidth).
  const auto report = deterministic_report(
      "collective --instance p4d.24xlarge,dl1.24xlarge --nodes 1,2,4 --op "
      "all-reduce,reduce-scatter,all-gather,broadcast,all-to-all --bytes 8,1048576,1073741824 --json");
  const auto golden = golden_file("collective_p4d_dl1.json");
  EXPECT_EQ(report["schema"], golden["schema"]);
  ASSERT_EQ(report["results"].size(), 90u);
  expect_close(report["config"], golden["config"], "/config");
  expect_close(report["results"], golden["results"], "/results");
}

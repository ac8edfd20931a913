// The default study's report against tests/golden/default_study_catalog.json: structure exact,
// catalog-instance numbers within 1e-6 relative (the host rows depend on the machine, so only
// their structure is checked). Two runs must be byte-identical.
#include <array>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {
// The host's clock is measured at start-up; on a busy machine two measurements can round to
// different 0.05 GHz steps, so it is pinned here and the comparison is about the simulator.
std::string run_default_study() {
  std::string out;
  FILE* p = popen(("XPUSIM_HOST_CLOCK_GHZ=3.0 " + std::string(XPUSIM_BINARY) + " model --json").c_str(), "r");
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

TEST(Golden, DefaultStudyIsDeterministicAndMatchesGolden) {
  const std::string first = run_default_study(), second = run_default_study();
  EXPECT_EQ(first, second) << "two runs of the default study differ";
  const auto report = nlohmann::json::parse(first);
  std::ifstream in(std::string(XPUSIM_SOURCE_DIR) + "/tests/golden/default_study_catalog.json");
  ASSERT_TRUE(in);
  const auto golden = nlohmann::json::parse(in);
  EXPECT_EQ(report["schema"], golden["schema"]);
  nlohmann::json catalog_rows = nlohmann::json::array();
  int host_rows = 0;
  for (const auto& r : report["results"]) {
    if (r["instance"] == "host") {
      ++host_rows;
      ASSERT_EQ(r.size(), golden["results"][0].size() - 2);  // no price date or source
      EXPECT_TRUE(r["usd_per_hour"].is_null());
    } else {
      catalog_rows.push_back(r);
    }
  }
  EXPECT_EQ(host_rows, 8);  // 2 models x 2 precisions x 2 batches
  expect_close(catalog_rows, golden["results"], "/results");
}

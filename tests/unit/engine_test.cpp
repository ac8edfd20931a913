#include <set>

#include <gtest/gtest.h>

#include "sim/engine/input_error.hpp"
#include "sim/engine/json_input.hpp"
#include "sim/engine/rng.hpp"
#include "sim/engine/stats.hpp"
#include "sim/engine/trace_writer.hpp"

using namespace xpusim;

TEST(Histogram, NearestRankPercentilesOfOneToHundred) {
  Histogram h;
  for (int i = 100; i >= 1; --i) h.add(i);  // added out of order on purpose
  EXPECT_EQ(h.percentile(50), 50);
  EXPECT_EQ(h.percentile(90), 90);
  EXPECT_EQ(h.percentile(99), 99);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(TimeWeightedAverage, PiecewiseConstantSignal) {
  TimeWeightedAverage u(0, 0);
  u.set(1, 1.0);  // 0 on [0,1), 1 on [1,3), 0.5 on [3,4)
  u.set(3, 0.5);
  EXPECT_DOUBLE_EQ(u.average_until(4), (0 + 2 + 0.5) / 4);
  EXPECT_THROW(u.set(2, 0), std::logic_error);
}

TEST(Rng, SameSeedAndStreamSameNumbersOtherStreamDifferent) {
  RngStream a(42, "arrivals"), b(42, "arrivals"), c(42, "sizes");
  for (int i = 0; i < 100; ++i) {
    auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
  }
}

TEST(Rng, ExponentialMeanAndUniformIntRange) {
  RngStream r(7, "test");
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) sum += r.exponential(4.0);
  EXPECT_NEAR(sum / n, 0.25, 0.25 * 0.02);  // 2%: about 9 standard errors
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    auto v = r.uniform_int(6);
    ASSERT_LT(v, 6u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(JsonInput, SyntaxErrorNamesLineAndColumn) {
  try {
    parse_json_text("{\n  \"a\": 1,\n  \"b\": ]\n}", "s.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "s.json");
    EXPECT_EQ(e.where(), "3:8");
  }
}

TEST(JsonInput, UnknownKeyAndWrongTypeNameThePointer) {
  auto doc = parse_json_text(R"({"nodes": [{"gpus": 2}, {"gpus": -1, "colour": "red"}]})", "c.json");
  JsonView root(doc, "c.json");
  auto node = root.at("nodes").at(1);
  try {
    node.allow_only({"gpus"});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "c.json/nodes/1/colour: unknown key \"colour\" (allowed: gpus)");
  }
  EXPECT_EQ(root.at("nodes").at(0).at("gpus").as_positive_integer(), 2);
  try {
    node.at("gpus").as_positive_integer();
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.where(), "/nodes/1/gpus");
  }
  EXPECT_THROW(root.at("nodes").at(0).at("gpus").as_string(), InputError);
}

TEST(TraceWriter, CompleteEventsInMicroseconds) {
  TraceWriter t;
  t.name_process(1, "cpu");
  t.complete(1, 2, "conv", 1e-3, 2.5e-6);
  t.counter(1, "util", 0, {{"busy", 0.5}});
  auto j = t.to_json();
  ASSERT_EQ(j["traceEvents"].size(), 3u);
  EXPECT_EQ(j["traceEvents"][1]["ph"], "X");
  EXPECT_DOUBLE_EQ(j["traceEvents"][1]["ts"].get<double>(), 1000.0);
  EXPECT_DOUBLE_EQ(j["traceEvents"][1]["dur"].get<double>(), 2.5);
}

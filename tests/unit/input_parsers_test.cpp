// The parsers of command-line values and JSON: what they accept, and the garbage they reject
// with an InputError (several of these inputs came from the fuzz targets, tests/fuzz).
#include <gtest/gtest.h>

#include "sim/engine/input_error.hpp"
#include "sim/engine/json_input.hpp"
#include "sim/scenario/kernel_spec.hpp"
#include "sim/scenario/seeds.hpp"
#include "sim/scenario/study.hpp"

using namespace xpusim;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Seeds, RangesListsAndTheEdgesOfInt64) {
  EXPECT_EQ(parse_seeds("42-45"), (std::vector<int64_t>{42, 43, 44, 45}));
  EXPECT_EQ(parse_seeds("7,1,3-4"), (std::vector<int64_t>{7, 1, 3, 4}));
  EXPECT_EQ(parse_seeds("-3--1"), (std::vector<int64_t>{-3, -2, -1}));
  EXPECT_EQ(parse_seeds("9223372036854775806-9223372036854775807"),
            (std::vector<int64_t>{INT64_MAX - 1, INT64_MAX}));
  EXPECT_EQ(parse_seeds("-9223372036854775808"), (std::vector<int64_t>{INT64_MIN}));
  EXPECT_EQ(parse_seeds("1-100000").size(), 100000u);
}

TEST(Seeds, GarbageIsAnErrorNamingTheFlag) {
  for (const char* bad : {"", " 42", "+42", "42 ", "4x", "42-", "-", "42,", "5-3", "1-100001", "99999999999999999999",
                          "-9223372036854775808-9223372036854775807", "1--2"}) {
    const std::string e = error_of([&] { parse_seeds(bad); });
    EXPECT_EQ(e.rfind("--seeds: ", 0), 0u) << '"' << bad << "\": " << e;
  }
}

TEST(KernelShape, StrictValuesAndRepresentableSizes) {
  const Kernel conv = make_kernel("conv2d", "n=1,c=64,h=56,w=56,k=64,r=3,s=3,pad=1", Precision::int8);
  EXPECT_DOUBLE_EQ(conv.macs(), 56.0 * 56 * 64 * 64 * 9);
  EXPECT_NE(error_of([] { make_kernel("gemm", "m=1, n=2,k=3", Precision::fp32); }).find("\" n\" is not a shape key"), std::string::npos);
  EXPECT_NE(error_of([] { make_kernel("gemm", "m=+1,n=2,k=3", Precision::fp32); }).find("is not an integer"), std::string::npos);
  EXPECT_NE(error_of([] { make_kernel("relu", "elements=2000000000", Precision::fp32); }).find("at most 1000000000"),
            std::string::npos);
  EXPECT_NE(error_of([] { make_kernel("gemm", "batch=1000000,m=1000000,n=1000000,k=1", Precision::fp32); })
                .find("more than"), std::string::npos);
}

TEST(JsonInput, NumbersBeyondDoubleAreInputErrorsWithTheirPosition) {
  EXPECT_EQ(error_of([] { parse_json_text("{\n  \"batches\": [1e999]}", "s.json"); }),
            "s.json:2:15: invalid JSON: number overflow parsing '1e999'");
}

TEST(Study, BatchesAndThreadsOutsideRepresentableRangesNameTheirPointer) {
  auto parse = [](const std::string& text) {
    const auto doc = parse_json_text(text, "s.json");
    return parse_study(JsonView(doc, "s.json"));
  };
  EXPECT_NE(error_of([&] { parse(R"({"models": ["resnet50"], "precisions": ["int8"], "batches": [1, 2000000000],
                                     "instances": ["c5.large"]})"); }).find("s.json/batches/1: must be at most"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse(R"({"models": ["resnet50"], "precisions": ["int8"], "batches": [1],
                                     "instances": ["c5.large"], "threads": 4294967297})"); }).find("s.json/threads: must be at most"),
            std::string::npos);
}

// Go math/rand reimplementation: known outputs of Go's generator, and the protocol's use of it.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "scheduler/replay/go_rand.hpp"

using xpusim::sched::GoRand;

// Go: rand.Seed(1); rand.Intn(100) x 10 prints 81 87 47 59 81 18 25 40 56 0 (Go <= 1.19 default
// source, the sequence of the Go tour's "My favorite number").
TEST(GoRand, IntnMatchesGoForSeedOne) {
  GoRand r(1);
  const int expected[] = {81, 87, 47, 59, 81, 18, 25, 40, 56, 0};
  for (int e : expected) EXPECT_EQ(r.intn(100), e);
}

TEST(GoRand, SeedZeroIsTheSameAsGosDefaultReplacement) {
  GoRand a(0), b(89482311);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.int63(), b.int63());
}

TEST(GoRand, SeedsAreReducedModulo2To31Minus1) {
  GoRand a(5), b(5 + 2147483647LL);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.int63(), b.int63());
}

TEST(GoRand, BoundedDrawsStayInRangeAndCoverIt) {
  GoRand r(42);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const auto v = r.intn(7);
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 7);
    ++seen[static_cast<std::size_t>(v)];
  }
  for (int c : seen) EXPECT_NEAR(c, 1000, 150);  // uniform within ~5 sigma
  for (int i = 0; i < 1000; ++i) {
    const double f = r.float64();
    ASSERT_GE(f, 0.0);
    ASSERT_LT(f, 1.0);
  }
}

TEST(GoRand, PermAndShuffleArePermutations) {
  GoRand r(7);
  auto p = r.perm(1000);
  std::sort(p.begin(), p.end());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(p[static_cast<std::size_t>(i)], i);
  std::vector<int> v(500);
  std::iota(v.begin(), v.end(), 0);
  r.shuffle(500, [&](int64_t i, int64_t j) { std::swap(v[static_cast<std::size_t>(i)], v[static_cast<std::size_t>(j)]); });
  EXPECT_FALSE(std::is_sorted(v.begin(), v.end()));
  std::sort(v.begin(), v.end());
  for (int i = 0; i < 500; ++i) EXPECT_EQ(v[static_cast<std::size_t>(i)], i);
}

TEST(GoRand, InvalidBoundsThrow) {
  GoRand r(1);
  EXPECT_THROW(r.intn(0), std::invalid_argument);
  EXPECT_THROW(r.int63n(-3), std::invalid_argument);
}

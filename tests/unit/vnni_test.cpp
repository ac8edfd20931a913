#include <vector>

#include <dnnl.hpp>
#include <gtest/gtest.h>

#include "models/cpu/vnni.hpp"
#include "sim/engine/rng.hpp"

using namespace xpusim;

namespace {
struct Operands {
  std::vector<uint8_t> a;
  std::vector<int8_t> b;
};
Operands random_operands(int m, int n, int k, uint64_t seed) {
  RngStream r(seed, "vnni");
  Operands o{std::vector<uint8_t>(std::size_t(m) * k), std::vector<int8_t>(std::size_t(k) * n)};
  for (auto& x : o.a) x = static_cast<uint8_t>(r.next_u64());
  for (auto& x : o.b) x = static_cast<int8_t>(r.next_u64());
  return o;
}

// oneDNN's u8 x s8 -> s32 matmul with no scales or zero points: the independent oracle.
std::vector<int32_t> onednn_matmul(int m, int n, int k, const Operands& o) {
  using namespace dnnl;
  engine eng(engine::kind::cpu, 0);
  stream s(eng);
  memory::desc ad({m, k}, memory::data_type::u8, memory::format_tag::ab);
  memory::desc bd({k, n}, memory::data_type::s8, memory::format_tag::ab);
  memory::desc cd({m, n}, memory::data_type::s32, memory::format_tag::ab);
  matmul::primitive_desc pd(matmul::desc(ad, bd, cd), eng);
  std::vector<int32_t> c(std::size_t(m) * n);
  memory am(ad, eng, const_cast<uint8_t*>(o.a.data())), bm(bd, eng, const_cast<int8_t*>(o.b.data())),
      cm(cd, eng, c.data());
  matmul(pd).execute(s, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
  s.wait();
  return c;
}
}  // namespace

TEST(Vnni, OneInstructionSumsFourProductsPerLane) {
  uint8_t a[64];
  int8_t b[64];
  for (int i = 0; i < 64; ++i) { a[i] = uint8_t(i); b[i] = int8_t(i % 7 - 3); }
  int32_t acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = i * 1000;
  vnni::vpdpbusd(acc, a, b);
  for (int lane = 0; lane < 16; ++lane) {
    int32_t expect = lane * 1000;
    for (int j = 0; j < 4; ++j) expect += (4 * lane + j) * ((4 * lane + j) % 7 - 3);
    EXPECT_EQ(acc[lane], expect);
  }
}

// 255*127 + 255*127 = 64770 does not fit the s16 that VPMADDUBSW produces: it saturates to 32767.
// VPDPBUSD sums the products in 32 bits and gets the exact 4 * 32385 = 129540.
TEST(Vnni, SaturationCornerOfTheLegacySequence) {
  uint8_t a[64];
  int8_t b[64];
  for (int i = 0; i < 64; ++i) { a[i] = 255; b[i] = 127; }
  int32_t vnni_acc[16] = {}, legacy_acc[16] = {};
  vnni::vpdpbusd(vnni_acc, a, b);
  vnni::vpmaddubsw_sequence(legacy_acc, a, b);
  EXPECT_EQ(vnni_acc[0], 4 * 255 * 127);
  EXPECT_EQ(legacy_acc[0], 2 * 32767);
  // Negative side: 255 * -128 * 2 = -65280 saturates to -32768 per pair.
  for (auto& x : b) x = -128;
  int32_t v2[16] = {}, l2[16] = {};
  vnni::vpdpbusd(v2, a, b);
  vnni::vpmaddubsw_sequence(l2, a, b);
  EXPECT_EQ(v2[3], 4 * 255 * -128);
  EXPECT_EQ(l2[3], 2 * -32768);
}

TEST(Vnni, GemmMatchesScalarReferenceBitExactly) {
  for (auto [m, n, k] : {std::tuple{1, 1, 1}, {7, 33, 13}, {16, 64, 256}, {5, 17, 1023}}) {
    auto o = random_operands(m, n, k, m * 1000 + n + k);
    std::vector<int32_t> ref(std::size_t(m) * n), got(std::size_t(m) * n);
    vnni::gemm_u8s8s32_reference(m, n, k, o.a.data(), o.b.data(), ref.data());
    vnni::gemm_u8s8s32_vnni(m, n, k, o.a.data(), o.b.data(), got.data());
    EXPECT_EQ(ref, got) << m << "x" << n << "x" << k;
  }
}

TEST(Vnni, GemmMatchesOneDnnBitExactly) {
  // Without VNNI oneDNN takes the VPMADDUBSW path, which saturates: no exact oracle then.
  if (!__builtin_cpu_supports("avx512vnni")) GTEST_SKIP() << "this host has no AVX-512 VNNI";
  for (auto [m, n, k] : {std::tuple{4, 16, 64}, {9, 50, 300}, {32, 128, 512}}) {
    auto o = random_operands(m, n, k, 99 + m);
    std::vector<int32_t> got(std::size_t(m) * n);
    vnni::gemm_u8s8s32_vnni(m, n, k, o.a.data(), o.b.data(), got.data());
    EXPECT_EQ(onednn_matmul(m, n, k, o), got) << m << "x" << n << "x" << k;
  }
}

TEST(Vnni, LegacyPathDiffersOnlyWhenPairsSaturate) {
  const int m = 8, n = 32, k = 64;
  auto o = random_operands(m, n, k, 5);
  for (auto& x : o.a) x &= 0x3f;  // small activations: pair sums stay inside s16
  std::vector<int32_t> vnni_c(m * n), legacy_c(m * n);
  vnni::gemm_u8s8s32_vnni(m, n, k, o.a.data(), o.b.data(), vnni_c.data());
  vnni::gemm_u8s8s32_legacy(m, n, k, o.a.data(), o.b.data(), legacy_c.data());
  EXPECT_EQ(vnni_c, legacy_c);
}

#include "models/cpu/onednn_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include <dnnl.hpp>
#include <omp.h>

#include "sim/engine/rng.hpp"
#include "sim/engine/overloaded.hpp"

namespace xpusim {

namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::prop_kind;
using tag = memory::format_tag;
using dt = memory::data_type;

struct Prepared {
  dnnl::primitive primitive;
  std::unordered_map<int, memory> args;
  std::string impl;
};

dt activation_type(DType t) {
  switch (t) {
    case DType::s8: return dt::u8;  // quantized path: unsigned activations, signed weights
    case DType::u8: return dt::u8;
    case DType::bf16: return dt::bf16;
    case DType::f16: return dt::f16;
    default: return dt::f32;
  }
}
dt weight_type(DType t) { return t == DType::s8 ? dt::s8 : activation_type(t); }

// Random contents: integers small enough not to saturate, floats in [-1, 1) (never NaN or
// denormal, which would time a slow path no real model takes).
void fill(memory& m, RngStream& rng) {
  auto desc = m.get_desc();
  auto* data = static_cast<unsigned char*>(m.get_data_handle());
  std::size_t bytes = desc.get_size();
  switch (desc.data_type()) {
    case dt::f32: {
      auto* f = reinterpret_cast<float*>(data);
      for (std::size_t i = 0; i < bytes / 4; ++i) f[i] = float(rng.uniform01() * 2 - 1);
      break;
    }
    case dt::bf16: case dt::f16: {
      auto* h = reinterpret_cast<uint16_t*>(data);
      // 0x3c00 is 1.0 in fp16; 0x3f80 is 1.0 in bf16: values near one, small mantissa noise.
      uint16_t one = desc.data_type() == dt::bf16 ? 0x3f80 : 0x3c00;
      for (std::size_t i = 0; i < bytes / 2; ++i) h[i] = uint16_t(one - (rng.next_u64() & 0x3f));
      break;
    }
    case dt::s32: std::memset(data, 0, bytes); break;
    default:
      for (std::size_t i = 0; i < bytes; ++i) data[i] = static_cast<unsigned char>(rng.next_u64() & 0x3f);
  }
}

memory make(const memory::desc& d, const dnnl::engine& eng, RngStream& rng) {
  memory m(d, eng);
  fill(m, rng);
  return m;
}

dnnl::primitive_attr relu_attr(bool relu) {
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  return attr;
}

std::optional<Prepared> prepare(const Kernel& k, const dnnl::engine& eng, RngStream& rng,
                                std::string* why) {
  if (k.pass != Pass::forward) {
    if (why) *why = "only forward kernels are run on the host";
    return std::nullopt;
  }
  const dt act = activation_type(k.dtype);
  return std::visit(overloaded{
      [&](const Conv2d& c) -> std::optional<Prepared> {
        const dt wt = weight_type(k.dtype);
        const dt out = k.dtype == DType::s8 ? (k.fused_relu ? dt::u8 : dt::s8) : act;
        memory::desc src({c.n, c.c, c.h, c.w}, act, tag::any);
        memory::desc wei = c.groups == 1
            ? memory::desc({c.k, c.c, c.r, c.s}, wt, tag::any)
            : memory::desc({c.groups, c.k / c.groups, c.c / c.groups, c.r, c.s}, wt, tag::any);
        memory::desc bias({c.k}, k.dtype == DType::s8 ? dt::f32 : act, tag::x);
        memory::desc dst({c.n, c.k, c.out_h(), c.out_w()}, out, tag::any);
        auto d = c.bias ? dnnl::convolution_forward::desc(prop_kind::forward_inference,
                                                          algorithm::convolution_direct, src, wei,
                                                          bias, dst, {c.stride, c.stride},
                                                          {c.pad_h, c.pad_w}, {c.pad_h, c.pad_w})
                        : dnnl::convolution_forward::desc(prop_kind::forward_inference,
                                                          algorithm::convolution_direct, src, wei,
                                                          dst, {c.stride, c.stride},
                                                          {c.pad_h, c.pad_w}, {c.pad_h, c.pad_w});
        dnnl::convolution_forward::primitive_desc pd(d, relu_attr(k.fused_relu), eng);
        Prepared p{dnnl::convolution_forward(pd), {}, pd.impl_info_str()};
        p.args[DNNL_ARG_SRC] = make(pd.src_desc(), eng, rng);
        p.args[DNNL_ARG_WEIGHTS] = make(pd.weights_desc(), eng, rng);
        if (c.bias) p.args[DNNL_ARG_BIAS] = make(pd.bias_desc(), eng, rng);
        p.args[DNNL_ARG_DST] = make(pd.dst_desc(), eng, rng);
        return p;
      },
      [&](const Gemm& g) -> std::optional<Prepared> {
        const dt wt = weight_type(k.dtype);
        const dt out = k.dtype == DType::s8 ? dt::s8 : act;
        memory::desc a({g.batch, g.m, g.k}, act, tag::abc);
        memory::desc b(g.b_is_weight ? memory::dims{1, g.k, g.n} : memory::dims{g.batch, g.k, g.n},
                       wt, g.b_is_weight ? tag::any : tag::abc);
        memory::desc c({g.batch, g.m, g.n}, out, tag::abc);
        memory::desc bias({1, 1, g.n}, k.dtype == DType::s8 ? dt::f32 : act, tag::abc);
        auto d = g.bias ? dnnl::matmul::desc(a, b, bias, c) : dnnl::matmul::desc(a, b, c);
        dnnl::matmul::primitive_desc pd(d, relu_attr(k.fused_relu), eng);
        Prepared p{dnnl::matmul(pd), {}, pd.impl_info_str()};
        p.args[DNNL_ARG_SRC] = make(pd.src_desc(), eng, rng);
        p.args[DNNL_ARG_WEIGHTS] = make(pd.weights_desc(), eng, rng);
        if (g.bias) p.args[DNNL_ARG_BIAS] = make(pd.bias_desc(), eng, rng);
        p.args[DNNL_ARG_DST] = make(pd.dst_desc(), eng, rng);
        return p;
      },
      [&](const Pool& pl) -> std::optional<Prepared> {
        memory::desc src({pl.n, pl.c, pl.h, pl.w}, act, tag::nhwc);
        memory::desc dst({pl.n, pl.c, pl.out_h(), pl.out_w()}, act, tag::nhwc);
        auto alg = pl.op == PoolOp::max ? algorithm::pooling_max : algorithm::pooling_avg_exclude_padding;
        dnnl::pooling_forward::desc d(prop_kind::forward_inference, alg, src, dst,
                                      {pl.stride, pl.stride}, {pl.r, pl.s}, {pl.pad, pl.pad},
                                      {pl.pad, pl.pad});
        dnnl::pooling_forward::primitive_desc pd(d, eng);
        Prepared p{dnnl::pooling_forward(pd), {}, pd.impl_info_str()};
        p.args[DNNL_ARG_SRC] = make(pd.src_desc(), eng, rng);
        p.args[DNNL_ARG_DST] = make(pd.dst_desc(), eng, rng);
        return p;
      },
      [&](const Elementwise& e) -> std::optional<Prepared> {
        memory::desc md({e.elements}, act, tag::a);
        if (e.op == EltwiseOp::add || e.op == EltwiseOp::add_relu) {
          dnnl::binary::desc d(algorithm::binary_add, md, md, md);
          dnnl::binary::primitive_desc pd(d, relu_attr(e.op == EltwiseOp::add_relu), eng);
          Prepared p{dnnl::binary(pd), {}, pd.impl_info_str()};
          p.args[DNNL_ARG_SRC_0] = make(md, eng, rng);
          p.args[DNNL_ARG_SRC_1] = make(md, eng, rng);
          p.args[DNNL_ARG_DST] = make(md, eng, rng);
          return p;
        }
        algorithm alg;
        float alpha = 0.f, beta = 0.f;
        switch (e.op) {
          case EltwiseOp::relu: alg = algorithm::eltwise_relu; break;
          case EltwiseOp::gelu: alg = algorithm::eltwise_gelu_tanh; break;
          case EltwiseOp::tanh: alg = algorithm::eltwise_tanh; break;
          case EltwiseOp::mish: alg = algorithm::eltwise_mish; break;
          case EltwiseOp::sigmoid: alg = algorithm::eltwise_logistic; break;
          case EltwiseOp::leaky_relu:
            alg = algorithm::eltwise_relu;
            alpha = 0.1f;
            break;
          // A mask's broadcast operand stays in cache: adding a constant moves the same bytes.
          case EltwiseOp::scale: case EltwiseOp::mask:
            alg = algorithm::eltwise_linear;
            alpha = e.op == EltwiseOp::scale ? 0.125f : 1.f;
            beta = e.op == EltwiseOp::mask ? -10000.f : 0.f;
            break;
          default:
            if (why) *why = "optimizer updates, casts and layout copies are not run on the host";
            return std::nullopt;
        }
        dnnl::eltwise_forward::desc d(prop_kind::forward_inference, alg, md, alpha, beta);
        dnnl::eltwise_forward::primitive_desc pd(d, eng);
        Prepared p{dnnl::eltwise_forward(pd), {}, pd.impl_info_str()};
        p.args[DNNL_ARG_SRC] = make(md, eng, rng);
        p.args[DNNL_ARG_DST] = make(md, eng, rng);
        return p;
      },
      [&](const Softmax& s) -> std::optional<Prepared> {
        memory::desc md({s.rows, s.cols}, act, tag::ab);
        dnnl::softmax_forward::desc d(prop_kind::forward_inference, md, 1);
        dnnl::softmax_forward::primitive_desc pd(d, eng);
        Prepared p{dnnl::softmax_forward(pd), {}, pd.impl_info_str()};
        p.args[DNNL_ARG_SRC] = make(md, eng, rng);
        p.args[DNNL_ARG_DST] = make(md, eng, rng);
        return p;
      },
      [&](const Norm& n) -> std::optional<Prepared> {
        if (n.op != NormOp::layer_norm) {
          if (why) *why = "batch norm is folded into convolutions for inference";
          return std::nullopt;
        }
        memory::desc md({n.rows, n.cols}, act, tag::ab);
        dnnl::layer_normalization_forward::desc d(prop_kind::forward_inference, md, 1e-5f,
                                                  dnnl::normalization_flags::use_scale_shift);
        dnnl::layer_normalization_forward::primitive_desc pd(d, eng);
        Prepared p{dnnl::layer_normalization_forward(pd), {}, pd.impl_info_str()};
        p.args[DNNL_ARG_SRC] = make(md, eng, rng);
        p.args[DNNL_ARG_DST] = make(md, eng, rng);
        p.args[DNNL_ARG_SCALE_SHIFT] = make(pd.weights_desc(), eng, rng);
        p.args[DNNL_ARG_MEAN] = make(pd.mean_desc(), eng, rng);
        p.args[DNNL_ARG_VARIANCE] = make(pd.variance_desc(), eng, rng);
        return p;
      },
      [&](const Reduction& r) -> std::optional<Prepared> {
        memory::desc src({r.outer, r.inner}, act, tag::ab);
        memory::desc dst({r.outer, 1}, act, tag::ab);
        auto alg = r.op == ReduceOp::max ? algorithm::reduction_max
                   : r.op == ReduceOp::mean ? algorithm::reduction_mean : algorithm::reduction_sum;
        dnnl::reduction::desc d(alg, src, dst, 0.f, 0.f);
        dnnl::reduction::primitive_desc pd(d, eng);
        Prepared p{dnnl::reduction(pd), {}, pd.impl_info_str()};
        p.args[DNNL_ARG_SRC] = make(src, eng, rng);
        p.args[DNNL_ARG_DST] = make(dst, eng, rng);
        return p;
      },
      [&](const auto&) -> std::optional<Prepared> {
        if (why) *why = std::string("oneDNN has no primitive for ") + std::string(k.kind());
        return std::nullopt;
      }}, k.shape);
}

}  // namespace

std::optional<Measurement> measure_with_onednn(const Kernel& kernel, const MeasureOptions& options,
                                               std::string* why) {
  omp_set_num_threads(options.threads);
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(eng);
  RngStream rng(1, kernel.signature());
  std::optional<Prepared> p;
  try {
    p = prepare(kernel, eng, rng, why);
  } catch (const dnnl::error& e) {
    if (why) *why = std::string("oneDNN cannot run it here: ") + e.what();
    return std::nullopt;
  }
  if (!p) return std::nullopt;

  auto run_once = [&] {
    auto start = std::chrono::steady_clock::now();
    p->primitive.execute(stream, p->args);
    stream.wait();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  for (int i = 0; i < options.warmup; ++i) run_once();
  std::vector<double> times;
  double total = 0;
  while (int(times.size()) < options.max_repeats &&
         (int(times.size()) < options.min_repeats || total < options.min_seconds)) {
    times.push_back(run_once());
    total += times.back();
  }
  std::sort(times.begin(), times.end());
  Measurement m;
  m.repeats = int(times.size());
  m.min_s = times.front();
  m.median_s = times.size() % 2 ? times[times.size() / 2]
                                : (times[times.size() / 2 - 1] + times[times.size() / 2]) / 2;
  m.implementation = p->impl;
  return m;
}

bool onednn_runs_amx() {
  const auto amx = static_cast<unsigned>(dnnl::cpu_isa::avx512_core_amx);
  return (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & amx) == amx;  // ISA values nest as bit sets
}

IsaFlags isa_onednn_uses(IsaFlags cpu) {
  const auto effective = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  auto allows = [&](dnnl::cpu_isa isa) {
    return (effective & static_cast<unsigned>(isa)) == static_cast<unsigned>(isa);
  };
  cpu.avx2 = cpu.avx2 && allows(dnnl::cpu_isa::avx2);
  cpu.avx512 = cpu.avx512 && allows(dnnl::cpu_isa::avx512_core);
  cpu.avx512_vnni = cpu.avx512_vnni && allows(dnnl::cpu_isa::avx512_core_vnni);
  cpu.avx512_bf16 = cpu.avx512_bf16 && allows(dnnl::cpu_isa::avx512_core_bf16);
  // oneDNN's avx2_vnni is not a subset of avx512_core_vnni: under a cap at an AVX-512 level, a
  // core with both still issues VPDPBUSD on ymm through the AVX-512 kernels.
  cpu.avx_vnni = cpu.avx_vnni && (allows(dnnl::cpu_isa::avx2_vnni) || cpu.avx512_vnni);
  return cpu;
}

double measure_primitive_call_us() {
  omp_set_num_threads(1);
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(eng);
  memory::desc md({64}, dt::f32, tag::a);
  dnnl::eltwise_forward::primitive_desc pd(
      dnnl::eltwise_forward::desc(prop_kind::forward_inference, algorithm::eltwise_relu, md, 0.f, 0.f), eng);
  dnnl::eltwise_forward relu(pd);
  RngStream rng(1, "call overhead");
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, make(md, eng, rng)}, {DNNL_ARG_DST, make(md, eng, rng)}};
  std::vector<double> samples;
  for (int i = 0; i < 2100; ++i) {
    const auto start = std::chrono::steady_clock::now();
    relu.execute(stream, args);
    stream.wait();
    if (i >= 100) samples.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2] * 1e6;
}

}  // namespace xpusim

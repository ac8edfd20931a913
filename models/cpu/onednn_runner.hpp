#pragma once
// Runs IR kernels for real on this machine through oneDNN, to measure what the host model
// predicts. Each kernel becomes the oneDNN primitive a framework would call (int8 convolution
// with u8 activations and s8 weights, matmul, pooling, binary add, eltwise, softmax, norms).
#include <optional>
#include <string>

#include "models/cpu/cpu_identity.hpp"
#include "workloads/kernel.hpp"

namespace xpusim {

struct MeasureOptions {
  int threads = 1;
  int warmup = 3;
  int min_repeats = 7;
  double min_seconds = 0.05;  // keep repeating until this much time is measured
  int max_repeats = 200;
};

struct Measurement {
  double median_s = 0;
  double min_s = 0;
  int repeats = 0;
  std::string implementation;  // oneDNN's implementation name, e.g. "brg:avx512_core_vnni"
};

// Returns nullopt (and sets `why`) for kernels oneDNN has no primitive for (embedding, memcpy,
// collectives) or data types it cannot run here.
std::optional<Measurement> measure_with_onednn(const Kernel& kernel, const MeasureOptions& options,
                                               std::string* why = nullptr);

// Whether oneDNN runs AMX tiles in this process: the CPU has them and the process has not capped
// oneDNN below them (ONEDNN_MAX_CPU_ISA=AVX512_CORE_BF16 keeps it on the VNNI datapath).
bool onednn_runs_amx();

// The vector instruction sets among `cpu` that oneDNN may use in this process: all of them unless
// ONEDNN_MAX_CPU_ISA caps it. The host model describes the kernels oneDNN runs, so a capped
// process is modelled (and probed) as the smaller CPU it then is: an AVX-512 host capped at AVX2
// stands in for an AVX2-only one. AMX is left as read (onednn_runs_amx decides it per process).
IsaFlags isa_onednn_uses(IsaFlags cpu);

// The fixed cost of executing one oneDNN primitive on one thread: the median time of a ReLU over
// 64 floats, whose arithmetic takes nanoseconds.
double measure_primitive_call_us();

}  // namespace xpusim

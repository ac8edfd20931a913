#pragma once
// Cycle-approximate cost of one kernel on a Xeon-class CPU, as a pure query.
//
// A GEMM or convolution is lowered the way oneDNN's brgemm kernels run it: output channels in
// 16-lane vector registers (padded to 16), the reduction in steps of the dot-product instruction's
// granularity (4 channels for VPDPBUSD), border taps of padded convolutions skipped, a
// requantization/bias/ReLU epilogue per output vector, and parallel work units of (image, output
// row, 64 output channels) dealt to threads (the slowest thread sets the time). Data streams from
// the smallest cache level that holds the kernel's working set; compute and streaming overlap,
// the compute at the part's efficiency beyond L2 when that level is L3 or DRAM.
// On AMX int8 and bf16 matmuls run as 16 x 16 result tiles instead (see tile_cycles in the .cpp).
// Other operators cost the vector instructions per element of oneDNN's kernels at the core's
// vector instruction rate.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/cpu/cpu_spec.hpp"
#include "workloads/kernel.hpp"

namespace xpusim {

// A CPU as a job sees it: a part, how many of its cores this device has, and its share of the
// shared levels (a cloud instance with 1 of 24 cores gets 1/24 of the socket's L3).
struct CpuDevice {
  CpuSpec spec;
  int cores = 1;
  int sockets = 1;
  int64_t l3_share_bytes = 0;
  double dram_gbps = 0;  // the device's aggregate DRAM bandwidth
  double l3_gbps = 0;    // the device's aggregate L3 bandwidth; 0: per core x threads

  // `cores` of a part: whole sockets when more than one socket's worth, else a proportional share.
  static CpuDevice from_spec(const CpuSpec& spec, int cores);
};

enum class MemoryLevel : uint8_t { l2, l3, dram };
std::string_view memory_level_name(MemoryLevel level);

// How a kernel's work is dealt out: what each thread computes and what it streams.
struct WorkPlan {
  int threads = 1;
  double freq_ghz = 1;
  std::vector<double> compute_cycles;  // per thread
  std::vector<double> bytes;           // per thread, from `level`
  MemoryLevel level = MemoryLevel::l2;
  double per_core_bytes_per_s = 0;     // bandwidth one core gets from `level`
  double shared_bytes_per_s = 0;       // aggregate bandwidth of `level` for all threads
  double overhead_s = 0;               // call + fork/join
  double effective_macs = 0;           // MACs executed, padding included, skipped taps excluded
  double work_units = 0;
};

struct KernelCost {
  double total_s = 0;
  double compute_s = 0;   // slowest thread's arithmetic
  double memory_s = 0;    // streaming time at the level's bandwidth
  double overhead_s = 0;
  double effective_macs = 0;
  double utilization = 0;  // executed MACs (or 0) / (peak MAC rate x total time)
  MemoryLevel level = MemoryLevel::l2;
  int threads = 1;
  std::string_view bound() const;  // "compute", "memory" or "overhead"
};

class CpuCostModel {
 public:
  explicit CpuCostModel(CpuDevice device);

  const CpuDevice& device() const { return device_; }
  // Pure functions of (device, kernel, threads); `threads` is capped at the device's cores.
  WorkPlan plan(const Kernel& kernel, int threads) const;
  KernelCost evaluate(const Kernel& kernel, int threads) const;
  // Memoized evaluate(): a repeated kernel costs one hash lookup.
  const KernelCost& cost(const Kernel& kernel, int threads);

 private:
  struct MemoKey {
    Kernel::Key key;
    int threads;
    bool operator==(const MemoKey&) const = default;
  };
  struct MemoHash {
    std::size_t operator()(const MemoKey& k) const;
  };
  CpuDevice device_;
  std::unordered_map<MemoKey, KernelCost, MemoHash> memo_;
};

// Time of a plan when nothing else competes: the analytic counterpart of the TLM model.
KernelCost cost_of_plan(const WorkPlan& plan, const Kernel& kernel, const CpuSpec& spec);

}  // namespace xpusim

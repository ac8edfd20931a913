#pragma once
// The one interface every device answers: a CPU instance, a Gaudi, a GPU, a MIG slice (later a
// remote GPU). Studies, training, calibration, validation and the scheduler reach devices only
// through it. A kernel's cost is a pure, memoized query: no simulated time passes, and a repeated
// kernel costs one hash lookup.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "workloads/graph.hpp"
#include "workloads/kernel.hpp"

namespace xpusim {

// A kernel's time on a device with its breakdown. `compute_unit` is the engine that did the
// arithmetic ("cores", "MME", "TPC", "tensor cores", "CUDA cores"), `memory_level` where its data
// streamed from ("L2", "L3", "DRAM", "HBM", "SRAM", "link").
struct DeviceKernelCost {
  double total_s = 0;
  double compute_s = 0;
  double memory_s = 0;
  double overhead_s = 0;  // launch, call, fork/join
  double effective_macs = 0;  // MACs executed, padding included
  double utilization = 0;     // effective MACs / (peak rate x total), 0 for non-matmul kernels
  std::string_view compute_unit = "compute";
  std::string_view memory_level = "memory";
  // The unit that bounds the kernel: the compute unit, the memory level, or "overhead".
  std::string_view bound() const;
};

// How the software that drives a device runs a model: oneDNN/OpenVINO inference folds batch norm
// and fuses ReLU; eager frameworks (PyTorch on GPUs) run every layer as its own kernel, and with
// mixed precision also cast each weight to half precision every step; a graph compiler (Gaudi's)
// starts from the unfused graph and fuses on its own.
enum class ExecutionStyle : uint8_t { fused_inference, eager, graph_compiler };

// Choices of the software around a device that a measurement or a user fixes.
struct SoftwareSetup {
  // NHWC activations. NCHW makes cuDNN transpose around every tensor-core convolution.
  bool channels_last = true;
};

class Device {
 public:
  virtual ~Device() = default;

  virtual std::string_view device_class() const = 0;  // "cpu", "gpu", "mig", "gaudi", ...
  virtual const std::string& name() const = 0;        // catalog name
  virtual std::string description() const = 0;
  virtual int64_t memory_bytes() const = 0;           // what a job can allocate
  virtual double peak_macs_per_s(DType t) const = 0;  // 0 where the device has no such arithmetic
  virtual double memory_bytes_per_s() const = 0;      // main memory bandwidth
  virtual bool supports(Precision p) const = 0;
  // What training runs in when the user does not say: bf16 on Gaudi, fp16 mixed on V100/A100.
  virtual Precision default_training_precision() const = 0;
  virtual ExecutionStyle execution_style(Mode mode) const = 0;

  // The graph as this device's software runs it (kernels it adds, such as per-step weight casts
  // or layout transposes). The default runs the graph as built.
  virtual Graph lower(const Graph& graph, const SoftwareSetup& setup) const;

  // The cost of a kernel alone on this device, memoized.
  const DeviceKernelCost& cost(const Kernel& kernel);
  virtual DeviceKernelCost evaluate(const Kernel& kernel) const = 0;
  // When each kernel of a (lowered) graph finishes, from the graph's start. The default runs
  // kernels back to back; eager GPUs add the host's dispatch, Gaudi its fusion and MME/TPC
  // pipelining.
  virtual std::vector<double> graph_timeline(const Graph& graph);
  double graph_seconds(const Graph& graph);

 private:
  struct KeyHash {
    std::size_t operator()(const Kernel::Key& k) const;
  };
  std::unordered_map<Kernel::Key, DeviceKernelCost, KeyHash> memo_;
};

}  // namespace xpusim

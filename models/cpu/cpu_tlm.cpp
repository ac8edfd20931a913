#include "models/cpu/cpu_tlm.hpp"

#include <algorithm>
#include <cmath>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "sim/engine/harness.hpp"
#include "sim/engine/sim_time.hpp"

namespace xpusim {

namespace {

using sc_core::sc_time;

// A memory level. Each transfer is served at the per-core bandwidth, and occupies the level's
// shared bandwidth for bytes / shared rate after whatever is already queued on it.
class MemoryLevelTarget : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<MemoryLevelTarget> socket;  // one binding per core

  MemoryLevelTarget(sc_core::sc_module_name name, double per_core_bytes_per_s, double shared_bytes_per_s)
      : sc_module(name), socket("socket"), per_core_(per_core_bytes_per_s), shared_(shared_bytes_per_s) {
    socket.register_b_transport(this, &MemoryLevelTarget::b_transport);
  }

  void b_transport(int /*core*/, tlm::tlm_generic_payload& trans, sc_time& delay) {
    const double bytes = static_cast<double>(trans.get_data_length());
    const sc_time issued = sc_core::sc_time_stamp() + delay;
    const sc_time start = std::max(issued, busy_until_);
    busy_until_ = start + from_seconds(bytes / shared_);
    const sc_time done = std::max(busy_until_, issued + from_seconds(bytes / per_core_));
    delay = done - sc_core::sc_time_stamp();
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }

 private:
  double per_core_, shared_;
  sc_time busy_until_ = sc_core::SC_ZERO_TIME;
};

struct SharedState {
  const Graph* graph;
  std::vector<WorkPlan> plans;
  sc_core::sc_event fork, joined;
  int remaining = 0;
  std::size_t current = 0;
  bool finished = false;
};

// One core: for each kernel, computes in local time, streams its bytes from the kernel's level,
// waits once for max(compute, transfer), then reports to the join.
class CoreInitiator : public sc_core::sc_module {
 public:
  std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<CoreInitiator>>> sockets;

  CoreInitiator(sc_core::sc_module_name name, int id, SharedState& state, TraceWriter* trace, int pid)
      : sc_module(name), id_(id), state_(state), trace_(trace), pid_(pid) {
    for (const char* level : {"l2", "l3", "dram"})
      sockets.push_back(std::make_unique<tlm_utils::simple_initiator_socket<CoreInitiator>>(level));
    SC_HAS_PROCESS(CoreInitiator);
    SC_THREAD(run);
  }

 private:
  void run() {
    std::vector<unsigned char> dummy(1);
    while (true) {
      sc_core::wait(state_.fork);
      if (state_.finished) return;
      const WorkPlan& plan = state_.plans[state_.current];
      const sc_time begin = sc_core::sc_time_stamp();
      sc_time compute = from_seconds(plan.compute_cycles[id_] / (plan.freq_ghz * 1e9));
      sc_time transfer = sc_core::SC_ZERO_TIME;
      // Payload lengths are 32-bit: stream in chunks of at most 1 GiB.
      double remaining = std::round(plan.bytes[id_]);
      while (remaining > 0) {
        const double chunk = std::min(remaining, 1073741824.0);
        tlm::tlm_generic_payload trans;
        trans.set_command(tlm::TLM_READ_COMMAND);
        trans.set_data_ptr(dummy.data());
        trans.set_data_length(static_cast<unsigned>(chunk));
        trans.set_streaming_width(1);  // timing-only transfer: no data is copied
        (*sockets[static_cast<int>(plan.level)])->b_transport(trans, transfer);
        remaining -= chunk;
      }
      sc_core::wait(std::max(compute, transfer));  // one wait per kernel
      if (trace_)
        trace_->complete(pid_, id_ + 1, state_.graph->kernels[state_.current].name, to_seconds(begin),
                         to_seconds(sc_core::sc_time_stamp() - begin));
      if (--state_.remaining == 0) state_.joined.notify(sc_core::SC_ZERO_TIME);
    }
  }

  int id_;
  SharedState& state_;
  TraceWriter* trace_;
  int pid_;
};

class CpuSystem : public sc_core::sc_module {
 public:
  CpuSystem(sc_core::sc_module_name name, const CpuDevice& device, int threads, SharedState& state,
            CpuSimulationResult& result, TraceWriter* trace, int pid)
      : sc_module(name), threads_(threads), state_(state), result_(result) {
    const CpuSpec& spec = device.spec;
    const double hz = spec.freq_ghz_avx512 * 1e9;
    const double l2 = spec.l2_bytes_per_cycle * hz, l3 = spec.l3_bytes_per_cycle * hz;
    targets_.push_back(std::make_unique<MemoryLevelTarget>("l2", l2, l2 * device.cores));
    targets_.push_back(std::make_unique<MemoryLevelTarget>("l3", l3, l3 * device.cores));
    targets_.push_back(std::make_unique<MemoryLevelTarget>("dram", spec.dram_gbps_per_core * 1e9,
                                                           device.dram_gbps * 1e9));
    for (int t = 0; t < threads; ++t) {
      cores_.push_back(std::make_unique<CoreInitiator>(sc_core::sc_gen_unique_name("core"), t, state, trace, pid));
      for (int level = 0; level < 3; ++level) (*cores_.back()->sockets[level]).bind(targets_[level]->socket);
    }
    SC_HAS_PROCESS(CpuSystem);
    SC_THREAD(control);
  }

 private:
  void control() {
    for (std::size_t i = 0; i < state_.plans.size(); ++i) {
      const sc_time start = sc_core::sc_time_stamp();
      sc_core::wait(from_seconds(state_.plans[i].overhead_s));  // primitive call + fork/join
      state_.current = i;
      state_.remaining = threads_;
      state_.fork.notify(sc_core::SC_ZERO_TIME);
      sc_core::wait(state_.joined);
      result_.kernels.push_back({i, to_seconds(start), to_seconds(sc_core::sc_time_stamp())});
    }
    result_.total_s = to_seconds(sc_core::sc_time_stamp());
    state_.finished = true;
    state_.fork.notify(sc_core::SC_ZERO_TIME);
  }

  int threads_;
  SharedState& state_;
  CpuSimulationResult& result_;
  std::vector<std::unique_ptr<MemoryLevelTarget>> targets_;
  std::vector<std::unique_ptr<CoreInitiator>> cores_;
};

}  // namespace

CpuSimulationResult simulate_graph_on_cpu(const CpuDevice& device, const Graph& graph, int threads,
                                          TraceWriter* trace, int pid) {
  CpuCostModel model(device);
  threads = std::clamp(threads, 1, device.cores);
  SharedState state;
  state.graph = &graph;
  for (const auto& k : graph.kernels) state.plans.push_back(model.plan(k, threads));
  CpuSimulationResult result;
  std::unique_ptr<CpuSystem> system;
  if (trace) {
    trace->name_process(pid, device.spec.name);
    for (int t = 0; t < threads; ++t) trace->name_thread(pid, t + 1, "core" + std::to_string(t));
  }
  run_simulation([&] {
    system = std::make_unique<CpuSystem>("cpu", device, threads, state, result, trace, pid);
  });
  return result;
}

}  // namespace xpusim

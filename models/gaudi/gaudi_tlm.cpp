#include "models/gaudi/gaudi_tlm.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "sim/engine/harness.hpp"
#include "sim/engine/sim_time.hpp"

namespace xpusim {

namespace {

using sc_core::sc_time;

// The HBM interface: a transfer runs at the full achieved bandwidth when nothing else is queued,
// and after whatever the other engine has queued when something is.
class HbmTarget : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<HbmTarget> socket;

  HbmTarget(sc_core::sc_module_name name, double bytes_per_s) : sc_module(name), socket("socket"), rate_(bytes_per_s) {
    socket.register_b_transport(this, &HbmTarget::b_transport);
  }
  double bytes = 0;

  void b_transport(int /*engine*/, tlm::tlm_generic_payload& trans, sc_time& delay) {
    const double length = static_cast<double>(trans.get_data_length());
    bytes += length;
    const sc_time issued = sc_core::sc_time_stamp() + delay;
    busy_until_ = std::max(issued, busy_until_) + from_seconds(length / rate_);
    delay = busy_until_ - sc_core::sc_time_stamp();
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }

 private:
  double rate_;
  sc_time busy_until_ = sc_core::SC_ZERO_TIME;
};

struct Shared {
  const std::vector<PlannedNode>* plan;
  const std::vector<GaudiNode>* nodes;
  std::vector<sc_time> start, end;
  std::vector<bool> started, ended;
  sc_core::sc_event progress;  // any node started or ended
  std::size_t ended_count = 0;
  double overhead_s = 0;
};

// One engine: its nodes in graph order, each after its dependencies, one wait per node.
class EngineInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<EngineInitiator> hbm;

  EngineInitiator(sc_core::sc_module_name name, GaudiEngine engine, int tid, Shared& shared, TraceWriter* trace, int pid)
      : sc_module(name), hbm("hbm"), engine_(engine), tid_(tid), s_(shared), trace_(trace), pid_(pid) {
    SC_HAS_PROCESS(EngineInitiator);
    SC_THREAD(run);
  }

 private:
  void wait_until(const std::function<bool()>& ready) {
    while (!ready()) sc_core::wait(s_.progress);
  }
  void wait_to(sc_time t) {
    if (t > sc_core::sc_time_stamp()) sc_core::wait(t - sc_core::sc_time_stamp());
  }

  void run() {
    const auto& plan = *s_.plan;
    for (std::size_t i = 0; i < plan.size(); ++i) {
      const PlannedNode& p = plan[i];
      if (p.engine != engine_) continue;
      if (p.after_all) wait_until([&] { return s_.ended_count == i; });  // every earlier node
      if (p.producer >= 0) {
        const auto q = static_cast<std::size_t>(p.producer);
        if (p.slices > 1) {  // its first slice
          wait_until([&] { return bool(s_.started[q]); });
          wait_to(s_.start[q] + from_seconds(plan[q].busy_s / p.slices));
        } else {
          wait_until([&] { return bool(s_.ended[q]); });
        }
      }
      sc_core::wait(from_seconds(s_.overhead_s));
      s_.start[i] = sc_core::sc_time_stamp();
      s_.started[i] = true;
      s_.progress.notify(sc_core::SC_ZERO_TIME);
      // Local time: the HBM stream (shared with the other engine) beside the arithmetic, after
      // the first SRAM chunk's load.
      sc_time transfer = sc_core::SC_ZERO_TIME;
      double remaining = std::round(p.hbm_bytes);
      std::vector<unsigned char> dummy(1);
      while (remaining > 0) {  // 32-bit payload lengths: 1 GiB at a time
        const double chunk = std::min(remaining, 1073741824.0);
        tlm::tlm_generic_payload trans;
        trans.set_command(tlm::TLM_READ_COMMAND);
        trans.set_data_ptr(dummy.data());
        trans.set_data_length(static_cast<unsigned>(chunk));
        trans.set_streaming_width(1);  // timing only: no data moves
        hbm->b_transport(trans, transfer);
        remaining -= chunk;
      }
      sc_core::wait(from_seconds(p.fill_s) + std::max(from_seconds(p.compute_s), transfer));
      if (p.slices > 1) {  // its last slice comes after the producer's
        const auto q = static_cast<std::size_t>(p.producer);
        wait_until([&] { return bool(s_.ended[q]); });
        wait_to(s_.end[q] + from_seconds(p.busy_s / p.slices));
      }
      s_.end[i] = sc_core::sc_time_stamp();
      s_.ended[i] = true;
      ++s_.ended_count;
      s_.progress.notify(sc_core::SC_ZERO_TIME);
      if (trace_)
        trace_->complete(pid_, tid_, (*s_.nodes)[i].name, to_seconds(s_.start[i]), to_seconds(s_.end[i] - s_.start[i]));
    }
  }

  GaudiEngine engine_;
  int tid_;
  Shared& s_;
  TraceWriter* trace_;
  int pid_;
};

struct GaudiSystem {
  HbmTarget hbm;
  EngineInitiator mme, tpc;
  GaudiSystem(const GaudiSpec& spec, Shared& shared, TraceWriter* trace, int pid)
      : hbm("hbm", spec.hbm_bytes_per_s * spec.fitted.memory_efficiency),
        mme("mme", GaudiEngine::mme, 1, shared, trace, pid),
        tpc("tpc", GaudiEngine::tpc, 2, shared, trace, pid) {
    mme.hbm.bind(hbm.socket);
    tpc.hbm.bind(hbm.socket);
  }
};

}  // namespace

GaudiSimulationResult simulate_graph_on_gaudi(const GaudiSpec& spec, const Graph& graph, TraceWriter* trace, int pid) {
  const std::vector<GaudiNode> nodes = compile_graph(spec, graph);
  const std::vector<PlannedNode> plan = plan_schedule(spec, nodes);
  Shared shared;
  shared.plan = &plan;
  shared.nodes = &nodes;
  shared.start.assign(nodes.size(), sc_core::SC_ZERO_TIME);
  shared.end.assign(nodes.size(), sc_core::SC_ZERO_TIME);
  shared.started.assign(nodes.size(), false);
  shared.ended.assign(nodes.size(), false);
  shared.overhead_s = spec.node_overhead_us * 1e-6;
  if (trace) {
    trace->name_process(pid, spec.name);
    trace->name_thread(pid, 1, "MME");
    trace->name_thread(pid, 2, "TPC");
  }
  std::unique_ptr<GaudiSystem> system;
  run_simulation([&] { system = std::make_unique<GaudiSystem>(spec, shared, trace, pid); });
  GaudiSimulationResult r;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    r.node_start_s.push_back(to_seconds(shared.start[i]));
    r.node_end_s.push_back(to_seconds(shared.end[i]));
    r.total_s = std::max(r.total_s, r.node_end_s.back());
  }
  r.hbm_bytes = system->hbm.bytes;
  return r;
}

}  // namespace xpusim

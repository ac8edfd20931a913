#pragma once
// Flow-level network simulation. A flow is a message from one host to another: it waits out its
// path's latency (the first byte's trip plus the endpoints' protocol latency), then shares every
// channel it crosses with the flows present there by weighted max-min fairness until its last
// byte is sent. Event-driven: rates are recomputed only when a flow enters sharing or ends, and
// each flow has one pending completion event, re-timed only when its own rate changes.
//
// The network is passive: its owner starts flows and asks for the next event (next_event_time,
// step), so it can run inside a SystemC process, a collective, or a plain loop (run_until_idle).
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "models/network/flow_event_queue.hpp"
#include "models/network/max_min.hpp"
#include "models/network/protocol.hpp"
#include "models/network/routing.hpp"
#include "models/network/topology.hpp"

namespace xpusim {

struct FlowRecord {
  int src = 0, dst = 0;
  double bytes = 0;
  double start_s = 0;     // when it was started
  double sharing_s = 0;   // when its latency was paid and it began to send
  double finish_s = -1;   // when its last byte arrived; -1 while in flight
  std::vector<int> path;  // channels
  const ProtocolProfile* protocol = nullptr;
};

struct FlowNetworkStats {
  uint64_t events = 0;          // flows entering sharing plus flows ending
  uint64_t solves = 0;          // rate recomputations (one per batch of simultaneous events)
  uint64_t region_flows = 0;    // flows re-filled, summed over solves
  uint64_t rate_changes = 0;    // flows re-timed because their rate changed
};

class FlowNetwork {
 public:
  explicit FlowNetwork(const Topology& topology);

  // Starts a flow of `bytes` payload at time `now` (never before the last event processed).
  // The route is the shortest one, chosen among equal-cost paths by `flow_hash` (ECMP).
  int start(double now, int src, int dst, double bytes, const ProtocolProfile& protocol, uint64_t flow_hash = 0);
  // The same over an explicit path of channels from src to dst.
  int start_on_path(double now, std::vector<int> path, double bytes, const ProtocolProfile& protocol);

  double next_event_time() const;  // +inf when nothing is in flight
  // Processes every event at the next event time; returns the flows that ended then.
  std::vector<int> step();
  // Steps until nothing is in flight, calling `on_finish(flow, time)` for each flow that ends
  // (the callback may start new flows).
  void run_until_idle(const std::function<void(int, double)>& on_finish = {});

  // Forgets a flow that ended: its id and record go to the next flow started, so that a long
  // simulation (a message per kernel launch) holds only the flows in flight, not every flow it
  // ever sent.
  void release(int id);

  double now() const { return now_; }
  const FlowRecord& flow(int id) const { return records_[static_cast<std::size_t>(id)]; }
  // Flows started and not released.
  std::size_t flow_count() const { return records_.size() - free_ids_.size(); }
  // Payload rate of a flow now (0 while its latency runs or after it ended).
  double payload_rate(int id) const;
  const FlowNetworkStats& stats() const { return stats_; }
  const Topology& topology() const { return *topology_; }
  const Router& router() const { return router_; }
  // Bytes carried so far by each channel on the wire, payload and protocol overhead (for
  // utilization).
  double channel_bytes(int channel) const { return channel_bytes_[static_cast<std::size_t>(channel)]; }

 private:
  struct Live {
    int share = -1;  // id in the sharing solver while sending
    double remaining = 0, rate = 0, since = 0, efficiency = 1;
  };

  // Moves a sending flow's remaining bytes to now_ at its current rate.
  void settle(int flow);
  void enter_sharing(int flow);

  const Topology* topology_;
  Router router_;
  MaxMinSharing sharing_;
  std::vector<FlowRecord> records_;
  std::vector<Live> live_;
  std::vector<int> flow_of_share_, free_ids_;
  std::vector<double> channel_bytes_;
  FlowEventQueue events_;
  double now_ = 0;
  FlowNetworkStats stats_;
};

}  // namespace xpusim

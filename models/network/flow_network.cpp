#include "models/network/flow_network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace xpusim {

namespace {
std::vector<double> capacities(const Topology& t) {
  std::vector<double> c;
  c.reserve(t.channels().size());
  for (const auto& ch : t.channels()) c.push_back(ch.bytes_per_s);
  return c;
}
// Events this close together are one batch, so that flows which end together in exact arithmetic
// (the steps of a collective) are solved once, not once per rounding error.
constexpr double kSameInstant = 1e-12;
}  // namespace

FlowNetwork::FlowNetwork(const Topology& topology)
    : topology_(&topology), router_(topology), sharing_(capacities(topology)),
      channel_bytes_(topology.channels().size(), 0.0) {}

int FlowNetwork::start(double now, int src, int dst, double bytes, const ProtocolProfile& protocol, uint64_t flow_hash) {
  if (!topology_->is_host(src) || !topology_->is_host(dst))
    throw std::invalid_argument("flows start and end at hosts");
  if (src == dst) throw std::invalid_argument("a flow from \"" + topology_->name(src) + "\" to itself");
  auto path = router_.route(src, dst, flow_hash);
  return start_on_path(now, std::move(path), bytes, protocol);
}

int FlowNetwork::start_on_path(double now, std::vector<int> path, double bytes, const ProtocolProfile& protocol) {
  if (now < now_) throw std::invalid_argument("a flow cannot start before the last event processed");
  if (!(bytes >= 0) || !std::isfinite(bytes)) throw std::invalid_argument("flow size must be finite and >= 0");
  if (path.empty()) throw std::invalid_argument("a flow needs at least one channel");
  const auto& channels = topology_->channels();
  double latency = 0;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto& ch = channels.at(static_cast<std::size_t>(path[i]));
    if (i > 0 && channels[static_cast<std::size_t>(path[i - 1])].to != ch.from)
      throw std::invalid_argument("flow path channels are not consecutive");
    latency += ch.latency_s;
  }
  FlowRecord r;
  r.src = channels[static_cast<std::size_t>(path.front())].from;
  r.dst = channels[static_cast<std::size_t>(path.back())].to;
  r.bytes = bytes;
  r.start_s = now;
  r.sharing_s = now + protocol.endpoint_latency_s + latency;
  r.path = std::move(path);
  r.protocol = &protocol;
  int id;
  if (free_ids_.empty()) {
    id = static_cast<int>(records_.size());
    records_.push_back(std::move(r));
    live_.emplace_back();
  } else {
    id = free_ids_.back();
    free_ids_.pop_back();
    records_[static_cast<std::size_t>(id)] = std::move(r);
    live_[static_cast<std::size_t>(id)] = Live{};
  }
  events_.set(id, records_[static_cast<std::size_t>(id)].sharing_s, FlowEventQueue::Kind::enter_sharing);
  return id;
}

void FlowNetwork::release(int id) {
  if (id < 0 || static_cast<std::size_t>(id) >= records_.size() || records_[static_cast<std::size_t>(id)].finish_s < 0)
    throw std::invalid_argument("releasing a flow that has not ended (or was released)");
  records_[static_cast<std::size_t>(id)].finish_s = -1;  // a second release is refused
  records_[static_cast<std::size_t>(id)].path.clear();
  free_ids_.push_back(id);
}

double FlowNetwork::next_event_time() const {
  return events_.empty() ? std::numeric_limits<double>::infinity() : events_.top().time;
}

double FlowNetwork::payload_rate(int id) const {
  const Live& l = live_.at(static_cast<std::size_t>(id));
  return l.share >= 0 ? l.rate * l.efficiency : 0.0;
}

void FlowNetwork::settle(int flow) {
  Live& l = live_[static_cast<std::size_t>(flow)];
  const double sent = std::min(l.remaining, l.rate * l.efficiency * (now_ - l.since));
  if (sent > 0) {
    l.remaining -= sent;
    for (int c : records_[static_cast<std::size_t>(flow)].path) channel_bytes_[static_cast<std::size_t>(c)] += sent / l.efficiency;
  }
  l.since = now_;
}

void FlowNetwork::enter_sharing(int flow) {
  const FlowRecord& r = records_[static_cast<std::size_t>(flow)];
  const ProtocolProfile& p = *r.protocol;
  Live& l = live_[static_cast<std::size_t>(flow)];
  l.remaining = r.bytes;
  l.since = now_;
  l.efficiency = p.efficiency();
  double path_latency = 0, bound = std::numeric_limits<double>::infinity();
  for (int c : r.path) path_latency += topology_->channels()[static_cast<std::size_t>(c)].latency_s;
  // TCP's congestion window caps a stream at window / round trip, and its share of a bottleneck
  // shrinks as its round trip grows (the RTT bias of TCP's additive increase): weight 1/latency,
  // as in SimGrid's CM02 model. RDMA transports share per flow, whatever the round trip. Shares
  // and bounds are wire rates; the window counts payload bytes (its sequence space), so its bound
  // on the wire is higher by the headers (SimGrid's CM02 bounds the wire rate by the window
  // itself, which the oracle corrects for).
  const double weight = p.rtt_weighted && path_latency > 0 ? 1.0 / path_latency : 1.0;
  if (p.window_bytes > 0 && path_latency > 0) bound = p.window_bytes / (2 * path_latency) / l.efficiency;
  if (p.stream_bytes_per_s > 0) bound = std::min(bound, p.stream_bytes_per_s / l.efficiency);
  l.share = sharing_.add(r.path, weight, bound);
  if (static_cast<std::size_t>(l.share) >= flow_of_share_.size()) flow_of_share_.resize(static_cast<std::size_t>(l.share) + 1);
  flow_of_share_[static_cast<std::size_t>(l.share)] = flow;
}

std::vector<int> FlowNetwork::step() {
  std::vector<int> finished;
  const double t = next_event_time();
  if (!std::isfinite(t)) return finished;
  now_ = t;
  const double horizon = t + kSameInstant * std::max(1.0, std::abs(t));
  while (!events_.empty() && events_.top().time <= horizon) {
    const FlowEventQueue::Entry e = events_.top();
    events_.pop();
    ++stats_.events;
    FlowRecord& r = records_[static_cast<std::size_t>(e.flow)];
    Live& l = live_[static_cast<std::size_t>(e.flow)];
    if (e.kind == FlowEventQueue::Kind::enter_sharing) {
      if (r.bytes == 0) {
        r.finish_s = e.time;
        finished.push_back(e.flow);
        continue;
      }
      enter_sharing(e.flow);
    } else {
      settle(e.flow);
      sharing_.remove(l.share);
      l.share = -1;
      l.rate = 0;
      l.remaining = 0;
      r.finish_s = e.time;
      finished.push_back(e.flow);
    }
  }
  ++stats_.solves;
  const auto& changes = sharing_.solve();
  stats_.rate_changes += changes.size();
  for (const auto& change : changes) {
    const int flow = flow_of_share_[static_cast<std::size_t>(change.flow)];
    Live& l = live_[static_cast<std::size_t>(flow)];
    settle(flow);
    l.rate = sharing_.rate(change.flow);
    events_.set(flow, now_ + l.remaining / (l.rate * l.efficiency), FlowEventQueue::Kind::finish);
  }
  stats_.region_flows += sharing_.last_region_size();
  return finished;
}

void FlowNetwork::run_until_idle(const std::function<void(int, double)>& on_finish) {
  while (std::isfinite(next_event_time()))
    for (int f : step())
      if (on_finish) on_finish(f, records_[static_cast<std::size_t>(f)].finish_s);
}

}  // namespace xpusim

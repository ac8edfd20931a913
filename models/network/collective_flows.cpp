#include "models/network/collective_flows.hpp"

#include <cmath>
#include <stdexcept>
#include <unordered_map>

namespace xpusim {

namespace {
void check_ranks(const std::vector<int>& ranks) {
  if (ranks.size() < 2) throw std::invalid_argument("a collective needs >= 2 ranks");
}
}  // namespace

double run_ring(FlowNetwork& net, RingCollective kind, const std::vector<int>& ranks, double bytes,
                const ProtocolProfile& protocol, double start_s) {
  check_ranks(ranks);
  const int n = static_cast<int>(ranks.size());
  const int steps = (kind == RingCollective::all_reduce ? 2 : 1) * (n - 1);
  const double chunk = bytes / n;
  // sent[r] / received[r]: steps rank r has finished sending / receiving.
  std::vector<int> sent(static_cast<std::size_t>(n), 0), received(static_cast<std::size_t>(n), 0);
  std::vector<char> sending(static_cast<std::size_t>(n), 0);
  std::unordered_map<int, int> sender_of;  // flow id -> rank
  auto try_send = [&](int r, double now) {
    const auto i = static_cast<std::size_t>(r);
    const int s = sent[i];
    if (sending[i] || s >= steps || (s > 0 && received[i] < s)) return;
    sending[i] = 1;
    const int next = ranks[static_cast<std::size_t>((r + 1) % n)];
    sender_of[net.start(now, ranks[i], next, chunk, protocol, static_cast<uint64_t>(r) * 1000003u + static_cast<uint64_t>(s))] = r;
  };
  for (int r = 0; r < n; ++r) try_send(r, start_s);
  double end = start_s;
  int flows_left = n * steps;
  while (flows_left > 0) {
    if (!std::isfinite(net.next_event_time())) throw std::logic_error("ring collective stalled");
    for (int f : net.step()) {
      auto it = sender_of.find(f);
      if (it == sender_of.end()) continue;  // someone else's flow
      const int r = it->second, next = (r + 1) % n;
      sender_of.erase(it);
      --flows_left;
      end = net.now();
      ++sent[static_cast<std::size_t>(r)];
      sending[static_cast<std::size_t>(r)] = 0;
      ++received[static_cast<std::size_t>(next)];
      try_send(r, end);
      try_send(next, end);
    }
  }
  return end - start_s;
}

double run_all_to_all(FlowNetwork& net, const std::vector<int>& ranks, double bytes, const ProtocolProfile& protocol,
                      double start_s) {
  check_ranks(ranks);
  const int n = static_cast<int>(ranks.size());
  std::unordered_map<int, char> ours;
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      if (a != b)
        ours[net.start(start_s, ranks[static_cast<std::size_t>(a)], ranks[static_cast<std::size_t>(b)], bytes / n, protocol,
                       static_cast<uint64_t>(a * n + b))] = 1;
  double end = start_s;
  while (!ours.empty()) {
    if (!std::isfinite(net.next_event_time())) throw std::logic_error("all-to-all stalled");
    for (int f : net.step())
      if (ours.erase(f)) end = net.now();
  }
  return end - start_s;
}

}  // namespace xpusim

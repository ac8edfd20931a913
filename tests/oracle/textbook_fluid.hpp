#pragma once
// A flow-level simulation written the textbook way, as an oracle with nothing in common with
// models/network: at every event (a flow entering or ending) weighted max-min shares are found by
// progressive filling of every flow present, from scratch (Bertsekas & Gallager, Data Networks,
// 6.5.2), and time advances to the next entry or the earliest completion at those rates. No
// incremental region, no event queue, no tolerance beyond the completion test: slow (every fill
// visits every flow once per bottleneck) and plain enough to check by reading.
#include <algorithm>
#include <cstddef>
#include <limits>
#include <numeric>
#include <vector>

namespace xpusim::oracle {

struct FluidFlow {
  std::vector<int> channels;
  double enter_s = 0;  // when it starts to take bandwidth (its start plus its route's latency)
  double bytes = 0;    // carried at its rate, in the units of the capacities
  double weight = 1;
  double bound = std::numeric_limits<double>::infinity();
};

// Each flow's finish time.
inline std::vector<double> textbook_fluid_finish_times(const std::vector<double>& capacities,
                                                       const std::vector<FluidFlow>& flows) {
  const std::size_t n = flows.size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> left(n), rate(n, 0), finish(n, -1);
  for (std::size_t f = 0; f < n; ++f) left[f] = flows[f].bytes;
  std::vector<std::size_t> by_entry(n);
  std::iota(by_entry.begin(), by_entry.end(), std::size_t{0});
  std::stable_sort(by_entry.begin(), by_entry.end(),
                   [&](std::size_t a, std::size_t b) { return flows[a].enter_s < flows[b].enter_s; });

  std::vector<std::size_t> present;
  auto fill = [&] {
    std::vector<double> room = capacities, weights(capacities.size(), 0);
    std::vector<int> unfrozen_on(capacities.size(), 0);  // weights alone would keep rounding dust
    std::vector<bool> frozen(n, false);
    for (std::size_t f : present)
      for (int c : flows[f].channels) {
        weights[static_cast<std::size_t>(c)] += flows[f].weight;
        ++unfrozen_on[static_cast<std::size_t>(c)];
      }
    auto freeze = [&](std::size_t f, double r) {
      frozen[f] = true;
      rate[f] = r;
      for (int c : flows[f].channels) {
        room[static_cast<std::size_t>(c)] -= r;
        weights[static_cast<std::size_t>(c)] -= flows[f].weight;
        --unfrozen_on[static_cast<std::size_t>(c)];
      }
    };
    for (std::size_t unfrozen = present.size(); unfrozen > 0;) {
      // The lowest level (rate per weight) at which a channel fills or a flow meets its bound.
      double level = kInf;
      int full = -1;
      for (std::size_t c = 0; c < capacities.size(); ++c)
        if (unfrozen_on[c] > 0 && std::max(0.0, room[c]) / weights[c] < level) {
          level = std::max(0.0, room[c]) / weights[c];
          full = static_cast<int>(c);
        }
      std::size_t bounded = n;
      for (std::size_t f : present)
        if (!frozen[f] && flows[f].bound / flows[f].weight <= level) {
          level = flows[f].bound / flows[f].weight;
          bounded = f;
        }
      if (bounded < n) {
        freeze(bounded, flows[bounded].bound);
        --unfrozen;
        continue;
      }
      for (std::size_t f : present)
        if (!frozen[f] && std::find(flows[f].channels.begin(), flows[f].channels.end(), full) != flows[f].channels.end()) {
          freeze(f, flows[f].weight * level);
          --unfrozen;
        }
    }
  };

  double now = 0;
  std::size_t next = 0;
  while (next < n || !present.empty()) {
    double until = next < n ? flows[by_entry[next]].enter_s : kInf;
    for (std::size_t f : present) until = std::min(until, now + left[f] / rate[f]);
    std::vector<std::size_t> staying;
    for (std::size_t f : present) {
      left[f] -= rate[f] * (until - now);
      if (left[f] <= 1e-9 * flows[f].bytes)
        finish[f] = until;
      else
        staying.push_back(f);
    }
    present = std::move(staying);
    now = until;
    while (next < n && flows[by_entry[next]].enter_s <= now) present.push_back(by_entry[next++]);
    if (!present.empty()) fill();
  }
  return finish;
}

}  // namespace xpusim::oracle

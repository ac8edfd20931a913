#pragma once
// Weighted max-min fair sharing of channel bandwidth among flows, by progressive filling: every
// unfrozen flow's rate grows in proportion to its weight until a channel it crosses is full or
// it reaches its own bound; the flows of a full channel freeze there.
//
// Incremental: after flows are added or removed, solve() re-fills only a region of flows, with
// every other flow's rate held fixed, and grows the region until every flow touched by the change
// again has a bottleneck (a full channel on which no flow has a higher rate per weight, or its own
// bound). A feasible allocation in which every flow has a bottleneck is the max-min fair one
// (Bertsekas & Gallager, Data Networks, 6.5.2), so the result equals a solve from scratch.
//
// A change that spreads over more than an eighth of the flows re-fills instead every flow at or
// above the lowest level the change can reach, holding the flows below it: progressive filling
// raises every flow together, so a flow frozen below level L froze identically whatever happens
// to flows whose channels only fill at L or above. A removed flow's channels filled no lower than
// its own level (it froze at the first of them); an added flow's channels fill no lower than
// capacity / total weight of the flows on them, and the flow itself no lower than bound / weight.
#include <cstdint>
#include <limits>
#include <vector>

namespace xpusim {

class MaxMinSharing {
 public:
  struct RateChange {
    int flow;
    double old_rate;  // 0 for a flow added since the last solve
  };

  explicit MaxMinSharing(std::vector<double> capacities);

  // A flow over `channels` (no repeats), sharing in proportion to `weight` (> 0), never faster
  // than `bound`. Its rate is 0 until the next solve(). Ids of removed flows are reused.
  int add(const std::vector<int>& channels, double weight,
          double bound = std::numeric_limits<double>::infinity());
  void remove(int flow);
  // Brings every rate to the max-min fair allocation of the flows present; returns the flows
  // whose rate changed (flows added since the last solve always appear).
  const std::vector<RateChange>& solve();
  // The same allocation computed from scratch (for tests and as the fallback of solve()).
  const std::vector<RateChange>& solve_from_scratch();

  double rate(int flow) const { return flows_[static_cast<std::size_t>(flow)].rate; }
  std::size_t flow_count() const { return alive_; }
  // Flows re-filled by the last solve (its region): how local the change was.
  std::size_t last_region_size() const { return last_region_; }

 private:
  static constexpr int kByBound = -1;

  struct Flow {
    std::vector<int> channels;
    std::vector<int> slots;  // position of this flow in each channel's list
    double weight = 1, bound = 0, rate = 0, tentative = 0;
    int bottleneck = kByBound;
    bool alive = false, added = false;
    uint32_t region_stamp = 0, frozen_stamp = 0, seen_stamp = 0, queued_stamp = 0;
  };
  struct ChannelState {
    double capacity = 0;
    std::vector<int> flows;
    // Scratch for one fill.
    double residual = 0, weights = 0, level = 0;
    int unfrozen = 0, heap_slot = -1;
    uint32_t stamp = 0, dirty_stamp = 0;
  };

  bool in_region(const Flow& f) const { return f.region_stamp == region_; }
  double current(const Flow& f) const { return in_region(f) ? f.tentative : f.rate; }
  void fill(const std::vector<int>& region);
  bool has_bottleneck(const Flow& f) const;
  // Flows outside the region that the region's tentative rates leave without a bottleneck.
  void find_violations(const std::vector<int>& region, std::vector<int>& out);
  const std::vector<RateChange>& commit(const std::vector<int>& region);
  void new_region(const std::vector<int>& flows);
  // The level (rate / weight) below which no flow's rate can change since the last solve.
  double unaffected_below() const;
  // Re-fills the flows at or above `level` (and every added one), the others held.
  const std::vector<RateChange>& solve_above(double level);

  std::vector<Flow> flows_;
  std::vector<ChannelState> channels_;
  std::vector<int> free_ids_, added_, dirty_channels_, heap_;
  std::vector<RateChange> changes_;
  std::size_t alive_ = 0, last_region_ = 0;
  uint32_t region_ = 0, fill_ = 0, dirty_ = 0, seen_ = 0;
  double changed_level_ = std::numeric_limits<double>::infinity();  // lowest removed level
  bool spread_ = false;  // the last region outgrew its limit
  uint32_t since_spread_ = 0, retry_after_ = 8;
};

}  // namespace xpusim

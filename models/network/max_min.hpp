#pragma once
// Weighted max-min fair sharing of channel bandwidth among flows, by progressive filling: every
// unfrozen flow's rate grows in proportion to its weight until a channel it crosses is full or
// it reaches its own bound; the flows of a full channel freeze there.
//
// Incremental, and exact. A change (flows added or removed) cannot move any flow below the lowest
// level (rate / weight) it can reach: progressive filling raises every flow together, so a flow
// frozen below level L froze identically whatever happens to flows whose channels only fill at L
// or above. A removed flow's channels filled no lower than its own level (it froze at the first of
// them); an added flow cannot change anything below its bound / weight, nor below the level where
// one of its channels fills if every other flow there rises as before, up to its old level.
//
// solve() first gathers the flows the change can reach: the added flows, then every flow at or
// above that level on a saturated channel of a flow already gathered, and so on. It re-fills only
// those, every other rate held, and checks that every flow near them still has a bottleneck (a
// full channel on which no flow has a higher rate per weight, or its own bound); a flow that lost
// its bottleneck joins and the region is filled again. Only channels the region was not gathered
// through need the check: on those it was, every flow at or above the level is in the region. A feasible allocation in which every flow
// has a bottleneck is the max-min fair one (Bertsekas & Gallager, Data Networks, 6.5.2), so the
// result equals a solve from scratch. Traffic where one job's flows share channels only with each
// other re-fills that job's flows, not the network's.
//
// A change that reaches more than a quarter of the flows (traffic where every flow is tied to
// every other through the hosts they share) re-fills instead every flow at or above the level:
// the max-min allocation restricted to any set of flows is the max-min allocation of that set on
// what the others leave. Such traffic mostly stays so, and the solves after one go there directly
// but for every kRetryLocal-th (both ways give the same rates).
#include <cstdint>
#include <limits>
#include <utility>
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
  static constexpr std::size_t kLocal = 4;
  static constexpr std::size_t kRetryLocal = 4;
  // Full channels and equal shares are recognized to within this (relative).
  static constexpr double kTight = 1e-9;

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
    double load = 0;  // sum of the rates of its flows, kept as rates change
    int load_updates = 0;
    // Scratch for one fill.
    double residual = 0, weights = 0;
    int unfrozen = 0, open_slot = -1;
    // Highest rate per weight of all its flows, and of those outside the region (find_violations).
    double top = 0, outside_top = 0;
    uint32_t stamp = 0, dirty_stamp = 0, seen_stamp = 0, top_stamp = 0, outside_stamp = 0;
  };

  void add_load(int channel, double delta);
  static bool saturated(const ChannelState& ch) { return ch.load >= ch.capacity * (1 - kTight); }
  bool in_region(const Flow& f) const { return f.region_stamp == region_; }
  double current(const Flow& f) const { return in_region(f) ? f.tentative : f.rate; }
  void fill(const std::vector<int>& region);
  // Within one find_violations (it caches each channel's load and top share).
  bool has_bottleneck(const Flow& f);
  // Flows outside the region that the region's tentative rates leave without a bottleneck.
  // Flows below `level` are not checked: they keep their rates and bottlenecks.
  void find_violations(const std::vector<int>& region, double level, std::vector<int>& out);
  // The flows a change can reach: added flows, then every flow at or above `level` on a saturated
  // channel of a flow already gathered (or on a saturated channel that lost a flow). False when
  // that grows past 1/kLocal of the flows present.
  bool gather_coupled(double level, std::vector<int>& region);
  const std::vector<RateChange>& commit(const std::vector<int>& region);
  void new_region(const std::vector<int>& flows);
  // The level (rate / weight) below which no flow's rate can change since the last solve.
  double unaffected_below();
  // The level at which channel `c` fills when the flows added since the last solve join it and
  // every other flow on it rises as before: no flow below it can change.
  double first_fill(int c);
  // Re-fills the flows at or above `level` (and every added one), the others held.
  const std::vector<RateChange>& solve_above(double level);

  std::vector<Flow> flows_;
  // Per flow id: rate / weight once solved, +inf while added and unsolved, -inf when free. Kept
  // apart from flows_ so that finding every flow at or above a level reads one dense array.
  std::vector<double> level_of_;
  std::vector<ChannelState> channels_;
  std::vector<int> free_ids_, added_, dirty_channels_, touched_, resum_;
  // Fill's open channels (those with unfrozen flows) and their levels.
  std::vector<int> open_channels_;
  std::vector<double> open_levels_;
  std::vector<int> freed_;  // channels that were saturated when a flow left them
  // Scratch of one solve, kept to spare allocations.
  std::vector<int> region_flows_, violations_, queue_;
  std::vector<std::pair<double, int>> by_bound_, stops_;
  std::vector<RateChange> changes_;
  std::size_t alive_ = 0, last_region_ = 0;
  std::size_t fell_back_ = 0;  // solves in a row that found no local region
  uint32_t region_ = 0, fill_ = 0, dirty_ = 0, seen_ = 0;
  uint32_t gathered_ = 0;  // the seen_ stamp of the channels the last region was gathered through
  double changed_level_ = std::numeric_limits<double>::infinity();  // lowest removed level
};

}  // namespace xpusim

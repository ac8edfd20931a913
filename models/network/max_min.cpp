#include "models/network/max_min.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/network/lowest_level.hpp"

namespace xpusim {

namespace {
// A rate that moved by less than this (relative) is unchanged: its flow is not re-timed.
constexpr double kSame = 1e-12;

bool differs(double a, double b) { return std::abs(a - b) > kSame * std::max(std::abs(a), std::abs(b)); }
}  // namespace

MaxMinSharing::MaxMinSharing(std::vector<double> capacities) {
  channels_.resize(capacities.size());
  for (std::size_t c = 0; c < capacities.size(); ++c) {
    if (!(capacities[c] > 0)) throw std::invalid_argument("channel capacity must be > 0");
    channels_[c].capacity = capacities[c];
  }
}

int MaxMinSharing::add(const std::vector<int>& channels, double weight, double bound) {
  if (!(weight > 0) || !(bound > 0)) throw std::invalid_argument("flow weight and bound must be > 0");
  int id;
  if (!free_ids_.empty()) {
    id = free_ids_.back();
    free_ids_.pop_back();
  } else {
    id = static_cast<int>(flows_.size());
    flows_.emplace_back();
    level_of_.push_back(0);
  }
  Flow& f = flows_[static_cast<std::size_t>(id)];
  f.channels = channels;
  f.slots.resize(channels.size());
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (channels[i] < 0 || static_cast<std::size_t>(channels[i]) >= channels_.size())
      throw std::invalid_argument("flow crosses an unknown channel");
    auto& list = channels_[static_cast<std::size_t>(channels[i])].flows;
    f.slots[i] = static_cast<int>(list.size());
    list.push_back(id);
  }
  f.weight = weight;
  f.bound = bound;
  f.rate = f.tentative = 0;
  f.bottleneck = kByBound;
  f.alive = f.added = true;
  level_of_[static_cast<std::size_t>(id)] = std::numeric_limits<double>::infinity();
  added_.push_back(id);
  ++alive_;
  return id;
}

void MaxMinSharing::remove(int id) {
  Flow& f = flows_.at(static_cast<std::size_t>(id));
  if (!f.alive) throw std::invalid_argument("removing a flow that is not there");
  for (std::size_t i = 0; i < f.channels.size(); ++i) {
    const int c = f.channels[i];
    auto& list = channels_[static_cast<std::size_t>(c)].flows;
    const int moved = list.back();
    list[static_cast<std::size_t>(f.slots[i])] = moved;
    Flow& m = flows_[static_cast<std::size_t>(moved)];
    for (std::size_t j = 0; j < m.channels.size(); ++j)
      if (m.channels[j] == c) m.slots[j] = f.slots[i];
    list.pop_back();
    if (saturated(channels_[static_cast<std::size_t>(c)])) freed_.push_back(c);
    add_load(c, -f.rate);
    dirty_channels_.push_back(c);
  }
  // A flow that never had a rate changes no other's.
  if (!f.added) changed_level_ = std::min(changed_level_, f.rate / f.weight);
  if (f.added) added_.erase(std::find(added_.begin(), added_.end(), id));
  f.alive = f.added = false;
  level_of_[static_cast<std::size_t>(id)] = -std::numeric_limits<double>::infinity();
  f.channels.clear();
  f.slots.clear();
  free_ids_.push_back(id);
  --alive_;
}

void MaxMinSharing::add_load(int c, double delta) {
  ChannelState& ch = channels_[static_cast<std::size_t>(c)];
  ch.load += delta;
  // Summed afresh now and then (once every rate is committed), so that rounding cannot build up
  // over millions of changes.
  if (++ch.load_updates == 64) resum_.push_back(c);
}

void MaxMinSharing::new_region(const std::vector<int>& region) {
  ++region_;
  for (int id : region) flows_[static_cast<std::size_t>(id)].region_stamp = region_;
}

void MaxMinSharing::fill(const std::vector<int>& region) {
  ++fill_;
  std::vector<int>& touched = touched_;
  touched.clear();
  for (int id : region) {
    Flow& f = flows_[static_cast<std::size_t>(id)];
    for (int c : f.channels) {
      ChannelState& ch = channels_[static_cast<std::size_t>(c)];
      // Flows outside the region keep their rates: the region shares what they leave.
      if (ch.stamp != fill_) {
        ch.stamp = fill_;
        ch.residual = ch.capacity - ch.load;
        ch.weights = 0;
        ch.unfrozen = 0;
        touched.push_back(c);
      }
      ch.residual += f.rate;
      ch.weights += f.weight;
      ++ch.unfrozen;
    }
  }
  // The channels that still have unfrozen flows, with their fill levels (residual / unfrozen
  // weight) in a dense array scanned for the lowest (index_of_lowest).
  auto level = [&](const ChannelState& ch) { return std::max(0.0, ch.residual) / ch.weights; };
  std::vector<double>& levels = open_levels_;
  std::vector<int>& open = open_channels_;
  levels.clear();
  open.clear();
  for (int c : touched) {
    ChannelState& ch = channels_[static_cast<std::size_t>(c)];
    ch.open_slot = static_cast<int>(open.size());
    open.push_back(c);
    levels.push_back(level(ch));
  }
  // The lowest open channel (the first of equals), or -1 when none is left.
  auto lowest = [&] { return levels.empty() ? -1 : static_cast<int>(index_of_lowest(levels.data(), levels.size())); };
  auto& by_bound = by_bound_;  // level at which a flow meets its bound
  by_bound.clear();
  for (int id : region) {
    const Flow& f = flows_[static_cast<std::size_t>(id)];
    if (std::isfinite(f.bound)) by_bound.emplace_back(f.bound / f.weight, id);
  }
  std::sort(by_bound.begin(), by_bound.end());
  auto freeze = [&](Flow& f, double rate, int bottleneck) {
    f.tentative = rate;
    f.bottleneck = bottleneck;
    f.frozen_stamp = fill_;
    for (int c : f.channels) {
      ChannelState& ch = channels_[static_cast<std::size_t>(c)];
      ch.residual -= rate;
      ch.weights -= f.weight;
      const auto slot = static_cast<std::size_t>(ch.open_slot);
      if (--ch.unfrozen > 0) {
        levels[slot] = level(ch);
        continue;
      }
      const int last = open.back();
      open[slot] = last;
      levels[slot] = levels.back();
      channels_[static_cast<std::size_t>(last)].open_slot = static_cast<int>(slot);
      open.pop_back();
      levels.pop_back();
    }
  };
  std::size_t remaining = region.size(), next_bound = 0;
  double floor = 0;  // the last level frozen at: rounding must not take a channel below it
  while (remaining > 0) {
    while (next_bound < by_bound.size() && flows_[static_cast<std::size_t>(by_bound[next_bound].second)].frozen_stamp == fill_)
      ++next_bound;
    const int slot = lowest();
    const double channel_level =
        slot < 0 ? std::numeric_limits<double>::infinity() : std::max(floor, levels[static_cast<std::size_t>(slot)]);
    if (next_bound < by_bound.size() && by_bound[next_bound].first <= channel_level) {
      Flow& f = flows_[static_cast<std::size_t>(by_bound[next_bound].second)];
      freeze(f, f.bound, kByBound);
      floor = std::max(floor, by_bound[next_bound].first);
      --remaining;
      continue;
    }
    floor = channel_level;
    const int c = open[static_cast<std::size_t>(slot)];
    for (int id : channels_[static_cast<std::size_t>(c)].flows) {
      Flow& f = flows_[static_cast<std::size_t>(id)];
      if (in_region(f) && f.frozen_stamp != fill_) {
        freeze(f, f.weight * channel_level, c);
        --remaining;
      }
    }
  }
}

bool MaxMinSharing::has_bottleneck(const Flow& f) {
  const double rate = current(f);
  if (rate >= f.bound * (1 - kTight)) return true;
  const double share = rate / f.weight;
  for (int c : f.channels) {
    ChannelState& ch = channels_[static_cast<std::size_t>(c)];
    // A channel the last fill touched carries the region's tentative rates, the others their own.
    const double load = ch.stamp == fill_ ? ch.capacity - ch.residual : ch.load;
    if (load < ch.capacity * (1 - kTight)) continue;
    if (ch.top_stamp != dirty_) {  // once per check: rates do not move while it runs
      ch.top_stamp = dirty_;
      ch.top = 0;
      for (int id : ch.flows) {
        const Flow& g = flows_[static_cast<std::size_t>(id)];
        ch.top = std::max(ch.top, current(g) / g.weight);
      }
    }
    if (share >= ch.top * (1 - kTight)) return true;
  }
  return false;
}

void MaxMinSharing::find_violations(const std::vector<int>& region, double level, std::vector<int>& out) {
  const double from = level * (1 - kTight);
  ++dirty_;
  ++seen_;
  auto queue = [&](Flow& g, int id) {
    if (g.queued_stamp == seen_) return;
    g.queued_stamp = seen_;
    out.push_back(id);
  };
  auto consider = [&](int id) {
    Flow& g = flows_[static_cast<std::size_t>(id)];
    if (in_region(g) || g.seen_stamp == seen_) return;
    g.seen_stamp = seen_;
    // A flow below the change's level keeps its rate and its bottleneck: that channel filled
    // below the level, so no flow in the region crosses it.
    if (g.rate / g.weight >= from && !has_bottleneck(g)) queue(g, id);
  };
  // A channel the region was gathered through has no flow outside it at or above the level:
  // nothing there to check.
  auto gathered = [&](const ChannelState& ch) { return ch.seen_stamp == gathered_; };
  auto visit = [&](int c) {
    ChannelState& ch = channels_[static_cast<std::size_t>(c)];
    if (ch.dirty_stamp == dirty_ || gathered(ch)) return;
    ch.dirty_stamp = dirty_;
    for (int id : ch.flows) consider(id);
  };
  // Flows on a channel that was full and changed load may have lost their bottleneck there. A
  // channel that was not full was no flow's bottleneck, and if it is full now, the region flows
  // that filled it froze there (checked below) or at their bound.
  for (int c : freed_) visit(c);
  for (int id : region) {
    const Flow& f = flows_[static_cast<std::size_t>(id)];
    if (f.added || differs(f.tentative, f.rate))
      for (int c : f.channels)
        if (saturated(channels_[static_cast<std::size_t>(c)])) visit(c);  // its load before this solve
  }
  // A region flow frozen at a channel where an outside flow has a higher share per weight: that
  // outside flow must give way, so it joins the region.
  for (int id : region) {
    const Flow& f = flows_[static_cast<std::size_t>(id)];
    if (f.bottleneck == kByBound) continue;
    const double share = f.tentative / f.weight;
    ChannelState& ch = channels_[static_cast<std::size_t>(f.bottleneck)];
    if (gathered(ch)) continue;  // its outside flows are below the level, so below this one
    if (ch.outside_stamp != dirty_) {  // many region flows freeze at one channel: once each
      ch.outside_stamp = dirty_;
      ch.outside_top = 0;
      for (int other : ch.flows) {
        const Flow& g = flows_[static_cast<std::size_t>(other)];
        if (!in_region(g)) ch.outside_top = std::max(ch.outside_top, g.rate / g.weight);
      }
    }
    if (ch.outside_top <= share * (1 + kTight)) continue;
    for (int other : ch.flows) {
      Flow& g = flows_[static_cast<std::size_t>(other)];
      if (!in_region(g) && g.rate / g.weight > share * (1 + kTight)) queue(g, other);
    }
  }
}

const std::vector<MaxMinSharing::RateChange>& MaxMinSharing::commit(const std::vector<int>& region) {
  changes_.clear();
  for (int id : region) {
    Flow& f = flows_[static_cast<std::size_t>(id)];
    if (f.added || differs(f.tentative, f.rate)) {
      changes_.push_back({id, f.added ? 0.0 : f.rate});
      for (int c : f.channels) add_load(c, f.tentative - f.rate);
      f.rate = f.tentative;
      f.added = false;
      level_of_[static_cast<std::size_t>(id)] = f.rate / f.weight;
    }
  }
  for (int c : resum_) {
    ChannelState& ch = channels_[static_cast<std::size_t>(c)];
    ch.load_updates = 0;
    ch.load = 0;
    for (int id : ch.flows) ch.load += flows_[static_cast<std::size_t>(id)].rate;
  }
  resum_.clear();
  ++region_;  // no flow is in a region between solves
  added_.clear();
  dirty_channels_.clear();
  freed_.clear();
  changed_level_ = std::numeric_limits<double>::infinity();
  last_region_ = region.size();
  return changes_;
}

const std::vector<MaxMinSharing::RateChange>& MaxMinSharing::solve() {
  if (added_.empty() && dirty_channels_.empty()) {
    changes_.clear();
    last_region_ = 0;
    return changes_;
  }
  const double level = unaffected_below();
  std::vector<int>& region = region_flows_;
  std::vector<int>& violations = violations_;
  region.clear();
  // Traffic where a change reached most flows last time (every flow tied to every other) will
  // mostly do so again: gathering a local region first is then wasted, so it is tried only now
  // and then until one is found.
  const bool try_local = fell_back_ % kRetryLocal == 0;
  bool local = try_local && gather_coupled(level, region);
  while (local) {
    new_region(region);
    fill(region);
    violations.clear();
    find_violations(region, level, violations);
    if (violations.empty()) {
      fell_back_ = 0;
      return commit(region);
    }
    region.insert(region.end(), violations.begin(), violations.end());
    local = region.size() * kLocal <= alive_;
  }
  ++fell_back_;
  return solve_above(level);
}

bool MaxMinSharing::gather_coupled(double level, std::vector<int>& region) {
  const double from = level * (1 - kTight);
  gathered_ = ++seen_;
  std::vector<int>& queue = queue_;
  queue.clear();
  auto visit = [&](int c) {
    ChannelState& ch = channels_[static_cast<std::size_t>(c)];
    if (ch.seen_stamp != seen_) {
      ch.seen_stamp = seen_;
      queue.push_back(c);
    }
  };
  auto join = [&](int id) {
    Flow& f = flows_[static_cast<std::size_t>(id)];
    if (f.seen_stamp == seen_) return;
    f.seen_stamp = seen_;
    region.push_back(id);
    for (int c : f.channels) {
      // An added flow also reaches a channel whose free capacity is less than a fair share.
      const ChannelState& ch = channels_[static_cast<std::size_t>(c)];
      if (saturated(ch) || (f.added && ch.capacity - ch.load < ch.capacity / static_cast<double>(ch.flows.size())))
        visit(c);
    }
  };
  for (int id : added_) join(id);
  for (int c : freed_) visit(c);
  for (std::size_t next = 0; next < queue.size(); ++next) {
    for (int id : channels_[static_cast<std::size_t>(queue[next])].flows)
      if (level_of_[static_cast<std::size_t>(id)] >= from) join(id);  // added flows: +inf
    if (region.size() * kLocal > alive_) return false;
  }
  return true;
}

const std::vector<MaxMinSharing::RateChange>& MaxMinSharing::solve_from_scratch() { return solve_above(0); }

double MaxMinSharing::unaffected_below() {
  double level = changed_level_, added_weight = 0;
  for (int id : added_) {
    const Flow& f = flows_[static_cast<std::size_t>(id)];
    level = std::min(level, f.bound / f.weight);
    added_weight += f.weight;
  }
  ++seen_;
  for (int id : added_)
    for (int c : flows_[static_cast<std::size_t>(id)].channels) {
      // The flows that were there never take more than their rates, so the channel fills no lower
      // than where the added flows alone would take its free capacity: a channel with room (a
      // spine link) cannot lower the level, and its flows need not be sorted to know it.
      ChannelState& ch = channels_[static_cast<std::size_t>(c)];
      // Once per channel: when many flows start together (an all-to-all) they share channels.
      if (ch.seen_stamp == seen_ || (ch.capacity - ch.load) / added_weight >= level) continue;
      ch.seen_stamp = seen_;
      level = std::min(level, first_fill(c));
    }
  return level;
}

double MaxMinSharing::first_fill(int c) {
  // Below the level sought nothing has changed, so every flow that was there before rises with the
  // level until its old level and stops; added flows rise throughout (never stopping at their
  // bound only makes the answer lower, which is safe). The channel fills where the sum reaches
  // its capacity.
  const ChannelState& ch = channels_[static_cast<std::size_t>(c)];
  auto& stops = stops_;  // (old level, flow) of the flows that were there
  stops.clear();
  double rising = 0;        // weight of the flows still rising
  for (int id : ch.flows) {
    const Flow& g = flows_[static_cast<std::size_t>(id)];
    rising += g.weight;
    if (!g.added) stops.emplace_back(g.rate / g.weight, id);
  }
  std::sort(stops.begin(), stops.end());
  double used = 0;  // by the flows that stopped
  for (const auto& [stop, id] : stops) {
    if (used + rising * stop >= ch.capacity) break;
    const double w = flows_[static_cast<std::size_t>(id)].weight;
    used += w * stop;
    rising -= w;
  }
  return rising > 0 ? (ch.capacity - used) / rising : std::numeric_limits<double>::infinity();
}

const std::vector<MaxMinSharing::RateChange>& MaxMinSharing::solve_above(double level) {
  // Re-filling a flow whose rate does not change is harmless (the max-min allocation restricted
  // to any set of flows is the max-min allocation of that set on what the others leave), so the
  // tolerance errs towards including flows.
  const double from = level * (1 - kTight);
  std::vector<int>& region = region_flows_;
  // Written without a branch: whether a flow is at or above the level is a coin toss in traffic
  // where every flow is tied to every other, and mispredicting it cost more than the rest.
  region.resize(level_of_.size());
  std::size_t n = 0;
  for (std::size_t id = 0; id < level_of_.size(); ++id) {
    region[n] = static_cast<int>(id);
    n += level_of_[id] >= from ? 1 : 0;
  }
  region.resize(n);
  new_region(region);
  fill(region);
  return commit(region);
}

}  // namespace xpusim

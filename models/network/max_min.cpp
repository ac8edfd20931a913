#include "models/network/max_min.hpp"

#include <algorithm>
#include <cmath>
#include <queue>
#include <stdexcept>
#include <tuple>

namespace xpusim {

namespace {
// Relative tolerances: a rate that moved by less than kSame is unchanged (its flow is not re-timed);
// full channels and equal shares are recognized to within kTight.
constexpr double kSame = 1e-12;
constexpr double kTight = 1e-9;

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
    dirty_channels_.push_back(c);
  }
  if (f.added) added_.erase(std::find(added_.begin(), added_.end(), id));
  f.alive = f.added = false;
  f.channels.clear();
  f.slots.clear();
  free_ids_.push_back(id);
  --alive_;
}

void MaxMinSharing::new_region(const std::vector<int>& region) {
  ++region_;
  for (int id : region) flows_[static_cast<std::size_t>(id)].region_stamp = region_;
}

void MaxMinSharing::fill(const std::vector<int>& region) {
  ++fill_;
  std::vector<int> touched;
  for (int id : region) {
    Flow& f = flows_[static_cast<std::size_t>(id)];
    for (int c : f.channels) {
      ChannelState& ch = channels_[static_cast<std::size_t>(c)];
      if (ch.stamp != fill_) {
        ch.stamp = fill_;
        ch.residual = ch.capacity;
        ch.weights = 0;
        ch.unfrozen = 0;
        touched.push_back(c);
      }
      ch.weights += f.weight;
      ++ch.unfrozen;
    }
  }
  // Flows outside the region keep their rates: the region shares what they leave.
  for (int c : touched) {
    ChannelState& ch = channels_[static_cast<std::size_t>(c)];
    for (int id : ch.flows) {
      const Flow& g = flows_[static_cast<std::size_t>(id)];
      if (!in_region(g)) ch.residual -= g.rate;
    }
  }
  using Entry = std::tuple<double, int, uint32_t>;  // level, channel, version
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  auto push = [&](int c) {
    ChannelState& ch = channels_[static_cast<std::size_t>(c)];
    ++ch.version;
    if (ch.unfrozen > 0) heap.emplace(std::max(0.0, ch.residual) / ch.weights, c, ch.version);
  };
  for (int c : touched) push(c);
  std::vector<std::pair<double, int>> by_bound;  // level at which a flow meets its bound
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
      --ch.unfrozen;
      push(c);
    }
  };
  std::size_t remaining = region.size(), next_bound = 0;
  while (remaining > 0) {
    while (!heap.empty()) {
      const auto& [level, c, version] = heap.top();
      if (version == channels_[static_cast<std::size_t>(c)].version) break;
      heap.pop();
    }
    while (next_bound < by_bound.size() && flows_[static_cast<std::size_t>(by_bound[next_bound].second)].frozen_stamp == fill_)
      ++next_bound;
    const double channel_level = heap.empty() ? std::numeric_limits<double>::infinity() : std::get<0>(heap.top());
    if (next_bound < by_bound.size() && by_bound[next_bound].first <= channel_level) {
      Flow& f = flows_[static_cast<std::size_t>(by_bound[next_bound].second)];
      freeze(f, f.bound, kByBound);
      --remaining;
      continue;
    }
    const int c = std::get<1>(heap.top());
    heap.pop();
    // Copy: freezing pushes new heap entries but never changes the channel's flow list.
    for (int id : channels_[static_cast<std::size_t>(c)].flows) {
      Flow& f = flows_[static_cast<std::size_t>(id)];
      if (in_region(f) && f.frozen_stamp != fill_) {
        freeze(f, f.weight * channel_level, c);
        --remaining;
      }
    }
  }
}

bool MaxMinSharing::has_bottleneck(const Flow& f) const {
  const double rate = current(f);
  if (rate >= f.bound * (1 - kTight)) return true;
  const double share = rate / f.weight;
  for (int c : f.channels) {
    const ChannelState& ch = channels_[static_cast<std::size_t>(c)];
    double load = 0, top = 0;
    for (int id : ch.flows) {
      const Flow& g = flows_[static_cast<std::size_t>(id)];
      const double r = current(g);
      load += r;
      top = std::max(top, r / g.weight);
    }
    if (load >= ch.capacity * (1 - kTight) && share >= top * (1 - kTight)) return true;
  }
  return false;
}

void MaxMinSharing::find_violations(const std::vector<int>& region, std::vector<int>& out) {
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
    if (!has_bottleneck(g)) queue(g, id);
  };
  auto visit = [&](int c) {
    ChannelState& ch = channels_[static_cast<std::size_t>(c)];
    if (ch.dirty_stamp == dirty_) return;
    ch.dirty_stamp = dirty_;
    for (int id : ch.flows) consider(id);
  };
  // Flows whose channels changed load may have lost their bottleneck.
  for (int c : dirty_channels_) visit(c);
  for (int id : region) {
    const Flow& f = flows_[static_cast<std::size_t>(id)];
    if (f.added || differs(f.tentative, f.rate))
      for (int c : f.channels) visit(c);
  }
  // A region flow frozen at a channel where an outside flow has a higher share per weight: that
  // outside flow must give way, so it joins the region.
  for (int id : region) {
    const Flow& f = flows_[static_cast<std::size_t>(id)];
    if (f.bottleneck == kByBound) continue;
    const double share = f.tentative / f.weight;
    for (int other : channels_[static_cast<std::size_t>(f.bottleneck)].flows) {
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
      f.rate = f.tentative;
      f.added = false;
    }
  }
  ++region_;  // no flow is in a region between solves
  added_.clear();
  dirty_channels_.clear();
  last_region_ = region.size();
  return changes_;
}

const std::vector<MaxMinSharing::RateChange>& MaxMinSharing::solve() {
  if (added_.empty() && dirty_channels_.empty()) {
    changes_.clear();
    last_region_ = 0;
    return changes_;
  }
  std::vector<int> region = added_, violations;
  for (;;) {
    if (region.size() * 2 > alive_) return solve_from_scratch();
    new_region(region);
    fill(region);
    violations.clear();
    find_violations(region, violations);
    if (violations.empty()) return commit(region);
    region.insert(region.end(), violations.begin(), violations.end());
  }
}

const std::vector<MaxMinSharing::RateChange>& MaxMinSharing::solve_from_scratch() {
  std::vector<int> region;
  region.reserve(alive_);
  for (std::size_t id = 0; id < flows_.size(); ++id)
    if (flows_[id].alive) region.push_back(static_cast<int>(id));
  new_region(region);
  fill(region);
  return commit(region);
}

}  // namespace xpusim

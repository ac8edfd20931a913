#include "models/network/nvlink_rings.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace xpusim {

namespace {

// The search tries at most this many rings in all (a few ms). Meshes of one or two links per pair,
// as NVLink's are, need far fewer (a DGX-1: 0.05 ms); many links between every pair of 6 or more
// devices would need billions. Past this the best packing found is kept: still rings that fit
// together, though perhaps fewer than the most that could, and the same on every run.
constexpr long kMaxSteps = 2'000'000;

struct Packing {
  int n;
  std::vector<std::vector<int>> free;     // links left in direction a -> b
  std::vector<std::vector<int>> rings;    // every directed ring, as its devices from device 0
  int best = 0, bound = 0;
  long steps = 0;  // rings tried, against kMaxSteps

  // Every directed Hamiltonian cycle from device 0 (each once: device 0 first).
  void enumerate(std::vector<int>& path, std::vector<bool>& on) {
    const int last = path.back();
    if (static_cast<int>(path.size()) == n) {
      if (free[static_cast<std::size_t>(last)][0] > 0) rings.push_back(path);
      return;
    }
    for (int next = 1; next < n; ++next) {
      if (on[static_cast<std::size_t>(next)] || free[static_cast<std::size_t>(last)][static_cast<std::size_t>(next)] == 0)
        continue;
      on[static_cast<std::size_t>(next)] = true;
      path.push_back(next);
      enumerate(path, on);
      path.pop_back();
      on[static_cast<std::size_t>(next)] = false;
    }
  }

  // No more rings than the fewest links any device has left to send on.
  int room() const {
    int least = 1 << 30;
    for (int a = 0; a < n; ++a) {
      int out = 0;
      for (int b = 0; b < n; ++b) out += free[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)];
      least = std::min(least, out);
    }
    return least;
  }

  bool fits(const std::vector<int>& ring, int delta) {
    for (std::size_t i = 0; i < ring.size(); ++i) {
      int& left = free[static_cast<std::size_t>(ring[i])][static_cast<std::size_t>(ring[(i + 1) % ring.size()])];
      if (delta < 0 && left == 0) {
        for (std::size_t j = 0; j < i; ++j)  // undo the hops taken
          ++free[static_cast<std::size_t>(ring[j])][static_cast<std::size_t>(ring[(j + 1) % ring.size()])];
        return false;
      }
      left += delta;
    }
    return true;
  }

  // Rings chosen in the order enumerated (a ring may repeat), so that each set is tried once.
  void pack(std::size_t from, int count) {
    best = std::max(best, count);
    if (best == bound || count + room() <= best) return;
    for (std::size_t r = from; r < rings.size() && best < bound; ++r) {
      if (++steps > kMaxSteps) return;
      if (!fits(rings[r], -1)) continue;
      pack(r, count + 1);
      fits(rings[r], +1);
    }
  }
};

}  // namespace

int nvlink_rings(const std::vector<std::vector<int>>& links, const std::vector<int>& devices) {
  const std::size_t n = links.size();
  const int count = static_cast<int>(devices.size());
  auto known = [&](int d) { return d >= 0 && static_cast<std::size_t>(d) < n; };
  if (count < 2 || count > kMaxMeshDevices || !std::all_of(devices.begin(), devices.end(), known))
    throw std::invalid_argument("nvlink_rings: 2 to " + std::to_string(kMaxMeshDevices) + " devices of the mesh");
  Packing p{.n = count, .free = {}, .rings = {}};
  for (int a : devices) {
    const auto& row = links[static_cast<std::size_t>(a)];
    if (row.size() != n) throw std::invalid_argument("nvlink_rings: links is not square");
    if (std::count(devices.begin(), devices.end(), a) > 1)
      throw std::invalid_argument("nvlink_rings: device " + std::to_string(a) + " given twice");
    auto& free = p.free.emplace_back();
    for (int b : devices) free.push_back(row[static_cast<std::size_t>(b)]);
  }
  std::vector<int> path{0};
  std::vector<bool> on(devices.size(), false);
  on[0] = true;
  p.enumerate(path, on);
  // Two devices: the ring 0 -> 1 -> 0 is found once; it takes one link each way.
  p.bound = p.room();
  p.pack(0, 0);
  return p.best;
}

}  // namespace xpusim

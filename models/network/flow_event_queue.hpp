#pragma once
// The flow network's pending events: at most one per flow (entering sharing, or its completion),
// in an indexed binary min-heap ordered by (time, sequence number). Re-timing a flow moves its
// entry in place, so the queue never holds more entries than flows in flight: a completion
// re-timed a hundred times costs a hundred sifts, not a hundred stale entries to pop later.
#include <cstdint>
#include <vector>

namespace xpusim {

class FlowEventQueue {
 public:
  enum class Kind : uint8_t { enter_sharing, finish };
  struct Entry {
    double time = 0;
    uint64_t seq = 0;  // ties at one time go in the order events were set
    int flow = -1;
    Kind kind = Kind::finish;
  };

  bool empty() const { return heap_.empty(); }
  const Entry& top() const { return heap_.front(); }
  // Sets the flow's pending event, replacing the one it had.
  void set(int flow, double time, Kind kind);
  void pop();

 private:
  static bool before(const Entry& a, const Entry& b) { return a.time != b.time ? a.time < b.time : a.seq < b.seq; }
  void placed(const Entry& e, std::size_t i) { slot_[static_cast<std::size_t>(e.flow)] = static_cast<int>(i); }
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);

  std::vector<Entry> heap_;
  std::vector<int> slot_;  // per flow: its position in heap_, -1 when it has no pending event
  uint64_t seq_ = 0;
};

}  // namespace xpusim

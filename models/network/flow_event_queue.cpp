#include "models/network/flow_event_queue.hpp"

namespace xpusim {

void FlowEventQueue::place(std::size_t i, const Entry& e) {
  heap_[i] = e;
  slot_[static_cast<std::size_t>(e.flow)] = static_cast<int>(i);
}

void FlowEventQueue::sift_up(std::size_t i) {
  const Entry e = heap_[i];
  while (i > 0 && before(e, heap_[(i - 1) / 2])) {
    place(i, heap_[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  place(i, e);
}

void FlowEventQueue::sift_down(std::size_t i) {
  const Entry e = heap_[i];
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= heap_.size()) break;
    if (child + 1 < heap_.size() && before(heap_[child + 1], heap_[child])) ++child;
    if (!before(heap_[child], e)) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, e);
}

void FlowEventQueue::set(int flow, double time, Kind kind) {
  const auto f = static_cast<std::size_t>(flow);
  if (f >= slot_.size()) slot_.resize(f + 1, -1);
  const Entry e{time, seq_++, flow, kind};
  if (slot_[f] < 0) {
    heap_.push_back(e);
    sift_up(heap_.size() - 1);
    return;
  }
  const auto i = static_cast<std::size_t>(slot_[f]);
  const bool earlier = before(e, heap_[i]);
  heap_[i] = e;
  if (earlier) sift_up(i);
  else sift_down(i);
}

void FlowEventQueue::pop() {
  slot_[static_cast<std::size_t>(heap_.front().flow)] = -1;
  const Entry last = heap_.back();
  heap_.pop_back();
  if (heap_.empty()) return;
  place(0, last);
  sift_down(0);
}

}  // namespace xpusim

#include "models/network/flow_event_queue.hpp"

#include "models/network/indexed_heap.hpp"

namespace xpusim {

void FlowEventQueue::sift_up(std::size_t i) {
  indexed_heap::sift_up(heap_, i, before, [this](const Entry& e, std::size_t at) { placed(e, at); });
}

void FlowEventQueue::sift_down(std::size_t i) {
  indexed_heap::sift_down(heap_, i, before, [this](const Entry& e, std::size_t at) { placed(e, at); });
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
  heap_[0] = last;
  sift_down(0);
}

}  // namespace xpusim

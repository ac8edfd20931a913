#pragma once
// Sifts of a binary min-heap whose entries know where they are: `before(a, b)` orders entries and
// `placed(entry, index)` is told every position an entry moves to, so that its owner can find it
// again (to re-key or remove it in O(log n)). The flow network keeps its flows by next event time
// this way.
#include <cstddef>
#include <vector>

namespace xpusim::indexed_heap {

template <class T, class Before, class Placed>
void sift_up(std::vector<T>& heap, std::size_t i, Before before, Placed placed) {
  const T e = heap[i];
  while (i > 0 && before(e, heap[(i - 1) / 2])) {
    heap[i] = heap[(i - 1) / 2];
    placed(heap[i], i);
    i = (i - 1) / 2;
  }
  heap[i] = e;
  placed(heap[i], i);
}

template <class T, class Before, class Placed>
void sift_down(std::vector<T>& heap, std::size_t i, Before before, Placed placed) {
  const T e = heap[i];
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= heap.size()) break;
    if (child + 1 < heap.size() && before(heap[child + 1], heap[child])) ++child;
    if (!before(heap[child], e)) break;
    heap[i] = heap[child];
    placed(heap[i], i);
    i = child;
  }
  heap[i] = e;
  placed(heap[i], i);
}

}  // namespace xpusim::indexed_heap

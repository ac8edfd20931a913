#pragma once
// How many rings a collective can run at once over a mesh of point-to-point links between devices
// (the NVLink hybrid cube mesh of DGX-1): NCCL builds rings through every device, each hop over one
// link in one direction, and runs one channel per ring; links are full duplex, so a link carries
// one ring each way. With every GPU of a DGX-1 V100 that is six rings (NVIDIA: the mesh is "three
// interwoven rings of single NVLink connections", each run both ways), each GPU sending over all
// six of its links; with fewer GPUs, only the links among them count, and GPUs 0 and 1 share one.
#include <numeric>
#include <vector>

namespace xpusim {

// links[a][b]: links between devices a and b (symmetric, 0 on the diagonal). The most directed
// rings through `devices` (distinct indices into links, any order) that fit together, each hop on
// a link of its own in that direction; 0 when those devices form no ring of links (a device linked
// to only one other of them).
// Exhaustive for meshes of a few links per pair (every ring is enumerated, every packing tried);
// with many links per pair it keeps the best found within a fixed budget of a few ms (a lower
// bound). Meant for one server's devices, at most kMaxMeshDevices.
int nvlink_rings(const std::vector<std::vector<int>>& links, const std::vector<int>& devices);

// Devices first .. first+count-1.
inline std::vector<int> device_range(int count, int first = 0) {
  std::vector<int> out(static_cast<std::size_t>(count > 0 ? count : 0));
  std::iota(out.begin(), out.end(), first);
  return out;
}

inline constexpr int kMaxMeshDevices = 8;

}  // namespace xpusim

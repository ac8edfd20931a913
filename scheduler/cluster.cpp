#include "scheduler/cluster.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace xpusim::sched {

int64_t Node::free_gpu_milli() const {
  int64_t g = 0;
  for (int f : gpu_free) g += f;
  return g;
}

int Node::fully_free_gpus() const {
  return static_cast<int>(std::count(gpu_free.begin(), gpu_free.end(), kMilliPerGpu));
}

Cluster::Cluster(const std::vector<NodeSpec>& specs) {
  for (const auto& s : specs) {
    Node n;
    n.name = s.name;
    n.network = s.network;
    n.cpu_capacity = n.cpu_free = s.cpu_milli;
    n.memory_capacity = n.memory_free = s.memory_mib;
    if (s.gpu_count > 64) throw std::invalid_argument("node " + s.name + " has more than 64 GPUs");
    n.gpu_free.assign(static_cast<std::size_t>(s.gpu_count), kMilliPerGpu);
    if (s.gpu_count > 0) {
      auto it = std::find(models_.begin(), models_.end(), s.gpu_model);
      if (it == models_.end()) {
        if (models_.size() == 64) throw std::invalid_argument("more than 64 GPU models in one cluster");
        models_.push_back(s.gpu_model);
        it = models_.end() - 1;
      }
      n.model = static_cast<int>(it - models_.begin());
    }
    gpu_capacity_ += int64_t{s.gpu_count} * kMilliPerGpu;
    cpu_capacity_ += s.cpu_milli;
    nodes_.push_back(std::move(n));
  }
  nodes_by_free_gpus_.assign(models_.size(), std::vector<int>(65, 0));
  gpus_by_free_milli_.assign(models_.size(), std::vector<int>(kMilliPerGpu + 1, 0));
  for (const auto& n : nodes_) index_node(n, +1);
}

void Cluster::index_node(const Node& n, int sign) {
  if (n.model < 0) return;
  const auto m = static_cast<std::size_t>(n.model);
  nodes_by_free_gpus_[m][static_cast<std::size_t>(n.fully_free_gpus())] += sign;
  for (int f : n.gpu_free) gpus_by_free_milli_[m][static_cast<std::size_t>(f)] += sign;
}

bool Cluster::may_fit(const Request& r) const {
  if (r.cpu_only()) return true;
  for (std::size_t m = 0; m < models_.size(); ++m) {
    if (!(r.model_mask >> m & 1)) continue;
    if (r.shares_gpu()) {
      const auto& hist = gpus_by_free_milli_[m];
      for (std::size_t v = static_cast<std::size_t>(r.gpu_milli); v < hist.size(); ++v)
        if (hist[v] > 0) return true;
    } else if (r.gpu_milli == kMilliPerGpu) {
      const auto& by_free = nodes_by_free_gpus_[m];
      for (std::size_t f = static_cast<std::size_t>(r.num_gpu); f < by_free.size(); ++f)
        if (by_free[f] > 0) return true;
    } else {
      return true;  // several partial GPUs: no index, let the scan decide
    }
  }
  return false;
}

Request Cluster::request_for(const PodSpec& pod) const {
  Request r;
  r.cpu_milli = pod.cpu_milli;
  r.memory_mib = pod.memory_mib;
  r.num_gpu = pod.num_gpu;
  r.gpu_milli = pod.num_gpu > 0 ? pod.gpu_milli : 0;
  if (!pod.gpu_spec.empty()) {
    r.model_mask = 0;
    std::size_t start = 0;
    while (start <= pod.gpu_spec.size()) {
      std::size_t bar = pod.gpu_spec.find('|', start);
      if (bar == std::string::npos) bar = pod.gpu_spec.size();
      const std::string token = pod.gpu_spec.substr(start, bar - start);
      for (std::size_t i = 0; i < models_.size(); ++i)
        if (models_[i] == token) r.model_mask |= uint64_t{1} << i;
      start = bar + 1;
    }
  }
  return r;
}

bool Cluster::fits(const Node& n, const Request& r) {
  if (n.cpu_free < r.cpu_milli || n.memory_free < r.memory_mib) return false;
  if (r.cpu_only()) return true;
  if (!model_accepts(n, r)) return false;
  int enough = 0;
  for (int f : n.gpu_free) enough += f >= r.gpu_milli;
  return enough >= r.num_gpu;
}

void Cluster::allocate(const Placement& p, const Request& r) {
  Node& n = nodes_.at(static_cast<std::size_t>(p.node));
  if (static_cast<int>(p.gpus.size()) != r.num_gpu)
    throw std::logic_error(fmt::format("placement on {} holds {} GPUs, request asks {}", n.name, p.gpus.size(), r.num_gpu));
  if (n.cpu_free < r.cpu_milli || n.memory_free < r.memory_mib)
    throw std::logic_error(fmt::format("over-allocation of CPU or memory on node {}", n.name));
  for (std::size_t a = 0; a < p.gpus.size(); ++a) {
    const int g = p.gpus[a];
    if (g < 0 || g >= n.gpu_count() || n.gpu_free[static_cast<std::size_t>(g)] < r.gpu_milli)
      throw std::logic_error(fmt::format("over-allocation of GPU {} on node {}", g, n.name));
    for (std::size_t b = 0; b < a; ++b)
      if (p.gpus[b] == g) throw std::logic_error(fmt::format("GPU {} on node {} given twice", g, n.name));
  }
  index_node(n, -1);
  n.cpu_free -= r.cpu_milli;
  n.memory_free -= r.memory_mib;
  for (int g : p.gpus) n.gpu_free[static_cast<std::size_t>(g)] -= r.gpu_milli;
  index_node(n, +1);
  cpu_used_ += r.cpu_milli;
  gpu_used_ += r.total_gpu_milli();
  if (r.tag() >= 0) {
    auto it = std::find_if(n.tags.begin(), n.tags.end(), [&](auto& t) { return t.first == r.tag(); });
    if (it == n.tags.end()) n.tags.emplace_back(r.tag(), 1);
    else ++it->second;
  }
}

void Cluster::release(const Placement& p, const Request& r) {
  Node& n = nodes_.at(static_cast<std::size_t>(p.node));
  if (n.cpu_free + r.cpu_milli > n.cpu_capacity || n.memory_free + r.memory_mib > n.memory_capacity)
    throw std::logic_error(fmt::format("release of CPU or memory not held on node {}", n.name));
  for (int g : p.gpus)
    if (g < 0 || g >= n.gpu_count() || n.gpu_free[static_cast<std::size_t>(g)] + r.gpu_milli > kMilliPerGpu)
      throw std::logic_error(fmt::format("release of GPU {} share not held on node {}", g, n.name));
  index_node(n, -1);
  n.cpu_free += r.cpu_milli;
  n.memory_free += r.memory_mib;
  for (int g : p.gpus) n.gpu_free[static_cast<std::size_t>(g)] += r.gpu_milli;
  index_node(n, +1);
  cpu_used_ -= r.cpu_milli;
  gpu_used_ -= r.total_gpu_milli();
  if (r.tag() >= 0) {
    auto it = std::find_if(n.tags.begin(), n.tags.end(), [&](auto& t) { return t.first == r.tag(); });
    if (it == n.tags.end()) throw std::logic_error("release of a pod the node does not hold: " + n.name);
    if (--it->second == 0) n.tags.erase(it);
  }
}

void Cluster::audit() const {
  int64_t gpu_used = 0, cpu_used = 0;
  for (const auto& n : nodes_) {
    if (n.cpu_free < 0 || n.cpu_free > n.cpu_capacity || n.memory_free < 0 || n.memory_free > n.memory_capacity)
      throw std::logic_error("CPU or memory out of bounds on node " + n.name);
    for (int f : n.gpu_free)
      if (f < 0 || f > kMilliPerGpu) throw std::logic_error("GPU share out of bounds on node " + n.name);
    gpu_used += int64_t{n.gpu_count()} * kMilliPerGpu - n.free_gpu_milli();
    cpu_used += n.cpu_capacity - n.cpu_free;
  }
  if (gpu_used != gpu_used_ || cpu_used != cpu_used_)
    throw std::logic_error("cluster totals disagree with the nodes");
}

}  // namespace xpusim::sched

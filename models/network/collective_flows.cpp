#include "models/network/collective_flows.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

namespace xpusim {

namespace {

TransferPlan ring(int n, double bytes, int steps) {
  // Transfer s*n + r: rank r's step-s send to the next rank. It needs the rank's own step s-1
  // send done (one transfer at a time on its link) and step s-1 received from the previous rank.
  TransferPlan plan;
  plan.reserve(static_cast<std::size_t>(steps * n));
  for (int s = 0; s < steps; ++s)
    for (int r = 0; r < n; ++r) {
      Transfer t{r, (r + 1) % n, bytes / n, {}};
      if (s > 0) t.after = {(s - 1) * n + r, (s - 1) * n + (r - 1 + n) % n};
      plan.push_back(std::move(t));
    }
  return plan;
}

TransferPlan direct(int n, double bytes) {
  TransferPlan plan;
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      if (a != b) plan.push_back({a, b, bytes / n, {}});
  return plan;
}

// Pipelined chunk count: enough to overlap the hops, few enough to keep the flow count bounded
// (NCCL likewise caps its steps per operation).
int chunk_count(double bytes, double chunk_bytes) {
  return static_cast<int>(std::clamp(std::ceil(bytes / chunk_bytes), 1.0, 64.0));
}

TransferPlan double_binary_tree(int n, double bytes, double chunk_bytes) {
  const double half = bytes / 2;
  const int k = chunk_count(half, chunk_bytes);
  const int edges = n - 1;  // each tree: one up and one down transfer per non-root position
  // Position p of a heap-shaped binary tree (parent (p-1)/2); tree 1 holds the ranks in reverse.
  auto rank_at = [n](int tree, int p) { return tree == 0 ? p : n - 1 - p; };
  auto base = [&](int tree, int c) { return (tree * k + c) * 2 * edges; };
  auto up = [&](int tree, int c, int p) { return base(tree, c) + p - 1; };
  auto down = [&](int tree, int c, int p) { return base(tree, c) + edges + p - 1; };
  TransferPlan plan(static_cast<std::size_t>(2 * k * 2 * edges));
  for (int tree = 0; tree < 2; ++tree)
    for (int c = 0; c < k; ++c)
      for (int p = 1; p < n; ++p) {
        const int parent = (p - 1) / 2;
        Transfer& u = plan[static_cast<std::size_t>(up(tree, c, p))];
        u = {rank_at(tree, p), rank_at(tree, parent), half / k, {}};
        for (int child : {2 * p + 1, 2 * p + 2})
          if (child < n) u.after.push_back(up(tree, c, child));
        if (c > 0) u.after.push_back(up(tree, c - 1, p));
        Transfer& d = plan[static_cast<std::size_t>(down(tree, c, p))];
        d = {rank_at(tree, parent), rank_at(tree, p), half / k, {}};
        if (parent == 0) {
          for (int child : {1, 2})  // the root has the whole chunk once its children's arrived
            if (child < n) d.after.push_back(up(tree, c, child));
        } else {
          d.after.push_back(down(tree, c, parent));
        }
        if (c > 0) d.after.push_back(down(tree, c - 1, p));
      }
  return plan;
}

TransferPlan chain_broadcast(int n, double bytes, double chunk_bytes) {
  const int k = chunk_count(bytes, chunk_bytes);
  TransferPlan plan;
  for (int c = 0; c < k; ++c)
    for (int i = 0; i + 1 < n; ++i) {
      Transfer t{i, i + 1, bytes / k, {}};
      if (i > 0) t.after.push_back(c * (n - 1) + i - 1);
      if (c > 0) t.after.push_back((c - 1) * (n - 1) + i);
      plan.push_back(std::move(t));
    }
  return plan;
}

}  // namespace

const char* collective_name(CollectiveAlgorithm c) {
  switch (c) {
    case CollectiveAlgorithm::ring_reduce_scatter: return "ring reduce-scatter";
    case CollectiveAlgorithm::ring_all_gather: return "ring all-gather";
    case CollectiveAlgorithm::ring_all_reduce: return "ring all-reduce";
    case CollectiveAlgorithm::tree_all_reduce: return "tree all-reduce";
    case CollectiveAlgorithm::direct_reduce_scatter: return "direct reduce-scatter";
    case CollectiveAlgorithm::direct_all_gather: return "direct all-gather";
    case CollectiveAlgorithm::all_to_all: return "all-to-all";
    case CollectiveAlgorithm::broadcast: return "broadcast";
  }
  return "?";
}

TransferPlan collective_plan(CollectiveAlgorithm c, int n, double bytes, double chunk_bytes) {
  if (n < 2) throw std::invalid_argument("a collective needs >= 2 ranks");
  if (!(bytes >= 0) || !(chunk_bytes > 0)) throw std::invalid_argument("collective sizes must be positive");
  switch (c) {
    case CollectiveAlgorithm::ring_reduce_scatter:
    case CollectiveAlgorithm::ring_all_gather: return ring(n, bytes, n - 1);
    case CollectiveAlgorithm::ring_all_reduce: return ring(n, bytes, 2 * (n - 1));
    case CollectiveAlgorithm::tree_all_reduce: return double_binary_tree(n, bytes, chunk_bytes);
    case CollectiveAlgorithm::direct_reduce_scatter:
    case CollectiveAlgorithm::direct_all_gather:
    case CollectiveAlgorithm::all_to_all: return direct(n, bytes);
    case CollectiveAlgorithm::broadcast: return chain_broadcast(n, bytes, chunk_bytes);
  }
  throw std::invalid_argument("unknown collective");
}

TransferPlan ring_streams(int n, double bytes) {
  if (n < 2) throw std::invalid_argument("a collective needs >= 2 ranks");
  TransferPlan plan;
  for (int r = 0; r < n; ++r) plan.push_back({r, (r + 1) % n, bytes, {}});
  return plan;
}

int nccl_tree_parent(int tree, int n, int rank) {
  // NCCL's btree (src/graph/trees.cc, ncclGetBtree): rank 0 is the root; a rank's parent flips its
  // lowest set bit and sets the next one, or only flips it when that is out of range.
  auto btree_parent = [n](int r) {
    if (r == 0) return -1;
    int bit = 1;
    while (bit < n && !(bit & r)) bit <<= 1;
    const int up = (r ^ bit) | (bit << 1);
    return up >= n ? r ^ bit : up;
  };
  if (tree == 0) return btree_parent(rank);
  // ncclGetDtree: the second tree mirrors the first for an even count, shifts it by one for an odd.
  if (n % 2 == 0) {
    const int up = btree_parent(n - 1 - rank);
    return up < 0 ? -1 : n - 1 - up;
  }
  const int up = btree_parent((rank - 1 + n) % n);
  return up < 0 ? -1 : (up + 1) % n;
}

int nccl_tree_depth(int n) {
  int depth = 0;
  for (int tree = 0; tree < 2; ++tree)
    for (int r = 0; r < n; ++r) {
      int hops = 0;
      for (int at = r; nccl_tree_parent(tree, n, at) >= 0; at = nccl_tree_parent(tree, n, at)) ++hops;
      depth = std::max(depth, hops);
    }
  return depth;
}

TransferPlan nccl_tree_streams(int servers, int devices, double bytes) {
  if (servers < 1 || devices < 1 || servers * devices < 2) throw std::invalid_argument("a collective needs >= 2 ranks");
  const double half = bytes / 2;
  const int d = devices;
  TransferPlan plan;
  for (int tree = 0; tree < 2; ++tree) {
    // The second tree's chains run the other way, so that another GPU is the head that talks to
    // the network.
    auto gpu = [&](int server, int chain_position) { return server * d + (tree == 0 ? chain_position : d - 1 - chain_position); };
    for (int server = 0; server < servers; ++server) {
      for (int j = 1; j < d; ++j) {
        plan.push_back({gpu(server, j), gpu(server, j - 1), half, {}});  // reduced up the chain
        plan.push_back({gpu(server, j - 1), gpu(server, j), half, {}});  // broadcast down it
      }
      if (const int parent = nccl_tree_parent(tree, servers, server); parent >= 0) {
        plan.push_back({gpu(server, 0), gpu(parent, 0), half, {}});
        plan.push_back({gpu(parent, 0), gpu(server, 0), half, {}});
      }
    }
  }
  return plan;
}

TransferPlan all_to_all_streams(int servers, int devices, double bytes) {
  if (servers < 1 || devices < 1 || servers * devices < 2) throw std::invalid_argument("a collective needs >= 2 ranks");
  const int d = devices;
  const double piece = bytes / (servers * d);
  TransferPlan plan;
  plan.reserve(static_cast<std::size_t>(servers) * d * (d + servers - 2));
  for (int s = 0; s < servers; ++s)
    for (int i = 0; i < d; ++i) {
      for (int j = 0; j < d; ++j)
        if (j != i) plan.push_back({s * d + i, s * d + j, piece, {}});
      for (int t = 0; t < servers; ++t)
        if (t != s) plan.push_back({s * d + i, t * d + i, d * piece, {}});
    }
  return plan;
}

TransferPlan repeat_plan(const TransferPlan& plan, int copies) {
  TransferPlan out;
  out.reserve(plan.size() * static_cast<std::size_t>(std::max(copies, 0)));
  const int size = static_cast<int>(plan.size());
  for (int k = 0; k < copies; ++k)
    for (Transfer t : plan) {
      for (int& a : t.after) a += k * size;
      out.push_back(std::move(t));
    }
  return out;
}

PlanProgress::PlanProgress(const TransferPlan& plan, std::size_t ranks)
    : waiting_(plan.size(), 0), dependents_(plan.size()) {
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const Transfer& t = plan[i];
    if (t.from < 0 || t.to < 0 || static_cast<std::size_t>(std::max(t.from, t.to)) >= ranks)
      throw std::invalid_argument("a transfer names a rank the collective does not have");
    waiting_[i] = static_cast<int>(t.after.size());
    for (int a : t.after) {
      if (a < 0 || static_cast<std::size_t>(a) >= plan.size())
        throw std::invalid_argument("a transfer waits on one the plan does not have");
      dependents_[static_cast<std::size_t>(a)].push_back(static_cast<int>(i));
    }
  }
}

std::vector<int> PlanProgress::initial() const {
  std::vector<int> ready;
  for (std::size_t i = 0; i < waiting_.size(); ++i)
    if (waiting_[i] == 0) ready.push_back(static_cast<int>(i));
  return ready;
}

std::vector<int> PlanProgress::finish(int i) {
  ++finished_;
  std::vector<int> ready;
  for (int d : dependents_[static_cast<std::size_t>(i)])
    if (--waiting_[static_cast<std::size_t>(d)] == 0) ready.push_back(d);
  return ready;
}

double run_plan(FlowNetwork& net, const TransferPlan& plan, const std::vector<int>& ranks,
                const ProtocolProfile& protocol, double start_s) {
  PlanProgress progress(plan, ranks.size());
  std::unordered_map<int, int> transfer_of;  // flow id -> transfer
  auto launch = [&](int i, double now) {
    const Transfer& t = plan[static_cast<std::size_t>(i)];
    const int flow = net.start(now, ranks[static_cast<std::size_t>(t.from)], ranks[static_cast<std::size_t>(t.to)],
                               t.bytes, protocol, static_cast<uint64_t>(i));
    transfer_of[flow] = i;
  };
  for (int i : progress.initial()) launch(i, start_s);
  double end = start_s;
  while (!progress.done()) {
    if (!std::isfinite(net.next_event_time())) throw std::logic_error("a collective's transfers wait on each other");
    for (int f : net.step()) {
      auto it = transfer_of.find(f);
      if (it == transfer_of.end()) continue;  // someone else's flow
      const int i = it->second;
      transfer_of.erase(it);
      end = net.now();
      for (int d : progress.finish(i)) launch(d, end);
    }
  }
  return end - start_s;
}

}  // namespace xpusim

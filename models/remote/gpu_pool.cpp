#include "models/remote/gpu_pool.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <list>
#include <map>
#include <numeric>
#include <optional>
#include <queue>
#include <stdexcept>
#include <unordered_map>

#include "models/network/collective_flows.hpp"

namespace xpusim {

RemotingCosts RemotingCosts::local() {
  RemotingCosts c;
  c.request_bytes = 64;  // the launch's arguments still cross PCIe
  c.response_bytes = 0;
  c.client_call_s = 0;
  c.server_call_s = 0;
  c.launch_window = 1024;
  return c;
}

double TenantResult::seconds_per_iteration() const {
  const auto n = iteration_end_s.size();
  if (n == 0) return 0;
  if (n == 1) return iteration_end_s[0];
  return (iteration_end_s[n - 1] - iteration_end_s[0]) / static_cast<double>(n - 1);
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Sets of GPUs a placement compares by all-reduce time at most (70 is 4 of 8).
constexpr int kMaxSetsTried = 256;

class PoolSim {
 public:
  PoolSim(FlowNetwork& net, const std::vector<TenantJob>& jobs, const std::vector<PoolGpu>& gpus,
          const SharingPolicy& sharing, PoolPlacement placement)
      : net_(net), jobs_(jobs), pool_(gpus), sharing_(sharing), placement_(placement), tenants_(jobs.size()),
        gpus_(gpus.size()) {
    for (const auto& j : jobs) {
      if (j.gpu < -1 || (j.gpu >= 0 && static_cast<std::size_t>(j.gpu) >= gpus.size()))
        throw std::invalid_argument("tenant \"" + j.name + "\" names a GPU the pool does not have");
      if (!j.protocol) throw std::invalid_argument("tenant \"" + j.name + "\" has no protocol");
      if (j.iterations < 1 || j.kernel_s.empty()) throw std::invalid_argument("tenant \"" + j.name + "\" runs no kernel");
      if (!(j.fraction > 0 && j.fraction <= 1))
        throw std::invalid_argument("tenant \"" + j.name + "\" holds a fraction outside (0, 1]");
      if (j.gpu == -1 && gpus.empty()) throw std::invalid_argument("tenant \"" + j.name + "\" has no GPU to go to");
      check_all_reduces(j);
    }
    for (std::size_t t = 0; t < jobs.size(); ++t)
      if (jobs[t].group >= 0) groups_[jobs[t].group].push_back(static_cast<int>(t));
    for (const auto& [group, members] : groups_) check_replicas(members);
    result_.tenants.resize(jobs.size());
  }

  PoolResult run() {
    // A job arrives once: by itself, or its first replica for all of them.
    for (std::size_t t = 0; t < jobs_.size(); ++t)
      if (jobs_[t].group < 0 || replicas(static_cast<int>(t)).front() == static_cast<int>(t))
        at(jobs_[t].submit_s, [this, t] { arrive(static_cast<int>(t)); });
    for (;;) {
      const double ta = agenda_.empty() ? kInf : agenda_.top().time, tn = net_.next_event_time();
      if (ta == kInf && tn == kInf) break;
      if (tn <= ta) {
        const std::vector<int> ended = net_.step();
        now_ = net_.now();
        for (int f : ended) {
          auto it = on_arrival_.find(f);
          auto handler = std::move(it->second);
          on_arrival_.erase(it);
          handler();
          net_.release(f);
        }
      } else {
        Action a = agenda_.top();
        agenda_.pop();
        now_ = a.time;
        a.run();
      }
    }
    for (std::size_t t = 0; t < jobs_.size(); ++t)
      if (static_cast<int>(result_.tenants[t].iteration_end_s.size()) != jobs_[t].iterations)
        throw std::logic_error("tenant \"" + jobs_[t].name + "\" did not finish");
    for (const auto& g : gpus_) result_.gpu_busy_s.push_back(g.busy_s);
    result_.makespan_s = now_;
    result_.network = net_.stats();
    return std::move(result_);
  }

 private:
  struct Action {
    double time;
    uint64_t seq;
    std::function<void()> run;
  };
  struct Later {
    bool operator()(const Action& a, const Action& b) const { return a.time != b.time ? a.time > b.time : a.seq > b.seq; }
  };
  struct Tenant {
    int next_launch = 0, outstanding = 0, done = 0;
    double next_issue_s = 0;
    bool blocked = false, copy_back_waiting = false;
    std::deque<int> queue;  // kernels the server has launched, not yet started on the GPU
    bool running = false;
    // Gradient buckets this iteration has completed; whether its all-reduces are all done; whether
    // its optimizer waits for them.
    std::size_t buckets_ready = 0;
    bool all_reduced = false, waiting_for_all_reduce = false;
    int kernel = 0;                  // the running one
    double remaining = 0, rate = 1;  // its solo seconds left, its rate now
  };
  struct AllReduceStream {  // one job's replicas all-reduce on it
    std::size_t started = 0, done = 0;
    bool busy = false;
    double iteration_start_s = -1;  // its first kernel's start on the first replica (-1: not yet)
    TransferPlan plan;              // the running all-reduce's flows, where it is made of flows
    std::optional<PlanProgress> progress;
  };
  struct Gpu {
    std::vector<int> running;  // tenants with a kernel on the GPU
    double used = 0;           // memory fractions held
    double last_s = 0, busy_s = 0;
    uint64_t version = 0;
  };

  void at(double time, std::function<void()> run) { agenda_.push({time, seq_++, std::move(run)}); }

  // The tenants of t's job: its replicas, or t alone.
  std::vector<int> replicas(int t) const {
    const int group = jobs_[static_cast<std::size_t>(t)].group;
    return group < 0 ? std::vector<int>{t} : groups_.at(group);
  }

  // All-reduces in kernel order, each after a kernel and all before the optimizer that waits.
  static void check_all_reduces(const TenantJob& j) {
    if (j.all_reduces.empty()) return;
    const int kernels = static_cast<int>(j.kernel_s.size());
    int last = 0;
    for (const auto& a : j.all_reduces) {
      if (a.after_kernel < last || !(a.seconds >= 0) || !(a.bytes >= 0))
        throw std::invalid_argument("tenant \"" + j.name + "\" has its all-reduces out of order");
      last = a.after_kernel;
    }
    if (j.group < 0 || j.update_kernel <= last || j.update_kernel >= kernels)
      throw std::invalid_argument("tenant \"" + j.name + "\" all-reduces with no replicas, or no optimizer after");
    if (!(j.all_reduce_cycle_s >= 0 && j.all_reduce_cycle_s < kInf))
      throw std::invalid_argument("tenant \"" + j.name + "\" has an all-reduce cycle that is not a time");
  }

  void check_replicas(const std::vector<int>& members) const {
    const TenantJob& first = jobs_[static_cast<std::size_t>(members.front())];
    std::vector<int> placed;
    for (int t : members) {
      const TenantJob& j = jobs_[static_cast<std::size_t>(t)];
      if ((j.gpu >= 0) != (first.gpu >= 0) || j.submit_s != first.submit_s)
        throw std::invalid_argument("replicas of \"" + first.name + "\" are not placed alike");
      if (j.all_reduces.size() != first.all_reduces.size() || j.update_kernel != first.update_kernel ||
          j.all_reduce_cycle_s != first.all_reduce_cycle_s || j.all_reduce_protocol != first.all_reduce_protocol)
        throw std::invalid_argument("replicas of \"" + first.name + "\" all-reduce differently");
      if (j.gpu >= 0) placed.push_back(j.gpu);
    }
    for (int g : placed)
      if (pool_[static_cast<std::size_t>(g)].server != pool_[static_cast<std::size_t>(placed.front())].server ||
          std::count(placed.begin(), placed.end(), g) > 1)
        throw std::invalid_argument("replicas of \"" + first.name + "\" need distinct GPUs of one server");
  }

  // A message from one host to another; `then` runs when its last byte arrives.
  void send(int from, int to, double bytes, const ProtocolProfile& protocol, std::function<void()> then) {
    on_arrival_[net_.start(now_, from, to, bytes, protocol, flow_hash_++)] = std::move(then);
  }
  void send(int from, int to, double bytes, const TenantJob& j, std::function<void()> then) {
    send(from, to, bytes, *j.protocol, std::move(then));
  }

  // --- placement: a job holds its memory fraction of one GPU from its start to its end ---

  void arrive(int t) {
    waiting_.push_back(t);
    place_waiting();
  }

  // The GPUs a job's replicas go to now (one each, in replica order), or none.
  std::vector<int> choose_gpus(const std::vector<int>& members) {
    const TenantJob& j = jobs_[static_cast<std::size_t>(members.front())];
    auto fits = [&](int g) { return gpus_[static_cast<std::size_t>(g)].used + j.fraction <= 1 + 1e-9; };
    if (j.gpu >= 0) {
      std::vector<int> named;
      for (int t : members) named.push_back(jobs_[static_cast<std::size_t>(t)].gpu);
      return std::all_of(named.begin(), named.end(), fits) ? named : std::vector<int>{};
    }
    // Pack: the fullest GPUs that fit; spread: the emptiest, then the least held PCIe switch;
    // near: the nearest server, then as pack; the lower index on a tie. Several replicas take the
    // best such GPUs of one server, the server whose choice is best overall.
    auto better = [&](double used, double than) {
      return placement_ == PoolPlacement::spread ? used < than - 1e-12 : used > than + 1e-12;
    };
    std::map<int, double> switch_used;  // memory held on each PCIe switch's GPUs
    if (placement_ == PoolPlacement::spread)
      for (std::size_t g = 0; g < gpus_.size(); ++g)
        if (pool_[g].pcie_switch >= 0) switch_used[pool_[g].pcie_switch] += gpus_[g].used;
    auto switch_load = [&](int g) {
      const int s = pool_[static_cast<std::size_t>(g)].pcie_switch;
      return s >= 0 ? switch_used[s] : 0.0;
    };
    auto before = [&](int a, int b) {
      const double ua = gpus_[static_cast<std::size_t>(a)].used, ub = gpus_[static_cast<std::size_t>(b)].used;
      if (better(ua, ub) || better(ub, ua)) return better(ua, ub);
      return switch_load(a) < switch_load(b) - 1e-12;
    };
    // Links from the client to a server's GPUs (the same for all of them); 0 unless near.
    auto distance = [&](int g) {
      return placement_ == PoolPlacement::near ? net_.router().hops(j.client_host, pool_[static_cast<std::size_t>(g)].host) : 0;
    };
    std::map<int, std::vector<int>> fitting;  // by server
    for (int g = 0; g < static_cast<int>(gpus_.size()); ++g)
      if (fits(g)) fitting[pool_[static_cast<std::size_t>(g)].server].push_back(g);
    std::vector<int> best;
    double best_used = 0, best_seconds = 0;
    int best_distance = 0;
    for (auto& [server, candidates] : fitting) {
      if (candidates.size() < members.size()) continue;
      std::stable_sort(candidates.begin(), candidates.end(), before);
      const auto [chosen, seconds] = fastest_alike(members.front(), candidates, members.size(), before);
      double used = 0;
      for (int g : chosen) used += gpus_[static_cast<std::size_t>(g)].used;
      const int d = distance(chosen.front());
      const bool alike = !better(used, best_used) && !better(best_used, used);
      if (best.empty() || d < best_distance ||
          (d == best_distance && (better(used, best_used) || (alike && seconds < best_seconds * (1 - 1e-9))))) {
        best = chosen;
        best_used = used;
        best_seconds = seconds;
        best_distance = d;
      }
    }
    return best;
  }

  // The `count` GPUs of one server to give t's job from `ranked` (best first by `before`): the
  // first ones, except that GPUs the policy rates alike with the last of those are swapped for the
  // set among them whose all-reduces take least time (the lower GPUs on a tie); with their total
  // all-reduce seconds (0 where the job's all-reduces do not depend on its GPUs).
  template <class Before>
  std::pair<std::vector<int>, double> fastest_alike(int t, const std::vector<int>& ranked, std::size_t count,
                                                    const Before& before) {
    std::vector<int> first(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(count));
    if (count < 2 || !jobs_[static_cast<std::size_t>(t)].all_reduce_seconds_on) return {first, 0.0};
    const int last = first.back();
    auto tied = [&](int g) { return !before(g, last) && !before(last, g); };
    const auto from = std::find_if(ranked.begin(), ranked.end(), tied);
    const auto to = std::find_if_not(from, ranked.end(), tied);
    const std::vector<int> sure(ranked.begin(), from), alike(from, to);
    const std::size_t pick = count - sure.size();
    std::vector<int> best = first;
    double best_seconds = all_reduce_seconds(t, first);
    // Sets of `pick` from `alike` in lexicographic order: the first of equal time is kept.
    std::vector<bool> in(alike.size(), false);
    std::fill(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(pick), true);
    int tried = 0;
    while (std::prev_permutation(in.begin(), in.end()) && ++tried < kMaxSetsTried) {
      std::vector<int> set = sure;
      for (std::size_t i = 0; i < alike.size(); ++i)
        if (in[i]) set.push_back(alike[i]);
      if (const double seconds = all_reduce_seconds(t, set); seconds < best_seconds * (1 - 1e-9)) {
        best = set;
        best_seconds = seconds;
      }
    }
    return {best, best_seconds};
  }

  // Each of t's all-reduces' seconds on `gpus`, remembered per job and set.
  const std::vector<double>& all_reduce_times(int t, const std::vector<int>& gpus) {
    const TenantJob& j = jobs_[static_cast<std::size_t>(t)];
    std::vector<int> indices;
    for (int g : gpus) indices.push_back(pool_[static_cast<std::size_t>(g)].index);
    std::sort(indices.begin(), indices.end());
    auto [it, fresh] = all_reduce_times_.try_emplace({j.group, indices});
    if (fresh) {
      it->second = j.all_reduce_seconds_on(indices);
      if (it->second.size() != j.all_reduces.size())
        throw std::invalid_argument("tenant \"" + j.name + "\" re-times a different number of all-reduces");
    }
    return it->second;
  }
  double all_reduce_seconds(int t, const std::vector<int>& gpus) {
    const std::vector<double>& times = all_reduce_times(t, gpus);
    return std::accumulate(times.begin(), times.end(), 0.0);
  }

  void place_waiting() {
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      const std::vector<int> members = replicas(*it);
      const std::vector<int> chosen = choose_gpus(members);
      if (chosen.empty()) {
        ++it;
        continue;
      }
      it = waiting_.erase(it);
      for (std::size_t r = 0; r < members.size(); ++r) {
        const int t = members[r], g = chosen[r];
        TenantJob& j = jobs_[static_cast<std::size_t>(t)];
        gpus_[static_cast<std::size_t>(g)].used += j.fraction;
        j.gpu = g;
        j.gpu_host = pool_[static_cast<std::size_t>(g)].host;
        result_.tenants[static_cast<std::size_t>(t)].gpu = g;
        result_.tenants[static_cast<std::size_t>(t)].start_s = now_;
        if (j.all_reduce_seconds_on) {
          const std::vector<double>& seconds = all_reduce_times(t, chosen);
          for (std::size_t a = 0; a < j.all_reduces.size(); ++a) j.all_reduces[a].seconds = seconds[a];
        }
      }
      for (int t : members) begin_iteration(t);
    }
  }

  // --- a tenant's iteration, as its client and the GPU server see it ---

  void begin_iteration(int t) {
    const TenantJob& j = jobs_[static_cast<std::size_t>(t)];
    Tenant& s = tenants_[static_cast<std::size_t>(t)];
    s.next_launch = 0;
    s.done = 0;
    result_.tenants[static_cast<std::size_t>(t)].kernel_end_s.assign(j.kernel_s.size(), 0.0);
    auto launches = [this, t] {
      tenants_[static_cast<std::size_t>(t)].next_issue_s = now_;
      issue_launch(t);
    };
    if (j.to_device_bytes <= 0) return launches();
    send(j.client_host, j.gpu_host, j.to_device_bytes + j.costs.request_bytes, j, [this, t, &j, launches] {
      at(now_ + j.costs.server_call_s, [this, t, &j, launches] {
        if (j.costs.response_bytes <= 0) return launches();
        send(j.gpu_host, j.client_host, j.costs.response_bytes, j, launches);
      });
    });
  }

  void issue_launch(int t) {
    const TenantJob& j = jobs_[static_cast<std::size_t>(t)];
    Tenant& s = tenants_[static_cast<std::size_t>(t)];
    const int kernel = s.next_launch++;
    ++s.outstanding;
    send(j.client_host, j.gpu_host, j.costs.request_bytes, j, [this, t, kernel, &j] {
      at(now_ + j.costs.server_call_s, [this, t, kernel, &j] {
        enqueue(t, kernel);
        if (j.costs.response_bytes <= 0) return on_ack(t);
        send(j.gpu_host, j.client_host, j.costs.response_bytes, j, [this, t] { on_ack(t); });
      });
    });
    s.next_issue_s = now_ + j.dispatch_s + j.costs.client_call_s;
    if (s.next_launch == static_cast<int>(j.kernel_s.size())) {
      at(s.next_issue_s, [this, t] { copy_back(t); });
    } else if (s.outstanding < j.costs.launch_window) {
      at(s.next_issue_s, [this, t] { issue_launch(t); });
    } else {
      s.blocked = true;
    }
  }

  void on_ack(int t) {
    Tenant& s = tenants_[static_cast<std::size_t>(t)];
    --s.outstanding;
    if (!s.blocked) return;
    s.blocked = false;
    at(std::max(now_, s.next_issue_s), [this, t] { issue_launch(t); });
  }

  // The copy of the outputs is also the iteration's synchronization: the server answers it once
  // the tenant's kernels have all run.
  void copy_back(int t) {
    const TenantJob& j = jobs_[static_cast<std::size_t>(t)];
    send(j.client_host, j.gpu_host, j.costs.request_bytes, j, [this, t, &j] {
      at(now_ + j.costs.server_call_s, [this, t] {
        tenants_[static_cast<std::size_t>(t)].copy_back_waiting = true;
        answer_copy_back(t);
      });
    });
  }

  void answer_copy_back(int t) {
    const TenantJob& j = jobs_[static_cast<std::size_t>(t)];
    Tenant& s = tenants_[static_cast<std::size_t>(t)];
    if (!s.copy_back_waiting || s.done < static_cast<int>(j.kernel_s.size())) return;
    s.copy_back_waiting = false;
    const double bytes = j.from_device_bytes + j.costs.response_bytes;
    if (bytes <= 0) return end_iteration(t);
    send(j.gpu_host, j.client_host, bytes, j, [this, t] { end_iteration(t); });
  }

  void end_iteration(int t) {
    auto& ends = result_.tenants[static_cast<std::size_t>(t)].iteration_end_s;
    ends.push_back(now_);
    const TenantJob& j = jobs_[static_cast<std::size_t>(t)];
    if (static_cast<int>(ends.size()) < j.iterations) return begin_iteration(t);
    gpus_[static_cast<std::size_t>(j.gpu)].used -= j.fraction;
    place_waiting();
  }

  // --- the GPU: one stream per tenant, tenants' kernels side by side ---

  void enqueue(int t, int kernel) {
    Tenant& s = tenants_[static_cast<std::size_t>(t)];
    s.queue.push_back(kernel);
    if (s.running) return;
    const int g = jobs_[static_cast<std::size_t>(t)].gpu;
    advance(g);
    start_or_wait(t);
    reschedule(g);
  }

  // Starts t's next kernel, unless it is the optimizer and the gradients are not all-reduced yet.
  void start_or_wait(int t) {
    Tenant& s = tenants_[static_cast<std::size_t>(t)];
    const TenantJob& j = jobs_[static_cast<std::size_t>(t)];
    if (j.all_reduces.empty() || s.queue.front() != j.update_kernel) return start_next(t);
    if (!s.all_reduced) {
      s.waiting_for_all_reduce = true;
      return;
    }
    s.all_reduced = false;
    start_next(t);
  }

  // --- the replicas' all-reduce stream: one bucket at a time, once every replica has it ---

  void bucket_ready(int t, int kernel) {
    const auto& all_reduces = jobs_[static_cast<std::size_t>(t)].all_reduces;
    Tenant& s = tenants_[static_cast<std::size_t>(t)];
    while (s.buckets_ready < all_reduces.size() && all_reduces[s.buckets_ready].after_kernel == kernel) {
      ++s.buckets_ready;
      start_all_reduce(jobs_[static_cast<std::size_t>(t)].group);
    }
  }

  void start_all_reduce(int group) {
    AllReduceStream& r = all_reduce_streams_[group];
    const std::vector<int>& members = groups_.at(group);
    const auto& all_reduces = jobs_[static_cast<std::size_t>(members.front())].all_reduces;
    if (r.busy || r.started == all_reduces.size()) return;
    for (int m : members)
      if (tenants_[static_cast<std::size_t>(m)].buckets_ready <= r.started) return;
    r.busy = true;
    const TenantJob& j = jobs_[static_cast<std::size_t>(members.front())];
    double start = now_;
    if (j.all_reduce_cycle_s > 0)
      start = r.iteration_start_s + std::ceil((now_ - r.iteration_start_s) / j.all_reduce_cycle_s) * j.all_reduce_cycle_s;
    const TenantJob::AllReduce& a = all_reduces[r.started++];
    if (!j.all_reduce_protocol) return at(start + a.seconds, [this, group] { end_all_reduce(group); });
    at(start, [this, group, bytes = a.bytes] { start_all_reduce_flows(group, bytes); });
  }

  // A ring all-reduce among the replicas' GPUs, transfer by transfer as the plan allows.
  void start_all_reduce_flows(int group, double bytes) {
    AllReduceStream& r = all_reduce_streams_[group];
    const int n = static_cast<int>(groups_.at(group).size());
    r.plan = collective_plan(CollectiveAlgorithm::ring_all_reduce, n, bytes);
    r.progress.emplace(r.plan, static_cast<std::size_t>(n));
    if (r.progress->done()) return end_all_reduce(group);  // nothing to send
    for (int i : r.progress->initial()) send_transfer(group, i);
  }

  void send_transfer(int group, int i) {
    const AllReduceStream& r = all_reduce_streams_[group];
    const std::vector<int>& members = groups_.at(group);
    const Transfer& t = r.plan[static_cast<std::size_t>(i)];
    const TenantJob& from = jobs_[static_cast<std::size_t>(members[static_cast<std::size_t>(t.from)])];
    const TenantJob& to = jobs_[static_cast<std::size_t>(members[static_cast<std::size_t>(t.to)])];
    send(from.gpu_host, to.gpu_host, t.bytes, *from.all_reduce_protocol, [this, group, i] {
      AllReduceStream& s = all_reduce_streams_[group];
      for (int next : s.progress->finish(i)) send_transfer(group, next);
      if (s.progress->done()) end_all_reduce(group);
    });
  }

  void end_all_reduce(int group) {
    AllReduceStream& r = all_reduce_streams_[group];
    const std::vector<int>& members = groups_.at(group);
    r.busy = false;
    if (++r.done < jobs_[static_cast<std::size_t>(members.front())].all_reduces.size()) return start_all_reduce(group);
    // The iteration's gradients are all-reduced: every replica's optimizer may run.
    r = {};
    for (int m : members) {
      Tenant& s = tenants_[static_cast<std::size_t>(m)];
      s.buckets_ready = 0;
      s.all_reduced = true;
      if (!s.waiting_for_all_reduce) continue;
      s.waiting_for_all_reduce = false;
      const int g = jobs_[static_cast<std::size_t>(m)].gpu;
      advance(g);
      start_or_wait(m);
      reschedule(g);
    }
  }

  void start_next(int t) {
    const TenantJob& j = jobs_[static_cast<std::size_t>(t)];
    Tenant& s = tenants_[static_cast<std::size_t>(t)];
    const int kernel = s.queue.front();
    s.queue.pop_front();
    s.running = true;
    s.kernel = kernel;
    s.remaining = j.kernel_s[static_cast<std::size_t>(kernel)];
    if (kernel == 0 && !j.all_reduces.empty()) {
      AllReduceStream& r = all_reduce_streams_[j.group];
      if (r.iteration_start_s < 0) r.iteration_start_s = now_;
    }
    result_.tenants[static_cast<std::size_t>(t)].kernel_s += s.remaining;
    gpus_[static_cast<std::size_t>(j.gpu)].running.push_back(t);
  }

  void advance(int g) {
    Gpu& gpu = gpus_[static_cast<std::size_t>(g)];
    const double dt = now_ - gpu.last_s;
    if (!gpu.running.empty()) gpu.busy_s += dt;
    for (int t : gpu.running) {
      Tenant& s = tenants_[static_cast<std::size_t>(t)];
      s.remaining = std::max(0.0, s.remaining - s.rate * dt);
    }
    gpu.last_s = now_;
  }

  double pair_rate(int g, int a, int b) {
    const InterferenceFit& fit = *pool_[static_cast<std::size_t>(g)].fit;
    if (!sharing_.sampled) return fit.median();
    auto [it, fresh] = pair_rates_.try_emplace({a, b}, 0.0);
    if (fresh) it->second = draw_rate(fit, sharing_.seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(a) * 1000003u + static_cast<uint64_t>(b));
    return it->second;
  }

  void reschedule(int g) {
    Gpu& gpu = gpus_[static_cast<std::size_t>(g)];
    ++gpu.version;
    double first = kInf;
    for (int t : gpu.running) {
      std::vector<double> partners;
      for (int u : gpu.running)
        if (u != t) partners.push_back(pair_rate(g, t, u));
      Tenant& s = tenants_[static_cast<std::size_t>(t)];
      s.rate = rate_beside(partners);
      first = std::min(first, s.remaining / s.rate);
    }
    if (first < kInf) at(now_ + first, [this, g, v = gpu.version] { on_gpu_event(g, v); });
  }

  void on_gpu_event(int g, uint64_t version) {
    Gpu& gpu = gpus_[static_cast<std::size_t>(g)];
    if (version != gpu.version) return;  // the set of running kernels changed since
    advance(g);
    // Kernels whose remaining work rounds to nothing at this instant end together.
    std::vector<int> ended;
    for (int t : gpu.running) {
      const Tenant& s = tenants_[static_cast<std::size_t>(t)];
      if (s.remaining <= 1e-12 * std::max(1.0, now_)) ended.push_back(t);
    }
    if (ended.empty()) {  // rounding left a sliver: finish the nearest one
      auto nearest = std::min_element(gpu.running.begin(), gpu.running.end(), [this](int a, int b) {
        return tenants_[static_cast<std::size_t>(a)].remaining < tenants_[static_cast<std::size_t>(b)].remaining;
      });
      ended.push_back(*nearest);
    }
    for (int t : ended) {
      Tenant& s = tenants_[static_cast<std::size_t>(t)];
      gpu.running.erase(std::find(gpu.running.begin(), gpu.running.end(), t));
      s.running = false;
      ++s.done;
      result_.tenants[static_cast<std::size_t>(t)].kernel_end_s[static_cast<std::size_t>(s.kernel)] = now_;
      if (!jobs_[static_cast<std::size_t>(t)].all_reduces.empty()) bucket_ready(t, s.kernel);
      if (!s.queue.empty()) start_or_wait(t);
    }
    reschedule(g);
    for (int t : ended) answer_copy_back(t);
  }

  FlowNetwork& net_;
  std::vector<TenantJob> jobs_;  // a copy: placement fills in each job's GPU
  const std::vector<PoolGpu>& pool_;
  SharingPolicy sharing_;
  PoolPlacement placement_;
  std::list<int> waiting_;  // arrived, not yet placed, in arrival order
  std::vector<Tenant> tenants_;
  std::vector<Gpu> gpus_;
  std::priority_queue<Action, std::vector<Action>, Later> agenda_;
  std::unordered_map<int, std::function<void()>> on_arrival_;
  std::map<std::pair<int, int>, double> pair_rates_;
  std::map<int, std::vector<int>> groups_;  // replicas of each job, in tenant order
  std::map<int, AllReduceStream> all_reduce_streams_;  // by group
  std::map<std::pair<int, std::vector<int>>, std::vector<double>> all_reduce_times_;  // by group and GPU numbers
  PoolResult result_;
  double now_ = 0;
  uint64_t seq_ = 0, flow_hash_ = 0;
};

}  // namespace

PoolResult run_gpu_pool(FlowNetwork& net, const std::vector<TenantJob>& jobs, const std::vector<PoolGpu>& gpus,
                        const SharingPolicy& sharing, PoolPlacement placement) {
  return PoolSim(net, jobs, gpus, sharing, placement).run();
}

}  // namespace xpusim

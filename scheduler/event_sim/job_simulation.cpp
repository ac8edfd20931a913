#include "scheduler/event_sim/job_simulation.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <queue>
#include <set>
#include <stdexcept>
#include <tuple>

#include <fmt/format.h>

#include "scheduler/cluster.hpp"
#include "scheduler/fragmentation.hpp"
#include "scheduler/placement_policy.hpp"
#include "scheduler/replay/go_rand.hpp"
#include "sim/engine/input_error.hpp"
#include "sim/engine/rng.hpp"

namespace xpusim::sched {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Throughput each of n jobs sharing one GPU keeps, as a fraction of running alone. Pairs are
// measured; beyond two we assume the pair's total throughput (2 x factor) is shared evenly.
double sharing_factor(double pair_factor, int tenants) {
  if (tenants <= 1) return 1.0;
  return std::min(1.0, 2.0 * pair_factor / tenants);
}

enum class State { pending, waiting, running, done, unschedulable };

struct Job {
  const PodSpec* spec = nullptr;
  Request req;                   // the whole job's request
  std::vector<Request> workers;  // one per node it spans: a gang, placed all or nothing
  int shape = -1;
  double gpus = 0;            // GPUs held while running
  double work = 0;            // remaining work, in seconds on a GPU of relative throughput 1
  double predicted = 0;       // the duration the queue policy believes (= duration unless noisy)
  double attained_gpu_s = 0;  // service received (LAS)
  double run_start = 0, rate = 1;
  std::vector<Placement> placements;  // one per worker while running
  uint32_t generation = 0;  // bumped when the job stops, to void its pending events
  State state = State::pending;
  std::tuple<double, std::size_t> queued_at;  // (key, index) while waiting
};

// A timed event: a completion or a queue-key change of a running job.
struct Timed {
  double time;
  std::size_t job;
  uint32_t generation;
  bool completion;
  bool operator>(const Timed& o) const {
    return std::tie(time, job, completion) > std::tie(o.time, o.job, o.completion);
  }
};

class Simulation {
 public:
  Simulation(const std::vector<NodeSpec>& nodes, const std::vector<PodSpec>& pods, const JobSimConfig& config)
      : config_(config), cluster_(nodes), empty_(nodes), rng_(config.seed) {
    queue_ = make_queue_policy(config.queue, config.queue_options);
    ranks_ = rng_.perm(static_cast<int>(nodes.size()));  // tie-break rank per node
    workload_ = TargetWorkload::from_pods(pods, cluster_);
    PolicySetup setup{&rng_, &ranks_, &workload_, config.economics};
    placement_ = make_placement_policy(config.placement, setup);
    node_running_.resize(nodes.size());
    std::map<std::string, std::vector<int>> by_network;
    for (int n = 0; n < static_cast<int>(nodes.size()); ++n)
      if (!nodes[static_cast<std::size_t>(n)].network.empty()) by_network[nodes[static_cast<std::size_t>(n)].network].push_back(n);
    for (auto& [name, members] : by_network) switches_.push_back(std::move(members));
    node_key_bound_.assign(nodes.size(), -kInf);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      frag_.push_back(workload_.fragment(cluster_.node(static_cast<int>(i))));
      frag_total_ += frag_.back();
    }
    speed_.assign(cluster_.models().size(), 1.0);
    if (config.speed_scaling) {
      if (!config.economics) throw std::invalid_argument("speed scaling needs GPU throughputs");
      const auto missing = config.economics->without_throughput(cluster_.models());
      if (!missing.empty())
        throw InputError("--gpu-prices", "", fmt::format("speed scaling needs a relative throughput for {}",
                                                         fmt::join(missing, ", ")));
      for (std::size_t m = 0; m < speed_.size(); ++m) speed_[m] = *config.economics->throughput(cluster_.models()[m]);
    }
    if (config.interference) setup_interference(*config.interference);
    if (config.prediction_error < 0) throw std::invalid_argument("prediction error must be >= 0");
    RngStream predictions(static_cast<uint64_t>(config.seed), "duration-prediction");
    jobs_.resize(pods.size());
    for (std::size_t i = 0; i < pods.size(); ++i) {
      Job& j = jobs_[i];
      j.spec = &pods[i];
      if (pods[i].duration_s < 0)
        throw std::invalid_argument("job " + pods[i].name + " has no duration; the event simulation needs them");
      j.req = cluster_.request_for(pods[i]);
      j.shape = shape_of(j.req);
      j.workers = shapes_[static_cast<std::size_t>(j.shape)].workers;
      j.gpus = static_cast<double>(j.req.total_gpu_milli()) / kMilliPerGpu;
      j.work = pods[i].duration_s;
      j.predicted = pods[i].duration_s;
      if (config.prediction_error > 0) j.predicted *= std::exp(config.prediction_error * predictions.normal(0, 1));
    }
    arrival_order_.resize(pods.size());
    for (std::size_t i = 0; i < pods.size(); ++i) arrival_order_[i] = i;
    std::stable_sort(arrival_order_.begin(), arrival_order_.end(),
                     [&](std::size_t a, std::size_t b) { return pods[a].submit_s < pods[b].submit_s; });
  }

  JobSimResult run();

 private:
  void setup_interference(const Interference& model) {
    for (const auto& m : cluster_.models()) {
      std::optional<double> f = model.pair_factor;
      if (!f && config_.economics) f = config_.economics->pair_factor(m);
      if (!f)
        throw InputError("--interference", "", fmt::format("no measured co-location factor for GPU model \"{}\"; "
                                                           "give one for all models (--interference 0.7)", m));
      pair_factor_.push_back(*f);
    }
    for (const auto& n : cluster_.nodes()) gpu_tenants_.emplace_back(static_cast<std::size_t>(n.gpu_count()), 0);
  }

  // A job asking for more whole GPUs than any acceptable node has becomes a gang of workers, one
  // per node, each with an equal share of the GPUs, CPU and memory (distributed training).
  std::vector<Request> split_into_workers(const Request& r) const {
    int per_node = 0;
    for (const auto& n : empty_.nodes())
      if (Cluster::model_accepts(n, r)) per_node = std::max(per_node, n.gpu_count());
    if (r.cpu_only() || r.gpu_milli < kMilliPerGpu || per_node == 0 || r.num_gpu <= per_node) return {r};
    const int count = (r.num_gpu + per_node - 1) / per_node;
    std::vector<Request> workers;
    for (int w = 0; w < count; ++w) {
      Request part = r;
      part.num_gpu = r.num_gpu / count + (w < r.num_gpu % count ? 1 : 0);
      part.cpu_milli = r.cpu_milli / count + (w < r.cpu_milli % count ? 1 : 0);
      part.memory_mib = r.memory_mib / count + (w < r.memory_mib % count ? 1 : 0);
      workers.push_back(part);
    }
    return workers;
  }

  // Jobs with equal requests share a shape: one queue, one split into workers, one fit test.
  int shape_of(const Request& r) {
    auto key = std::make_tuple(r.cpu_milli, r.memory_mib, r.num_gpu, r.gpu_milli, r.model_mask);
    auto [it, added] = shape_ids_.emplace(key, static_cast<int>(shapes_.size()));
    if (added) {
      Shape s;
      s.workers = split_into_workers(r);
      const auto& workers = s.workers;
      s.request = workers.front();
      // Schedulable: every worker fits an empty node and, for a gang, there are enough nodes (a
      // gang that still cannot be packed is reported at the end of the run).
      s.schedulable = true;
      for (const auto& w : workers) {
        bool fits = false;
        for (int n = 0; n < static_cast<int>(empty_.nodes().size()) && !fits; ++n) fits = empty_.fits(n, w);
        s.schedulable = s.schedulable && fits;
      }
      shapes_.push_back(std::move(s));
    }
    return it->second;
  }

  // Places every worker of job i, or none. A gang goes to a single switch when one has room for
  // all of its workers (the tightest such switch, Tiresias-style consolidation), else anywhere.
  bool place_all(std::size_t i) {
    Job& j = jobs_[i];
    if (j.workers.size() > 1 && !switches_.empty()) {
      std::vector<std::pair<int64_t, std::size_t>> order;  // (free milli-GPU, switch)
      for (std::size_t s = 0; s < switches_.size(); ++s) {
        int64_t free = 0;
        for (int n : switches_[s]) free += cluster_.node(n).free_gpu_milli();
        if (free >= j.req.total_gpu_milli()) order.emplace_back(free, s);
      }
      std::sort(order.begin(), order.end());
      for (const auto& [free, s] : order) {
        allowed_.assign(cluster_.nodes().size(), 0);
        for (int n : switches_[s]) allowed_[static_cast<std::size_t>(n)] = 1;
        if (place_workers(j, &allowed_)) return true;
      }
    }
    return place_workers(j, nullptr);
  }

  bool place_workers(Job& j, const std::vector<char>* allowed) {
    j.placements.clear();
    for (const auto& w : j.workers) {
      const Placement p = placement_->place(cluster_, w, allowed);
      if (p.node < 0) {
        for (std::size_t k = 0; k < j.placements.size(); ++k) {
          cluster_.release(j.placements[k], j.workers[k]);
          node_changed(j.placements[k].node);
        }
        j.placements.clear();
        return false;
      }
      cluster_.allocate(p, w);
      node_changed(p.node);
      j.placements.push_back(p);
    }
    return true;
  }

  JobView view(const Job& j) const {
    JobView v;
    v.submit_s = j.spec->submit_s;
    v.duration_s = j.predicted;
    v.gpus = j.gpus;
    v.running = j.state == State::running;
    v.rate = j.rate;
    // Predicted minus done; negative once a job has overrun its prediction.
    const double done = j.spec->duration_s - j.work + (v.running ? (now_ - j.run_start) * j.rate : 0.0);
    v.remaining_s = j.predicted - done;
    v.attained_gpu_s = j.attained_gpu_s + (v.running ? (now_ - j.run_start) * j.gpus : 0.0);
    return v;
  }

  void enqueue(std::size_t i) {
    Job& j = jobs_[i];
    j.state = State::waiting;
    j.queued_at = {queue_->key(view(j)), i};
    Shape& s = shapes_[static_cast<std::size_t>(j.shape)];
    if (!s.members.empty()) heads_.erase(head_entry(j.shape));
    s.members.insert(j.queued_at);
    heads_.insert(head_entry(j.shape));
    ++waiting_;
  }

  void dequeue(std::size_t i) {
    Job& j = jobs_[i];
    Shape& s = shapes_[static_cast<std::size_t>(j.shape)];
    heads_.erase(head_entry(j.shape));
    s.members.erase(j.queued_at);
    if (!s.members.empty()) heads_.insert(head_entry(j.shape));
    --waiting_;
  }

  // (key, job, shape) of a shape's first waiting job.
  std::tuple<double, std::size_t, int> head_entry(int shape) const {
    const auto& [key, job] = *shapes_[static_cast<std::size_t>(shape)].members.begin();
    return {key, job, shape};
  }

  // Job i has just been placed (place_all): it runs, at the pace of its slowest worker.
  void start(std::size_t i) {
    Job& j = jobs_[i];
    j.state = State::running;
    j.run_start = now_;
    for (const auto& p : j.placements) {
      node_running_[static_cast<std::size_t>(p.node)].push_back({0, 0, 0, i});
      add_tenant(p, +1);
    }
    j.rate = rate_of(j);
    JobOutcome& o = result_.outcomes[i];
    o.nodes.clear();
    for (const auto& p : j.placements) o.nodes.push_back(cluster_.node(p.node).name);
    if (o.start_s < 0) o.start_s = now_, result_.queueing_s.add(now_ - j.spec->submit_s);
    schedule_events(i);
    ++running_;
    retime_neighbours(i);
  }

  // The job's completion (and queue-key change) at its current rate.
  void schedule_events(std::size_t i) {
    Job& j = jobs_[i];
    refresh_key(i);
    timed_.push({now_ + j.work / j.rate, i, j.generation, true});
    const double dt = queue_->time_to_key_change(view(j));
    if (std::isfinite(dt)) timed_.push({now_ + std::max(dt, 0.0), i, j.generation, false});
  }

  // Books the service a running job received since run_start: work done, attained service,
  // GPU-hours and their cost.
  void account(std::size_t i) {
    Job& j = jobs_[i];
    const double ran = now_ - j.run_start;
    j.work = std::max(0.0, j.work - ran * j.rate);
    j.attained_gpu_s += ran * j.gpus;
    result_.gpu_hours_allocated += j.gpus * ran / 3600.0;
    for (std::size_t w = 0; w < j.placements.size(); ++w) {
      const int model = cluster_.node(j.placements[w].node).model;
      const double gpus = static_cast<double>(j.workers[w].total_gpu_milli()) / kMilliPerGpu;
      if (model >= 0 && gpus > 0) {
        const auto& price = prices_[static_cast<std::size_t>(model)];
        allocated_cost_ += price ? *price * gpus * ran / 3600.0 : 0.0;
      }
    }
    j.run_start = now_;
  }

  // Stops a running job (finished or preempted) and frees what it held.
  void stop(std::size_t i) {
    Job& j = jobs_[i];
    account(i);
    for (std::size_t w = 0; w < j.placements.size(); ++w) {
      const Placement& p = j.placements[w];
      cluster_.release(p, j.workers[w]);
      node_changed(p.node);
      add_tenant(p, -1);
      auto& on_node = node_running_[static_cast<std::size_t>(p.node)];
      on_node.erase(std::find_if(on_node.begin(), on_node.end(), [&](const Running& r) { return r.job == i; }));
      update_key_bound(p.node);
    }
    ++j.generation;
    --running_;
    ++release_epoch_;
    retime_neighbours(i);
    j.placements.clear();
  }

  // Speed of a running job: its slowest GPU model, slowed further by co-located jobs when the
  // interference model is on.
  double rate_of(const Job& j) const {
    double rate = kInf;
    for (const auto& p : j.placements) {
      const int model = cluster_.node(p.node).model;
      double r = model >= 0 && !j.req.cpu_only() ? speed_[static_cast<std::size_t>(model)] : 1.0;
      if (!pair_factor_.empty() && model >= 0)
        for (int g : p.gpus) {
          const int tenants = gpu_tenants_[static_cast<std::size_t>(p.node)][static_cast<std::size_t>(g)];
          r = std::min(r, speed_[static_cast<std::size_t>(model)] *
                              sharing_factor(pair_factor_[static_cast<std::size_t>(model)], tenants));
        }
      rate = std::min(rate, r);
    }
    return rate == kInf ? 1.0 : rate;
  }

  void add_tenant(const Placement& p, int delta) {
    if (pair_factor_.empty()) return;
    for (int g : p.gpus) gpu_tenants_[static_cast<std::size_t>(p.node)][static_cast<std::size_t>(g)] += delta;
  }

  // Job i started or stopped: jobs sharing its nodes may now run at another speed.
  void retime_neighbours(std::size_t i) {
    if (pair_factor_.empty()) return;
    for (const auto& p : jobs_[i].placements)
      for (const Running& r : node_running_[static_cast<std::size_t>(p.node)]) {
        if (r.job == i) continue;
        Job& other = jobs_[r.job];
        const double rate = rate_of(other);
        if (rate == other.rate) continue;
        account(r.job);
        other.rate = rate;
        ++other.generation;  // voids its pending events; new ones follow
        schedule_events(r.job);
      }
  }

  // Records a running job's current key on every node it occupies.
  void refresh_key(std::size_t i) {
    const JobView v = view(jobs_[i]);
    const double key = queue_->key(v), drift = queue_->key_drift(v);
    if (drift > 0) throw std::logic_error("queue keys may only drift downwards");
    for (const auto& p : jobs_[i].placements) {
      for (auto& r : node_running_[static_cast<std::size_t>(p.node)])
        if (r.job == i) r = {key, now_, drift, i};
      update_key_bound(p.node);
    }
  }

  void node_changed(int node) {
    const double f = workload_.fragment(cluster_.node(node));
    frag_total_ += f - frag_[static_cast<std::size_t>(node)];
    frag_[static_cast<std::size_t>(node)] = f;
  }

  void schedule_pass();
  bool try_preempt_for(std::size_t i);
  void record_state();
  void sample_until(double t);

  struct Shape {
    Request request;  // of its first worker
    std::vector<Request> workers;
    bool schedulable = false;
    uint64_t failed_epoch = UINT64_MAX;  // release epoch at which it last failed to fit
    std::set<std::tuple<double, std::size_t>> members;
  };

  const JobSimConfig& config_;
  Cluster cluster_, empty_;
  GoRand rng_;
  std::vector<int> ranks_;
  TargetWorkload workload_;
  std::unique_ptr<QueuePolicy> queue_;
  std::unique_ptr<PlacementPolicy> placement_;
  std::vector<Job> jobs_;
  std::vector<std::size_t> arrival_order_;
  std::map<std::tuple<int64_t, int64_t, int, int, uint64_t>, int> shape_ids_;
  std::vector<Shape> shapes_;
  std::set<std::tuple<double, std::size_t, int>> heads_;
  std::priority_queue<Timed, std::vector<Timed>, std::greater<>> timed_;
  // Per node, the jobs running there with their queue key as of t0 and its drift per second, so a
  // preemption search reads current keys without touching the jobs.
  struct Running {
    double key0, t0, drift;
    std::size_t job;
  };
  std::vector<std::vector<Running>> node_running_;
  // Upper bound of the current keys on each node (drifts are never positive): lets a preemption
  // search skip nodes with no lower-priority job in one contiguous scan.
  std::vector<double> node_key_bound_;

  void update_key_bound(int node) {
    double bound = -kInf;
    for (const Running& r : node_running_[static_cast<std::size_t>(node)]) bound = std::max(bound, r.key0);
    node_key_bound_[static_cast<std::size_t>(node)] = bound;
  }
  std::vector<double> frag_, speed_;
  std::vector<std::optional<double>> prices_;
  double frag_total_ = 0, now_ = 0, allocated_cost_ = 0;
  std::size_t running_ = 0, waiting_ = 0;
  uint64_t release_epoch_ = 0;
  bool preempt_check_ = false;
  std::vector<std::pair<double, std::size_t>> candidates_;  // (key, job) on the node being tried
  std::vector<int> trial_gpus_;
  std::vector<double> pair_factor_;             // per GPU model; empty: no interference
  std::vector<std::vector<int>> gpu_tenants_;   // jobs on each GPU of each node
  std::vector<char> allowed_;
  std::vector<std::vector<int>> switches_;  // nodes by network attachment, when the cluster says
  JobSimResult result_;
  TimeWeightedAverage gpu_avg_, cpu_avg_, frag_avg_, ratio_avg_;
  double next_sample_ = 0, sample_interval_ = 1, t0_ = 0;
};

void Simulation::schedule_pass() {
  int preempt_attempts = 0;
  for (auto it = heads_.begin(); it != heads_.end();) {
    const auto entry = *it;
    const auto [key, i, shape_index] = entry;
    Shape& shape = shapes_[static_cast<std::size_t>(shape_index)];
    // Nothing was freed since this shape last failed: it still does not fit.
    bool placed = false;
    if (shape.failed_epoch != release_epoch_ && cluster_.may_fit(shape.request)) {
      if (place_all(i)) {
        dequeue(i);
        start(i);
        placed = true;
      }
    }
    if (!placed) {
      shape.failed_epoch = release_epoch_;
      // Only an arrival or a demotion creates a waiting job that outranks running ones.
      if (queue_->preemptive() && preempt_check_ && preempt_attempts < 4 && jobs_[i].workers.size() == 1) {
        ++preempt_attempts;
        placed = try_preempt_for(i);
      }
    }
    if (!placed && !config_.backfill) break;
    it = heads_.upper_bound(entry);
  }
  preempt_check_ = false;
}

// Frees the fewest lower-priority running jobs on one node so that job i fits there, then places it.
bool Simulation::try_preempt_for(std::size_t i) {
  const Job& job = jobs_[i];
  const double key = queue_->key(view(job));
  int best_node = -1;
  std::vector<std::size_t> best_victims, victims;
  for (int n = 0; n < static_cast<int>(node_running_.size()); ++n) {
    if (node_key_bound_[static_cast<std::size_t>(n)] <= key) continue;
    candidates_.clear();
    for (const Running& r : node_running_[static_cast<std::size_t>(n)]) {
      const double k = r.key0 + r.drift * (now_ - r.t0);
      if (k > key) candidates_.emplace_back(k, r.job);
    }
    if (candidates_.empty() || !empty_.fits(n, job.req)) continue;
    // Lowest priority first; a gang with two workers here is one victim.
    std::sort(candidates_.begin(), candidates_.end(),
              [](const auto& a, const auto& b) { return std::tie(b.first, a.second) < std::tie(a.first, b.second); });
    candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
    // What-if state of the node with victims removed; no copy of the Node (names, tags).
    const Node& node = cluster_.node(n);
    int64_t cpu_free = node.cpu_free, memory_free = node.memory_free;
    trial_gpus_.assign(node.gpu_free.begin(), node.gpu_free.end());
    victims.clear();
    for (const auto& [k, v] : candidates_) {
      if (!best_victims.empty() && victims.size() + 1 >= best_victims.size()) break;
      const Job& victim = jobs_[v];
      for (std::size_t w = 0; w < victim.placements.size(); ++w)  // a gang frees only its workers here
        if (victim.placements[w].node == n) {
          cpu_free += victim.workers[w].cpu_milli;
          memory_free += victim.workers[w].memory_mib;
          for (int g : victim.placements[w].gpus) trial_gpus_[static_cast<std::size_t>(g)] += victim.workers[w].gpu_milli;
        }
      victims.push_back(v);
      int fitting = 0;
      for (int f : trial_gpus_) fitting += f >= job.req.gpu_milli;
      if (cpu_free >= job.req.cpu_milli && memory_free >= job.req.memory_mib &&
          (job.req.cpu_only() || fitting >= job.req.num_gpu)) {
        best_node = n;
        best_victims = victims;
        break;
      }
    }
  }
  if (best_node < 0) return false;
  for (std::size_t v : best_victims) {
    stop(v);
    ++result_.outcomes[v].preemptions;
    ++result_.preemptions;
    enqueue(v);
  }
  if (!place_all(i)) return false;
  dequeue(i);
  start(i);
  return true;
}

void Simulation::record_state() {
  const double cap = static_cast<double>(cluster_.gpu_capacity_milli());
  const double idle = cap - static_cast<double>(cluster_.gpu_used_milli());
  gpu_avg_.set(now_, cap > 0 ? 100.0 * static_cast<double>(cluster_.gpu_used_milli()) / cap : 0.0);
  cpu_avg_.set(now_, 100.0 * static_cast<double>(cluster_.cpu_used_milli()) / static_cast<double>(cluster_.cpu_capacity_milli()));
  frag_avg_.set(now_, cap > 0 ? 100.0 * frag_total_ / cap : 0.0);
  ratio_avg_.set(now_, idle > 0 ? 100.0 * frag_total_ / idle : 0.0);
}

void Simulation::sample_until(double t) {
  while (next_sample_ <= t) {
    ClusterSample s;
    s.time_s = next_sample_ - t0_;
    s.gpu_alloc_pct = gpu_avg_.current();
    s.cpu_alloc_pct = cpu_avg_.current();
    s.frag_pct = frag_avg_.current();
    s.frag_ratio_pct = ratio_avg_.current();
    s.running = running_;
    s.waiting = waiting_;
    result_.series.push_back(s);
    next_sample_ = t0_ + sample_interval_ * static_cast<double>(result_.series.size());
  }
}

JobSimResult Simulation::run() {
  result_.placement = config_.placement;
  result_.queue = config_.queue;
  result_.seed = config_.seed;
  result_.jobs = jobs_.size();
  result_.outcomes.resize(jobs_.size());
  for (std::size_t i = 0; i < jobs_.size(); ++i)
    result_.outcomes[i].name = jobs_[i].spec->name, result_.outcomes[i].submit_s = jobs_[i].spec->submit_s;
  for (const auto& m : cluster_.models())
    prices_.push_back(config_.economics ? config_.economics->price(m) : std::nullopt);

  t0_ = jobs_.empty() ? 0.0 : jobs_[arrival_order_.front()].spec->submit_s;
  const double span = jobs_.empty() ? 0.0 : jobs_[arrival_order_.back()].spec->submit_s - t0_;
  sample_interval_ = config_.sample_interval_s > 0 ? config_.sample_interval_s : std::max(span / 200.0, 1.0);
  now_ = next_sample_ = t0_;
  gpu_avg_ = TimeWeightedAverage(t0_), cpu_avg_ = TimeWeightedAverage(t0_);
  frag_avg_ = TimeWeightedAverage(t0_), ratio_avg_ = TimeWeightedAverage(t0_);
  record_state();

  std::size_t next_arrival = 0;
  auto voided = [&](const Timed& e) {
    return e.generation != jobs_[e.job].generation || jobs_[e.job].state != State::running;
  };
  while (true) {
    while (!timed_.empty() && voided(timed_.top())) timed_.pop();  // stopped by a preemption
    if (next_arrival == arrival_order_.size() && timed_.empty()) break;
    const double t_arrival = next_arrival < arrival_order_.size() ? jobs_[arrival_order_[next_arrival]].spec->submit_s : kInf;
    const double t_timed = timed_.empty() ? kInf : timed_.top().time;
    const double t = std::min(t_arrival, t_timed);
    sample_until(t);
    now_ = t;
    bool changed = false;
    while (!timed_.empty() && timed_.top().time <= t) {
      const Timed e = timed_.top();
      timed_.pop();
      Job& j = jobs_[e.job];
      if (voided(e)) continue;
      if (e.completion) {
        stop(e.job);
        j.state = State::done;
        result_.outcomes[e.job].finish_s = now_;
        result_.jct_s.add(now_ - j.spec->submit_s);
        ++result_.completed;
      } else {
        refresh_key(e.job);
        const double dt = queue_->time_to_key_change(view(j));  // the next threshold, if any
        if (std::isfinite(dt)) timed_.push({now_ + std::max(dt, 1e-9), e.job, j.generation, false});
        preempt_check_ = true;
      }
      changed = true;
    }
    while (next_arrival < arrival_order_.size() && jobs_[arrival_order_[next_arrival]].spec->submit_s <= t) {
      const std::size_t i = arrival_order_[next_arrival++];
      if (!shapes_[static_cast<std::size_t>(jobs_[i].shape)].schedulable) {
        jobs_[i].state = State::unschedulable;
        result_.outcomes[i].unschedulable = true;
        ++result_.unschedulable;
        continue;
      }
      enqueue(i);
      changed = preempt_check_ = true;
    }
    if (changed) schedule_pass();
    record_state();
  }
  if (running_ != 0) throw std::logic_error(fmt::format("simulation ended with {} running jobs", running_));
  // Gangs that found too few free nodes even on the idle cluster: they can never run.
  while (!heads_.empty()) {
    const std::size_t i = std::get<1>(*heads_.begin());
    dequeue(i);
    jobs_[i].state = State::unschedulable;
    result_.outcomes[i].unschedulable = true;
    ++result_.unschedulable;
  }
  if (result_.completed + result_.unschedulable != result_.jobs)
    throw std::logic_error("a job was lost: completed + unschedulable != jobs");
  cluster_.audit();

  result_.makespan_s = now_ - t0_;
  const double end = std::max(now_, t0_ + 1e-9);
  sample_until(end);
  result_.gpu_alloc_pct_avg = gpu_avg_.average_until(end);
  result_.cpu_alloc_pct_avg = cpu_avg_.average_until(end);
  result_.frag_pct_avg = frag_avg_.average_until(end);
  result_.frag_ratio_pct_avg = ratio_avg_.average_until(end);
  // Fleet cost: every GPU node for the whole run. Reported only when every model has a price.
  double fleet_per_hour = 0;
  for (const auto& n : cluster_.nodes()) {
    if (n.model < 0) continue;
    const auto& price = prices_[static_cast<std::size_t>(n.model)];
    if (price) fleet_per_hour += *price * n.gpu_count();
  }
  for (std::size_t m = 0; m < prices_.size(); ++m)
    if (!prices_[m]) result_.unpriced_models.push_back(cluster_.models()[m]);
  if (config_.economics && result_.unpriced_models.empty()) {
    result_.fleet_cost_usd = fleet_per_hour * result_.makespan_s / 3600.0;
    result_.allocated_cost_usd = allocated_cost_;
  }
  return std::move(result_);
}

}  // namespace

JobSimResult simulate_jobs(const std::vector<NodeSpec>& nodes, const std::vector<PodSpec>& pods,
                           const JobSimConfig& config) {
  Simulation sim(nodes, pods, config);
  return sim.run();
}

}  // namespace xpusim::sched

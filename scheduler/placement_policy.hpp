#pragma once
// Placement policies: given the cluster and one pod, pick a node and the GPUs on it.
// The framework follows the Kubernetes scheduler the FGD paper's simulator uses: filter the
// feasible nodes, take the only one without scoring, otherwise score each node with one plugin
// (integer 0..100), keep the best, and break ties by a fixed per-run node rank (smallest wins).
// A policy is one class registered by name (see REGISTER_PLACEMENT_POLICY).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scheduler/cluster.hpp"
#include "sim/engine/registry.hpp"

namespace xpusim::sched {

class GoRand;
class TargetWorkload;
struct GpuEconomics;

// What a policy may consult besides the cluster. Pointers are owned by the caller and outlive the
// policy.
struct PolicySetup {
  GoRand* rng = nullptr;                   // the run's random stream
  const std::vector<int>* rank = nullptr;  // tie-break rank per node; null: node index
  const TargetWorkload* workload = nullptr;  // FGD's target workload
  const GpuEconomics* economics = nullptr;   // price and speed per GPU model (cost-aware)
};

class PlacementPolicy {
 public:
  explicit PlacementPolicy(const PolicySetup& setup) : setup_(setup) {}
  virtual ~PlacementPolicy() = default;

  // The chosen placement, or node = -1 when no node fits. `allowed`, when given, limits the
  // choice to nodes i with allowed[i] != 0 (locality of a gang's workers).
  Placement place(const Cluster& cluster, const Request& r, const std::vector<char>* allowed = nullptr);

 protected:
  // Called once per pod with the feasible nodes when there are two or more.
  virtual void prescore(const Cluster&, const Request&, const std::vector<int>& /*feasible*/) {}
  virtual int score(const Cluster& cluster, int node, const Request& r) = 0;
  // GPU choice on the chosen node; the default is "best" (tightest shared GPU, else the
  // lowest-index free GPUs).
  virtual std::vector<int> choose_gpus(const Cluster& cluster, int node, const Request& r);

  const PolicySetup setup_;

 private:
  std::vector<int> feasible_;  // reused between pods
};

// GPU selection helpers shared by several policies.
std::vector<int> best_fit_gpus(const Node& n, const Request& r);
std::vector<int> lowest_free_gpus(const Node& n, const Request& r);

using PolicyFactory = std::function<std::unique_ptr<PlacementPolicy>(const PolicySetup&)>;
using PlacementPolicies = Registry<PolicyFactory>;

std::unique_ptr<PlacementPolicy> make_placement_policy(const std::string& name, const PolicySetup& setup);

// The label the FGD paper's result files use for a policy ("06-FGD"), or the name itself.
std::string reference_label(const std::string& policy);

}  // namespace xpusim::sched

#define XPUSIM_CONCAT_INNER(a, b) a##b
#define XPUSIM_CONCAT(a, b) XPUSIM_CONCAT_INNER(a, b)
#define REGISTER_PLACEMENT_POLICY(name, Class)                                                 \
  static const bool XPUSIM_CONCAT(registered_policy_, __LINE__) = [] {                         \
    ::xpusim::sched::PlacementPolicies::instance().add(                                        \
        name, [](const ::xpusim::sched::PolicySetup& s) { return std::make_unique<Class>(s); }); \
    return true;                                                                               \
  }()

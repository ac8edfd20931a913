#include "scheduler/queue_policy.hpp"

namespace xpusim::sched {

std::unique_ptr<QueuePolicy> make_queue_policy(const std::string& name, const QueuePolicyOptions& options) {
  return QueuePolicies::instance().get(name, "--queue", "queue policy")(options);
}

}  // namespace xpusim::sched

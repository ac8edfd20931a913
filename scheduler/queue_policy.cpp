#include "scheduler/queue_policy.hpp"

#include <fmt/format.h>

#include "sim/engine/input_error.hpp"

namespace xpusim::sched {

std::unique_ptr<QueuePolicy> make_queue_policy(const std::string& name, const QueuePolicyOptions& options) {
  const QueuePolicyFactory* factory = QueuePolicies::instance().find(name);
  if (!factory)
    throw InputError("--queue", "", fmt::format("unknown queue policy \"{}\" (known: {})", name,
                                                QueuePolicies::instance().names_joined()));
  return (*factory)(options);
}

}  // namespace xpusim::sched

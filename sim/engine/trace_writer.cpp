#include "sim/engine/trace_writer.hpp"

#include <cmath>

namespace xpusim {

namespace {
// Trace-event timestamps are microseconds; keep nanosecond precision.
double to_us(double seconds) { return std::round(seconds * 1e9) / 1e3; }
}  // namespace

void TraceWriter::name_process(int pid, const std::string& name) {
  events_.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"tid", 0},
                     {"args", {{"name", name}}}});
}

void TraceWriter::name_thread(int pid, int tid, const std::string& name) {
  events_.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", tid},
                     {"args", {{"name", name}}}});
}

void TraceWriter::complete(int pid, int tid, const std::string& name, double start_s,
                           double duration_s, nlohmann::json args) {
  events_.push_back({{"ph", "X"}, {"name", name}, {"pid", pid}, {"tid", tid},
                     {"ts", to_us(start_s)}, {"dur", to_us(duration_s)}, {"args", std::move(args)}});
}

void TraceWriter::counter(int pid, const std::string& name, double time_s,
                          const std::map<std::string, double>& values) {
  nlohmann::json args = nlohmann::json::object();
  for (const auto& [k, v] : values) args[k] = v;
  events_.push_back({{"ph", "C"}, {"name", name}, {"pid", pid}, {"tid", 0}, {"ts", to_us(time_s)},
                     {"args", std::move(args)}});
}

nlohmann::json TraceWriter::to_json() const {
  return {{"traceEvents", events_}, {"displayTimeUnit", "ns"}};
}

}  // namespace xpusim

#pragma once
// Chrome/Perfetto trace-event JSON (the "JSON Array/Object Format" both UIs load).
// pid = node or device, tid = engine or link; `X` events for kernels and transfers, `C` counters.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xpusim {

class TraceWriter {
 public:
  void name_process(int pid, const std::string& name);
  void name_thread(int pid, int tid, const std::string& name);
  void complete(int pid, int tid, const std::string& name, double start_s, double duration_s,
                nlohmann::json args = nlohmann::json::object());
  void counter(int pid, const std::string& name, double time_s,
               const std::map<std::string, double>& values);

  std::size_t event_count() const { return events_.size(); }
  nlohmann::json to_json() const;

 private:
  std::vector<nlohmann::json> events_;
};

}  // namespace xpusim

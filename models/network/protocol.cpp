#include "models/network/protocol.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "models/catalog/embedded_catalog.hpp"
#include "sim/engine/json_input.hpp"

namespace xpusim {

namespace {

const std::map<std::string, ProtocolProfile>& profiles() {
  static const auto all = read_catalog<ProtocolProfile>(
      embedded_protocols_json(), "models/catalog/protocols.json", [](const std::string& name, const JsonView& v) {
        v.allow_only({"description", "packet_payload_bytes", "packet_overhead_bytes", "endpoint_latency_us",
                      "rtt_weighted", "window_bytes", "stream_gbps", "sources"});
        ProtocolProfile p;
        p.name = name;
        p.description = v.at("description").as_string();
        p.packet_payload_bytes = v.at("packet_payload_bytes").as_positive_number();
        p.packet_overhead_bytes = v.at("packet_overhead_bytes").as_non_negative_number();
        p.endpoint_latency_s = v.at("endpoint_latency_us").as_non_negative_number() * 1e-6;
        p.rtt_weighted = v.at("rtt_weighted").as_bool();
        p.window_bytes = v.at("window_bytes").as_non_negative_number();
        p.stream_bytes_per_s = v.at("stream_gbps").as_non_negative_number() * 1e9 / 8;
        for (const auto& s : v.at("sources").items()) p.sources.push_back(s.as_string());
        return p;
      });
  return all;
}

}  // namespace

const ProtocolProfile& protocol_profile(const std::string& name) {
  auto it = profiles().find(name);
  if (it != profiles().end()) return it->second;
  std::string known;
  for (const auto& n : protocol_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown protocol \"" + name + "\" (known: " + known + ")");
}

std::vector<std::string> protocol_names() {
  std::vector<std::string> names;
  for (const auto& [name, p] : profiles()) names.push_back(name);
  return names;
}

std::string protocol_name(const JsonView& v) {
  const std::string name = v.as_string();
  const auto names = protocol_names();
  if (std::find(names.begin(), names.end(), name) == names.end())
    v.fail("unknown protocol \"" + name + "\"; known: " + fmt::format("{}", fmt::join(names, ", ")));
  return name;
}

const ProtocolProfile& ideal_protocol() {
  static const ProtocolProfile ideal{"ideal", "wire rate and link latency only", 1, 0, 0, false, 0, 0, {}};
  return ideal;
}

}  // namespace xpusim

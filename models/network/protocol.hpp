#pragma once
// Transport protocol profiles (models/catalog/protocols.json): what a protocol adds to the wire
// and to each message, and how its flows share a bottleneck.
#include <string>
#include <vector>

#include "sim/engine/json_input.hpp"

namespace xpusim {

struct ProtocolProfile {
  std::string name, description;
  double packet_payload_bytes = 0;   // payload per full packet (MTU less the protocol headers)
  double packet_overhead_bytes = 0;  // per packet on the wire: headers, CRCs, preamble and gap
  double endpoint_latency_s = 0;     // one way, per message: both NICs and software stacks
  bool rtt_weighted = false;         // bottleneck share inversely proportional to path latency (TCP)
  double window_bytes = 0;           // congestion/receive window, caps a flow at window / RTT (0: none)
  double stream_bytes_per_s = 0;     // payload one stream can carry, e.g. one core's copies (0: none)
  std::vector<std::string> sources;

  // Payload bytes per wire byte for large messages.
  double efficiency() const { return packet_payload_bytes / (packet_payload_bytes + packet_overhead_bytes); }
};

// The built-in profiles ("tcp", "roce-v2", "ib-edr", "ib-hdr", "efa", ...); throws
// std::invalid_argument naming the known ones for an unknown name.
const ProtocolProfile& protocol_profile(const std::string& name);
std::vector<std::string> protocol_names();
// A protocol's name read from a file: an InputError at `v` naming the known ones if unknown.
std::string protocol_name(const JsonView& v);
// A profile with no overheads at all: wire rate and link latency only (tests, oracles).
const ProtocolProfile& ideal_protocol();

}  // namespace xpusim

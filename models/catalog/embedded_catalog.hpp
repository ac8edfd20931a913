#pragma once

namespace xpusim {

const char* embedded_cpus_json();       // models/catalog/cpus.json
const char* embedded_instances_json();  // models/catalog/instances.json
const char* embedded_accelerators_json();  // models/catalog/accelerators.json
const char* embedded_protocols_json();     // models/catalog/protocols.json
const char* embedded_message_sizes_json();  // models/catalog/message_sizes.json

}  // namespace xpusim

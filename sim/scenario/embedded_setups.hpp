#pragma once

namespace xpusim {

const char* embedded_measurement_setups_json();  // models/catalog/measurement_setups.json

}  // namespace xpusim

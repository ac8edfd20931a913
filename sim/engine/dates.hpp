#pragma once
// Calendar dates as catalogs and flags write them: YYYY-MM-DD.
#include <string>

namespace xpusim {

// True for a well-formed YYYY-MM-DD with a month in 1..12 and a day in 1..31.
bool is_iso_date(const std::string& text);

}  // namespace xpusim

#pragma once
// Seed lists as users write them: "42-51" or "42,45,50-52".
#include <cstdint>
#include <string>
#include <vector>

namespace xpusim {

// Every seed, in the order written; a malformed part or a range of more than 100,000 seeds is an
// InputError naming --seeds.
std::vector<int64_t> parse_seeds(const std::string& text);

}  // namespace xpusim

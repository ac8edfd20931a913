#pragma once
// Output files appear whole or not at all: written to a temporary name beside the target, then
// renamed. A failed run never leaves a half-written report behind.
#include <string>

namespace xpusim {

void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace xpusim

#pragma once
// Output files appear whole or not at all: written to temporary names beside the targets, then
// renamed. A failed run never leaves a half-written report behind.
#include <string>
#include <utility>
#include <vector>

namespace xpusim {

// Throws std::runtime_error naming the path and the reason on failure.
void write_file_atomically(const std::string& path, const std::string& content);

// Fails as write_file_atomically(path, ...) would, leaving nothing behind: lets a command refuse
// an output path before it spends its time on a simulation.
void check_writable(const std::string& path);

// Creates `dir` if needed and writes every (file name, content) into it: all files are written
// under temporary names first and renamed only once each write succeeded, so a failure (no room,
// no permission) leaves none of them. Throws std::runtime_error naming the path and the reason.
void write_files_atomically(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace xpusim

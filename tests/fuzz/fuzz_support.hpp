#pragma once
// Shared by the fuzz targets. A target feeds its input to one of xpusim's readers or parsers; an
// InputError is the expected answer to garbage, any other exception or a broken invariant on what
// was accepted is a finding and aborts (libFuzzer then saves the input).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include <unistd.h>

#include "sim/engine/input_error.hpp"

namespace xpusim::fuzz {

[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what.c_str());
  std::abort();
}

inline void expect(bool ok, const char* what) {
  if (!ok) finding(std::string("accepted input breaks: ") + what);
}

// Runs `parse`; true when it accepted the input, false when it rejected it with an InputError.
template <class Parse>
bool accepted(Parse&& parse) {
  try {
    parse();
    return true;
  } catch (const InputError&) {
    return false;
  } catch (const std::exception& e) {
    finding(std::string("not an InputError: ") + e.what());
  }
}

// The input as a file named `name` (readers take paths; some formats are known by their name),
// in a directory of this process's own under $TMPDIR (tmpfs on most systems).
inline std::string as_file(const uint8_t* data, std::size_t size, const std::string& name) {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string d = std::string(tmp && *tmp ? tmp : "/tmp") + "/xpusim_fuzz_" + std::to_string(::getpid());
    std::system(("mkdir -p " + d).c_str());
    return d;
  }();
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                              static_cast<std::streamsize>(size));
  return path;
}

inline std::string as_text(const uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace xpusim::fuzz

#include "sim/engine/atomic_file.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace xpusim {

void write_file_atomically(const std::string& path, const std::string& content) {
  std::filesystem::path target(path);
  std::filesystem::path temp = target;
  temp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + temp.string());
    out << content;
    out.flush();
    if (!out) {
      std::filesystem::remove(temp);
      throw std::runtime_error("cannot write " + temp.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, target, ec);
  if (ec) {
    std::filesystem::remove(temp);
    throw std::runtime_error("cannot move " + temp.string() + " to " + path + ": " + ec.message());
  }
}

}  // namespace xpusim

#include "sim/engine/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace xpusim {

namespace fs = std::filesystem;

namespace {

fs::path temp_beside(const fs::path& target) {
  fs::path temp = target;
  temp += ".tmp." + std::to_string(::getpid());
  return temp;
}

void write_whole(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
  out << content;
  out.flush();
  if (!out) {
    std::error_code ignored;
    fs::remove(path, ignored);
    throw std::runtime_error("cannot write " + path.string() + " (disk full?)");
  }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  const fs::path target(path);
  const fs::path temp = temp_beside(target);
  write_whole(temp, content);
  std::error_code ec;
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw std::runtime_error("cannot move " + temp.string() + " to " + path + ": " + ec.message());
  }
}

void check_writable(const std::string& path) {
  const fs::path temp = temp_beside(fs::path(path));
  write_whole(temp, "");
  std::error_code ignored;
  fs::remove(temp, ignored);
}

void write_files_atomically(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) throw std::runtime_error("cannot create directory " + dir + ": " +
                                                             (ec ? ec.message() : "a file of that name exists"));
  std::vector<fs::path> temps;
  auto remove_temps = [&] {
    std::error_code ignored;
    for (const auto& t : temps) fs::remove(t, ignored);
  };
  try {
    for (const auto& [name, content] : files) {
      temps.push_back(temp_beside(fs::path(dir) / name));
      write_whole(temps.back(), content);
    }
  } catch (...) {
    remove_temps();
    throw;
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    fs::rename(temps[i], fs::path(dir) / files[i].first, ec);
    if (ec) {
      remove_temps();
      throw std::runtime_error("cannot write " + (fs::path(dir) / files[i].first).string() + ": " + ec.message());
    }
  }
}

}  // namespace xpusim

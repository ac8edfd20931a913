#pragma once
// Errors caused by what the user gave us (files, flags). The CLI turns them into one line
// "file:/json/pointer: message" and exit code 2; everything else is a failure (exit 1).
#include <stdexcept>
#include <string>

namespace xpusim {

class InputError : public std::runtime_error {
 public:
  // `where` is a JSON pointer ("/cluster/nodes/3") or a "line:col" position; may be empty.
  InputError(std::string file, std::string where, std::string message);

  const std::string& file() const { return file_; }
  const std::string& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_, where_, message_;
};

}  // namespace xpusim

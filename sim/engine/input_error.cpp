#include "sim/engine/input_error.hpp"

namespace xpusim {

namespace {
std::string compose(const std::string& file, const std::string& where, const std::string& message) {
  std::string text = file;
  if (!where.empty()) text += (where.front() == '/' ? "" : ":") + where;
  if (!text.empty()) text += ": ";
  return text + message;
}
}  // namespace

InputError::InputError(std::string file, std::string where, std::string message)
    : std::runtime_error(compose(file, where, message)),
      file_(std::move(file)),
      where_(std::move(where)),
      message_(std::move(message)) {}

}  // namespace xpusim

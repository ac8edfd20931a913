#include "sim/engine/json_input.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sim/engine/input_error.hpp"

namespace xpusim {

namespace {
// RFC 6901 escaping of one reference token.
std::string escape_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}
}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& file) {
  auto position = [&](std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < std::min(offset, text.size()); ++i) {
      if (text[i] == '\n') { ++line; column = 1; } else { ++column; }
    }
    return fmt::format("{}:{}", line, column);
  };
  auto reason_of = [](const std::string& what) {
    auto colon = what.rfind(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
  };
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    throw InputError(file, position(e.byte == 0 ? 0 : e.byte - 1), "invalid JSON: " + reason_of(e.what()));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number too large for a double ("number overflow parsing '1e999'"): located by its text.
    const std::string what = e.what();
    const auto open = what.find('\''), close = what.rfind('\'');
    const std::size_t at = open < close ? text.find(what.substr(open + 1, close - open - 1)) : std::string::npos;
    throw InputError(file, at == std::string::npos ? "" : position(at), "invalid JSON: " + what.substr(what.find(']') + 2));
  }
}

nlohmann::json load_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw InputError(path, "", "cannot read file");
  return parse_json_text(buffer.str(), path);
}

JsonView::JsonView(const nlohmann::json& value, std::string file, std::string pointer)
    : JsonView(value, std::make_shared<const std::string>(std::move(file)), std::move(pointer)) {}

JsonView::JsonView(const nlohmann::json& value, std::shared_ptr<const std::string> file,
                   std::string pointer)
    : value_(&value), file_(std::move(file)), pointer_(std::move(pointer)) {}

void JsonView::fail(const std::string& message) const {
  throw InputError(*file_, pointer_.empty() ? "/" : pointer_, message);
}

std::string JsonView::type_name() const { return value_->type_name(); }

void JsonView::expect_object() const {
  if (!value_->is_object()) fail(fmt::format("expected an object, found {}", type_name()));
}

void JsonView::allow_only(std::initializer_list<std::string_view> keys) const {
  expect_object();
  for (const auto& [key, unused] : value_->items()) {
    bool known = false;
    for (auto k : keys) known = known || k == key;
    if (!known) {
      std::string list;
      for (auto k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
      JsonView(unused, file_, pointer_ + "/" + escape_token(key))
          .fail(fmt::format("unknown key \"{}\" (allowed: {})", key, list));
    }
  }
}

bool JsonView::has(std::string_view key) const {
  expect_object();
  return value_->contains(std::string(key));
}

JsonView JsonView::at(std::string_view key) const {
  auto found = find(key);
  if (!found) fail(fmt::format("missing required key \"{}\"", key));
  return *found;
}

std::optional<JsonView> JsonView::find(std::string_view key) const {
  expect_object();
  auto it = value_->find(std::string(key));
  if (it == value_->end()) return std::nullopt;
  return JsonView(*it, file_, pointer_ + "/" + escape_token(key));
}

void JsonView::expect_array() const {
  if (!value_->is_array()) fail(fmt::format("expected an array, found {}", type_name()));
}

std::size_t JsonView::size() const {
  expect_array();
  return value_->size();
}

JsonView JsonView::at(std::size_t index) const {
  expect_array();
  if (index >= value_->size()) fail(fmt::format("index {} out of range", index));
  return JsonView((*value_)[index], file_, pointer_ + "/" + std::to_string(index));
}

std::vector<JsonView> JsonView::items() const {
  std::vector<JsonView> out;
  for (std::size_t i = 0; i < size(); ++i) out.push_back(at(i));
  return out;
}

std::string JsonView::as_string() const {
  if (!value_->is_string()) fail(fmt::format("expected a string, found {}", type_name()));
  return value_->get<std::string>();
}

double JsonView::as_number() const {
  if (!value_->is_number()) fail(fmt::format("expected a number, found {}", type_name()));
  double v = value_->get<double>();
  if (!std::isfinite(v)) fail("expected a finite number");
  return v;
}

double JsonView::as_positive_number() const {
  double v = as_number();
  if (!(v > 0)) fail(fmt::format("must be > 0, found {}", v));
  return v;
}

double JsonView::as_non_negative_number() const {
  double v = as_number();
  if (v < 0) fail(fmt::format("must be >= 0, found {}", v));
  return v;
}

double JsonView::as_number_in(double min, double max) const {
  double v = as_number();
  if (v < min || v > max) fail(fmt::format("must be in [{}, {}], found {}", min, max, v));
  return v;
}

int64_t JsonView::as_integer_in(int64_t min, int64_t max) const {
  int64_t v = as_integer();
  if (v < min || v > max) fail(fmt::format("must be in [{}, {}], found {}", min, max, v));
  return v;
}

int64_t JsonView::as_integer() const {
  if (value_->is_number_integer()) return value_->get<int64_t>();
  if (value_->is_number_float()) {
    double v = value_->get<double>();
    if (std::floor(v) == v && std::abs(v) < 9e15) return static_cast<int64_t>(v);
    fail(fmt::format("expected an integer, found {}", v));
  }
  fail(fmt::format("expected an integer, found {}", type_name()));
}

int64_t JsonView::as_positive_integer() const {
  int64_t v = as_integer();
  if (v <= 0) fail(fmt::format("must be a positive integer, found {}", v));
  return v;
}

bool JsonView::as_bool() const {
  if (!value_->is_boolean()) fail(fmt::format("expected true or false, found {}", type_name()));
  return value_->get<bool>();
}

}  // namespace xpusim

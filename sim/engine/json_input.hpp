#pragma once
// Strict, typed reading of JSON input. Every accessor knows the file and the JSON pointer of the
// value it reads, so that any error names both: `study.json:/instances/2: unknown instance "c9"`.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace xpusim {

// Parses `text` (named `file` in errors); a syntax error is an InputError with line:column.
nlohmann::json parse_json_text(const std::string& text, const std::string& file);
// Reads and parses a file; a missing or unreadable file is an InputError too.
nlohmann::json load_json_file(const std::string& path);

class JsonView {
 public:
  JsonView(const nlohmann::json& value, std::string file, std::string pointer = "");

  [[noreturn]] void fail(const std::string& message) const;
  const std::string& pointer() const { return pointer_; }
  const std::string& file() const { return *file_; }
  const nlohmann::json& raw() const { return *value_; }

  // Objects. `allow_only` rejects any key not listed (reports the first unknown key in sorted order).
  void expect_object() const;
  void allow_only(std::initializer_list<std::string_view> keys) const;
  bool has(std::string_view key) const;
  JsonView at(std::string_view key) const;  // required member
  std::optional<JsonView> find(std::string_view key) const;

  // Arrays.
  void expect_array() const;
  std::size_t size() const;
  JsonView at(std::size_t index) const;
  std::vector<JsonView> items() const;

  // Scalars (type-checked; integers must be integral).
  std::string as_string() const;
  double as_number() const;
  double as_positive_number() const;
  double as_non_negative_number() const;
  double as_number_in(double min, double max) const;  // inclusive range
  int64_t as_integer() const;
  int64_t as_positive_integer() const;
  int64_t as_integer_in(int64_t min, int64_t max) const;  // inclusive range
  bool as_bool() const;

 private:
  JsonView(const nlohmann::json& value, std::shared_ptr<const std::string> file, std::string pointer);
  std::string type_name() const;

  const nlohmann::json* value_;
  std::shared_ptr<const std::string> file_;
  std::string pointer_;
};

// A catalog compiled into the binary: a JSON object of named entries, `text` named `file` in
// errors. `read(name, entry)` turns each entry into a T (failing on the entry's view names the
// file and pointer); the result is keyed by name.
template <typename T, typename Read>
std::map<std::string, T> read_catalog(const std::string& text, const std::string& file, Read read) {
  const auto json = parse_json_text(text, file);
  const JsonView root(json, file);
  root.expect_object();
  std::map<std::string, T> out;
  for (const auto& [name, value] : json.items()) out.emplace(name, read(name, root.at(name)));
  return out;
}

}  // namespace xpusim

#include "workloads/traces/csv_reader.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sim/engine/input_error.hpp"

namespace xpusim {

namespace {

std::string where(std::size_t line) { return fmt::format("line {}", line); }

// Splits one line; double quotes group a field ("" inside quotes is a quote).
std::vector<std::string> split_line(std::string_view line, const std::string& path, std::size_t line_no) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else fields.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) throw InputError(path, where(line_no), "unterminated quoted field");
  return fields;
}

std::string strip_cr(std::string s) {
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

}  // namespace

void RowProblems::record(const std::string& message) {
  ++skipped;
  if (first_messages.size() < 5) first_messages.push_back(message);
}

const std::string& CsvRecord::text(std::size_t column) const { return fields_.at(column); }

const std::string& CsvRecord::nonempty_text(std::size_t column, const char* what) const {
  const std::string& t = text(column);
  if (t.empty()) fail(column, std::string("empty ") + what);
  return t;
}

void CsvRecord::fail(std::size_t column, const std::string& message) const {
  const std::string name = column < header_->size() ? (*header_)[column] : fmt::format("#{}", column + 1);
  throw InputError(*path_, where(line_), fmt::format("column {}: {}", name, message));
}

void CsvRecord::check_shape() const {
  if (fields_.size() != expected_fields_)
    throw InputError(*path_, where(line_), fmt::format("expected {} fields, found {}", expected_fields_, fields_.size()));
}

int64_t CsvRecord::integer(std::size_t column, int64_t min, int64_t max) const {
  const std::string& s = text(column);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    fail(column, fmt::format("\"{}\" is not an integer", s));
  if (v < min || v > max) fail(column, fmt::format("{} is outside [{}, {}]", v, min, max));
  return v;
}

double CsvRecord::real(std::size_t column, double min, double max) const {
  const std::string& s = text(column);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
    fail(column, fmt::format("\"{}\" is not a number", s));
  if (v < min || v > max) fail(column, fmt::format("{} is outside [{}, {}]", v, min, max));
  return v;
}

CsvFile::CsvFile(const std::string& path, std::vector<std::string> header, bool has_header, std::size_t min_columns)
    : path_(path), header_(std::move(header)) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  if (min_columns == 0) min_columns = header_.size();
  std::string line;
  std::size_t line_no = 0;
  bool header_seen = !has_header;
  columns_ = has_header ? 0 : header_.size();
  while (std::getline(in, line)) {
    ++line_no;
    line = strip_cr(std::move(line));
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto fields = split_line(line, path, line_no);
    if (!header_seen) {
      header_seen = true;
      const bool prefix_ok = fields.size() >= min_columns && fields.size() <= header_.size() &&
                             std::equal(fields.begin(), fields.end(), header_.begin());
      if (!prefix_ok)
        throw InputError(path, where(line_no), fmt::format("expected header \"{}\", found \"{}\"",
                                                           fmt::join(header_, ","), line));
      columns_ = fields.size();
      continue;
    }
    CsvRecord record;
    record.path_ = &path_;
    record.header_ = &header_;
    record.line_ = line_no;
    record.expected_fields_ = columns_;
    record.fields_ = std::move(fields);
    rows_.push_back(std::move(record));
  }
  if (!header_seen) throw InputError(path, "", "empty file: no header line");
  // Records point at members of this object; re-point them after the vector settled.
  for (auto& r : rows_) r.path_ = &path_, r.header_ = &header_;
}

std::vector<std::string> CsvFile::first_line(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    line = strip_cr(std::move(line));
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    try {
      return split_line(line, path, 1);
    } catch (const InputError&) {
      return {};
    }
  }
  return {};
}

}  // namespace xpusim

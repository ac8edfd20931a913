#pragma once
// Strict reader for the comma-separated trace files. Every error names the file and the line
// ("openb_pod_list_default.csv:line 42: column num_gpu: \"x\" is not an integer") and is an
// InputError, so the CLI exits 2. Blank lines are ignored; fields may be double-quoted.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xpusim {

// What a trace reader does with a row it cannot use: stop with the error (default) or skip it and
// count it. Either way the user is told; nothing is dropped silently.
enum class BadRows { reject, skip };

struct RowProblems {
  std::size_t skipped = 0;
  std::vector<std::string> first_messages;  // up to 5, for the report
  void record(const std::string& message);
};

class CsvRecord {
 public:
  std::size_t line() const { return line_; }
  std::size_t size() const { return fields_.size(); }
  const std::string& text(std::size_t column) const;
  // The field, which must not be empty; `what` names it in the error ("node name").
  const std::string& nonempty_text(std::size_t column, const char* what) const;
  int64_t integer(std::size_t column, int64_t min, int64_t max) const;
  double real(std::size_t column, double min, double max) const;
  // An error about this row, as the InputError the reader would throw.
  [[noreturn]] void fail(std::size_t column, const std::string& message) const;
  // Throws when the row has the wrong number of fields (kept until parsing so it can be skipped).
  void check_shape() const;

 private:
  friend class CsvFile;
  const std::string* path_ = nullptr;
  const std::vector<std::string>* header_ = nullptr;
  std::size_t line_ = 0, expected_fields_ = 0;
  std::vector<std::string> fields_;
};

class CsvFile {
 public:
  // Reads the whole file. With a header, the first non-blank line must equal `header` exactly
  // (a header that is a known prefix is accepted through `min_columns`). Without one, column names
  // in errors come from `header` all the same.
  CsvFile(const std::string& path, std::vector<std::string> header, bool has_header, std::size_t min_columns = 0);
  CsvFile(const CsvFile&) = delete;  // rows point into this object
  CsvFile& operator=(const CsvFile&) = delete;

  const std::vector<CsvRecord>& rows() const { return rows_; }
  const std::string& path() const { return path_; }
  std::size_t columns() const { return columns_; }  // columns present in this file

  // First non-blank line of a file, split on commas; empty when unreadable. For format detection.
  static std::vector<std::string> first_line(const std::string& path);

 private:
  std::string path_;
  std::vector<std::string> header_;
  std::size_t columns_ = 0;
  std::vector<CsvRecord> rows_;
};

// Runs `parse(row)` on every row; a row whose parse throws InputError is rejected or skipped.
template <class Row, class Parse>
std::vector<Row> parse_rows(const CsvFile& file, BadRows bad_rows, RowProblems& problems, Parse&& parse);

}  // namespace xpusim

#include "workloads/traces/csv_reader_impl.hpp"

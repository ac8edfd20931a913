#pragma once
#include "sim/engine/input_error.hpp"

namespace xpusim {

template <class Row, class Parse>
std::vector<Row> parse_rows(const CsvFile& file, BadRows bad_rows, RowProblems& problems, Parse&& parse) {
  std::vector<Row> out;
  out.reserve(file.rows().size());
  for (const auto& record : file.rows()) {
    try {
      record.check_shape();
      out.push_back(parse(record));
    } catch (const InputError& e) {
      if (bad_rows == BadRows::reject) throw;
      problems.record(e.what());
    }
  }
  return out;
}

}  // namespace xpusim

#pragma once
// Plain-text tables for the terminal: a header, right-aligned numbers, left-aligned text.
#include <string>
#include <vector>

namespace xpusim {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);
  void add_row(std::vector<std::string> cells);
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace xpusim

#pragma once
// A self-contained HTML page of line charts (inline SVG, no scripts, no downloads), so that a run's
// curves can be looked at in any browser. Output is deterministic: same data, same bytes.
#include <string>
#include <utility>
#include <vector>

namespace xpusim {

struct ChartSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), in x order
};

struct Chart {
  std::string title, x_label, y_label;
  std::vector<ChartSeries> series;
};

// `preformatted` (e.g. the terminal table) is shown under the charts.
std::string html_page(const std::string& title, const std::vector<Chart>& charts, const std::string& preformatted);

}  // namespace xpusim

#include "reports/html_chart.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace xpusim {

namespace {

constexpr double kWidth = 760, kHeight = 360, kLeft = 64, kRight = 170, kTop = 34, kBottom = 46;
constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

// A "nice" axis step (1, 2 or 5 x 10^k) giving about five ticks.
double nice_step(double span) {
  if (!(span > 0)) return 1;
  const double raw = span / 5, magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double r = raw / magnitude;
  return magnitude * (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10);
}

std::string chart_svg(const Chart& chart) {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  bool first = true;
  for (const auto& s : chart.series)
    for (const auto& [x, y] : s.points) {
      if (first) x0 = x1 = x, y0 = y1 = y, first = false;
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  y0 = std::min(y0, 0.0);
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) y1 = y0 + 1;
  const double xs = nice_step(x1 - x0), ys = nice_step(y1 - y0);
  x0 = std::floor(x0 / xs) * xs, x1 = std::ceil(x1 / xs) * xs;
  y0 = std::floor(y0 / ys) * ys, y1 = std::ceil(y1 / ys) * ys;
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + (x - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return kTop + ph - (y - y0) / (y1 - y0) * ph; };

  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif" font-size="12">)",
                                kWidth, kHeight);
  svg += fmt::format(R"(<text x="{}" y="20" font-size="14" font-weight="bold">{}</text>)", kLeft, escape(chart.title));
  for (double x = x0; x <= x1 + xs / 2; x += xs)
    svg += fmt::format(R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" stroke="#ddd"/><text x="{0:.1f}" y="{3:.1f}" text-anchor="middle">{4:g}</text>)",
                       px(x), kTop, kTop + ph, kTop + ph + 16, x);
  for (double y = y0; y <= y1 + ys / 2; y += ys)
    svg += fmt::format(R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{2:.1f}" y2="{1:.1f}" stroke="#ddd"/><text x="{3:.1f}" y="{4:.1f}" text-anchor="end">{5:g}</text>)",
                       kLeft, py(y), kLeft + pw, kLeft - 6, py(y) + 4, y);
  svg += fmt::format(R"(<text x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)", kLeft + pw / 2, kHeight - 8,
                     escape(chart.x_label));
  svg += fmt::format(R"svg(<text x="14" y="{:.1f}" text-anchor="middle" transform="rotate(-90 14 {:.1f})">{}</text>)svg",
                     kTop + ph / 2, kTop + ph / 2, escape(chart.y_label));
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const auto& s = chart.series[i];
    const char* color = kColors[i % std::size(kColors)];
    std::string points;
    for (const auto& [x, y] : s.points) points += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
    svg += fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="1.5" points="{}"/>)", color, points);
    const double ly = kTop + 14 + 18 * static_cast<double>(i);
    svg += fmt::format(R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{2:.1f}" y2="{1:.1f}" stroke="{3}" stroke-width="3"/><text x="{4:.1f}" y="{5:.1f}">{6}</text>)",
                       kLeft + pw + 12, ly, kLeft + pw + 32, color, kLeft + pw + 38, ly + 4, escape(s.name));
  }
  return svg + "</svg>\n";
}

}  // namespace

std::string html_page(const std::string& title, const std::vector<Chart>& charts, const std::string& preformatted) {
  std::string out = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) +
                    "</title></head>\n<body style=\"font-family:sans-serif\">\n<h2>" + escape(title) + "</h2>\n";
  for (const auto& c : charts) out += "<div>" + chart_svg(c) + "</div>\n";
  out += "<pre>" + escape(preformatted) + "</pre>\n</body></html>\n";
  return out;
}

}  // namespace xpusim

#include "sim/scenario/seeds.hpp"

#include <charconv>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "sim/engine/input_error.hpp"

namespace xpusim {

namespace {

// A whole decimal integer, optionally negative: no spaces, no '+', nothing after it, in range.
std::optional<int64_t> whole_integer(std::string_view text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

constexpr int64_t kMaxSeeds = 100000;

}  // namespace

std::vector<int64_t> parse_seeds(const std::string& text) {
  std::vector<int64_t> seeds;
  std::string_view rest = text;
  for (;;) {
    const std::size_t comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    auto bad = [&](const char* why) {
      return InputError("--seeds", "", fmt::format("\"{}\" {} (write a seed or a range like 42-51)", part, why));
    };
    // A range's dash is the first '-' after the first character (which may be a minus sign).
    const std::size_t dash = part.size() > 1 ? part.find('-', 1) : std::string_view::npos;
    if (dash == std::string_view::npos) {
      const auto seed = whole_integer(part);
      if (!seed) throw bad("is not a seed");
      seeds.push_back(*seed);
    } else {
      const auto first = whole_integer(part.substr(0, dash)), last = whole_integer(part.substr(dash + 1));
      if (!first || !last) throw bad("is not a range of seeds");
      if (*first > *last) throw bad("runs backwards");
      // last - first in unsigned arithmetic: exact for any two int64 with first <= last.
      if (static_cast<uint64_t>(*last) - static_cast<uint64_t>(*first) >= uint64_t(kMaxSeeds))
        throw bad("has more than 100000 seeds");
      for (int64_t s = *first;; ++s) {
        seeds.push_back(s);
        if (s == *last) break;
      }
    }
    if (int64_t(seeds.size()) > kMaxSeeds) throw InputError("--seeds", "", "more than 100000 seeds");
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return seeds;
}

}  // namespace xpusim

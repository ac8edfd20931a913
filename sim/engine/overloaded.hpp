#pragma once
// The usual visitor helper: std::visit(overloaded{[](const A&) {...}, [](const B&) {...}}, v).

namespace xpusim {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace xpusim

#pragma once
// Name -> entry registries filled by static registrars in the file that defines each entry, so a
// new model, device class or policy is one new file and no list to edit. Names iterate sorted.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/input_error.hpp"

namespace xpusim {

template <class Entry>
class Registry {
 public:
  static Registry& instance() {
    static Registry registry;  // function-local: safe against static initialization order
    return registry;
  }
  void add(const std::string& name, Entry entry) {
    if (!entries_.emplace(name, std::move(entry)).second)
      throw std::logic_error("registered twice: " + name);
  }
  const Entry* find(std::string_view name) const {
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }
  std::string names_joined() const {
    std::string out;
    for (const auto& [name, entry] : entries_) out += (out.empty() ? "" : ", ") + name;
    return out;
  }
  // `unknown placement policy "x" (known: a, b, c)`: the one wording of every lookup error.
  std::string unknown(std::string_view name, std::string_view kind) const {
    return "unknown " + std::string(kind) + " \"" + std::string(name) + "\" (known: " + names_joined() + ")";
  }
  // The entry, or an InputError located at `where` (a flag or file) naming the known entries.
  const Entry& get(std::string_view name, const std::string& where, std::string_view kind) const {
    const Entry* entry = find(name);
    if (!entry) throw InputError(where, "", unknown(name, kind));
    return *entry;
  }

 private:
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace xpusim

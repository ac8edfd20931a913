#pragma once
// Name -> entry registries filled by static registrars in the file that defines each entry, so a
// new model, device class or policy is one new file and no list to edit. Names iterate sorted.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

 private:
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace xpusim

#include "models/device_catalog.hpp"

#include <stdexcept>

#include "models/catalog/embedded_catalog.hpp"

namespace xpusim {

DeviceCatalog DeviceCatalog::parse(const std::string& json, const std::string& file_name) {
  DeviceCatalog c;
  const auto doc = parse_json_text(json, file_name);
  const JsonView root(doc, file_name);
  root.allow_only({"schema", "fitted", "devices"});
  const auto fitted = root.at("fitted");
  fitted.expect_object();
  c.fitted_about_ = fitted.at("about").as_string();
  for (const auto& [cls, block] : fitted.raw().items()) {
    if (cls == "about") continue;
    const auto params = fitted.at(cls);
    params.expect_object();
    for (const auto& [param, unused] : params.raw().items())
      c.fitted_.push_back({cls, param, params.at(param).as_number()});
  }
  const auto devices = root.at("devices");
  devices.expect_object();
  // Parts first, then what derives from them (MIG slices name their parent GPU).
  for (bool derived : {false, true})
    for (const auto& [name, unused] : devices.raw().items()) {
      const auto entry = devices.at(name);
      entry.expect_object();
      if (entry.has("parent") != derived) continue;
      const auto cls = entry.at("class");
      const auto& parser = *[&] {
        const DeviceSpecParser* p = DeviceClassRegistry::instance().find(cls.as_string());
        if (!p) cls.fail(DeviceClassRegistry::instance().unknown(cls.as_string(), "device class"));
        return p;
      }();
      c.specs_[name] = parser(DeviceEntry{entry, name, fitted, c});
    }
  return c;
}

double DeviceCatalog::fitted_value(const std::string& device_class, const std::string& name) const {
  for (const auto& f : fitted_)
    if (f.device_class == device_class && f.name == name) return f.value;
  throw std::logic_error("the accelerator catalog has no fitted " + device_class + "." + name);
}

const DeviceCatalog& DeviceCatalog::builtin() {
  static const DeviceCatalog catalog = parse(embedded_accelerators_json(), "models/catalog/accelerators.json");
  return catalog;
}

const DeviceSpec* DeviceCatalog::find(std::string_view name) const {
  auto it = specs_.find(name);
  return it == specs_.end() ? nullptr : it->second.get();
}

const DeviceSpec& DeviceCatalog::get(std::string_view name) const {
  if (const DeviceSpec* s = find(name)) return *s;
  throw std::invalid_argument("unknown device \"" + std::string(name) + "\" (known: " + names_joined() + ")");
}

std::vector<std::string> DeviceCatalog::names() const {
  std::vector<std::string> out;
  for (const auto& [name, unused] : specs_) out.push_back(name);
  return out;
}

std::string DeviceCatalog::names_joined() const {
  std::string out;
  for (const auto& [name, unused] : specs_) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace xpusim

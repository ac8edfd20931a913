#pragma once
// Accelerator parts (models/catalog/accelerators.json). Each entry names its device class; a class
// (gpu, mig, gaudi, ...) registers a parser for its entries by name, so a new part is one JSON
// entry and a new microarchitecture one class. Parameters fitted on published measurements are
// kept per class in the same file, with how they were fitted, and listed in `xpusim validate`.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/device.hpp"
#include "sim/engine/json_input.hpp"
#include "sim/engine/registry.hpp"

namespace xpusim {

class DeviceSpec {
 public:
  virtual ~DeviceSpec() = default;
  virtual std::unique_ptr<Device> make_device() const = 0;

  std::string name, description, device_class;
  bool validated = true;  // false: sourced, but no published measurement checks it yet
  std::map<std::string, std::string> sources;  // parameter -> where the figure comes from
};

class DeviceCatalog;

// What a class gets to build a spec: its entry, the name, the catalog's fitted parameters (by
// class: "gpu", "gaudi", "hbm" shared by HBM devices, ...) and the catalog so far (a MIG slice
// reads its parent GPU).
struct DeviceEntry {
  const JsonView& entry;
  const std::string& name;
  const JsonView& fitted;
  const DeviceCatalog& catalog;
};
using DeviceSpecParser = std::function<std::shared_ptr<const DeviceSpec>(const DeviceEntry&)>;
using DeviceClassRegistry = Registry<DeviceSpecParser>;

struct DeviceClassRegistrar {
  DeviceClassRegistrar(const std::string& device_class, DeviceSpecParser parser) {
    DeviceClassRegistry::instance().add(device_class, std::move(parser));
  }
};

// A fitted parameter of a device class, as `xpusim validate` lists them.
struct FittedParameter {
  std::string device_class, name;
  double value = 0;
};

class DeviceCatalog {
 public:
  static const DeviceCatalog& builtin();
  // Strict: errors name the file and JSON pointer.
  static DeviceCatalog parse(const std::string& json, const std::string& file_name);

  const DeviceSpec* find(std::string_view name) const;
  // The spec, or std::invalid_argument naming the known devices.
  const DeviceSpec& get(std::string_view name) const;
  std::vector<std::string> names() const;
  std::string names_joined() const;
  const std::vector<FittedParameter>& fitted() const { return fitted_; }
  // A fitted parameter by class and name; std::logic_error if the catalog lacks it.
  double fitted_value(const std::string& device_class, const std::string& name) const;
  const std::string& fitted_about() const { return fitted_about_; }

 private:
  std::map<std::string, std::shared_ptr<const DeviceSpec>, std::less<>> specs_;
  std::vector<FittedParameter> fitted_;
  std::string fitted_about_;
};

}  // namespace xpusim

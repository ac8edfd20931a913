#include "sim/cli/device_choice.hpp"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

#include "sim/engine/input_error.hpp"

namespace xpusim::cli {

void add_device_options(CLI::App& cmd, DeviceChoice& choice) {
  auto* devices = cmd.add_option("--devices", choice.devices,
                                 "accelerators used per server: the first ones, as nccl-tests -g takes them (default: all)");
  cmd.add_option("--gpus", choice.gpus,
                 "accelerators used per server by number, as CUDA_VISIBLE_DEVICES names them (e.g. 0,3: on an NVLink "
                 "mesh each pair has its own links)")
      ->delimiter(',')
      ->excludes(devices);
}

std::vector<int> chosen_devices(const DeviceChoice& choice, const std::string& instance, int count) {
  if (choice.gpus.empty()) {
    if (choice.devices < 0) throw InputError("--devices", "", "must be a positive integer");
    if (choice.devices > count)
      throw InputError("--devices", "", fmt::format("{} has {} device(s), not {}", instance, count, choice.devices));
    std::vector<int> first(static_cast<std::size_t>(choice.devices > 0 ? choice.devices : count));
    std::iota(first.begin(), first.end(), 0);
    return first;
  }
  for (std::size_t i = 0; i < choice.gpus.size(); ++i) {
    const int g = choice.gpus[i];
    if (g < 0 || g >= count)
      throw InputError("--gpus", "", fmt::format("{} has devices 0 to {}, not {}", instance, count - 1, g));
    if (std::find(choice.gpus.begin(), choice.gpus.begin() + static_cast<std::ptrdiff_t>(i), g) !=
        choice.gpus.begin() + static_cast<std::ptrdiff_t>(i))
      throw InputError("--gpus", "", fmt::format("device {} is given twice", g));
  }
  return choice.gpus;
}

nlohmann::json to_json(const DeviceChoice& choice) {
  if (!choice.gpus.empty()) return choice.gpus;
  return choice.devices > 0 ? nlohmann::json(choice.devices) : nlohmann::json("all");
}

}  // namespace xpusim::cli

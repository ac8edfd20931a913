#pragma once
// Which accelerators of each server `collective` and `train` use: --devices d (the first d, as
// nccl-tests -g d takes them) or --gpus i,j,... (those, as CUDA_VISIBLE_DEVICES names them: on a
// mesh of NVLinks two GPUs' links differ from one pair to another).
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace xpusim::cli {

struct DeviceChoice {
  int devices = 0;        // 0: all
  std::vector<int> gpus;  // empty: by --devices
};

void add_device_options(CLI::App& cmd, DeviceChoice& choice);

// The accelerators of `instance` (which has `count`) each server uses, in the order given.
// Throws InputError naming the flag for more devices than it has, a GPU it lacks or one given
// twice.
std::vector<int> chosen_devices(const DeviceChoice& choice, const std::string& instance, int count);

// For the resolved configuration: "all", a count, or the GPUs.
nlohmann::json to_json(const DeviceChoice& choice);

}  // namespace xpusim::cli

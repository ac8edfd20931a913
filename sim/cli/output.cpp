#include <cstdio>

#include "reports/report_writer.hpp"
#include "sim/cli/commands.hpp"
#include "sim/engine/atomic_file.hpp"
#include "sim/engine/input_error.hpp"

namespace xpusim::cli {

void add_output_options(CLI::App& app, OutputOptions& options) {
  app.add_flag("--json", options.json, "print the JSON report on stdout instead of the table");
  app.add_option("--out", options.out_dir, "write report.json, results.csv and config.json here");
}

void emit(const OutputOptions& options, const nlohmann::json& report, const std::string& table,
          const std::string& csv, const NamedFiles& extra) {
  if (!options.out_dir.empty()) {
    NamedFiles files = report_files(report, csv);
    files.insert(files.end(), extra.begin(), extra.end());
    try {
      write_files_atomically(options.out_dir, files);
    } catch (const std::exception& e) {
      throw InputError("--out", "", e.what());
    }
  }
  const std::string text = options.json ? report.dump(2) + "\n" : table;
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (!options.json && !options.out_dir.empty())
    std::printf("\nreport: %s/report.json, %s/results.csv, %s/config.json\n", options.out_dir.c_str(),
                options.out_dir.c_str(), options.out_dir.c_str());
}

void write_output_file(const std::string& flag, const std::string& path, const std::string& content) {
  try {
    write_file_atomically(path, content);
  } catch (const std::exception& e) {
    throw InputError(flag, "", e.what());
  }
}

void check_output_file(const std::string& flag, const std::string& path) {
  try {
    check_writable(path);
  } catch (const std::exception& e) {
    throw InputError(flag, "", e.what());
  }
}

}  // namespace xpusim::cli

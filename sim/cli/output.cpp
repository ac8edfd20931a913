#include <cstdio>

#include "reports/report_writer.hpp"
#include "sim/cli/commands.hpp"

namespace xpusim::cli {

void add_output_options(CLI::App& app, OutputOptions& options) {
  app.add_flag("--json", options.json, "print the JSON report on stdout instead of the table");
  app.add_option("--out", options.out_dir, "write report.json, results.csv and config.json here");
}

void emit(const OutputOptions& options, const nlohmann::json& report, const std::string& table,
          const std::string& csv) {
  if (!options.out_dir.empty()) write_report_files(options.out_dir, report, csv);
  const std::string text = options.json ? report.dump(2) + "\n" : table;
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (!options.json && !options.out_dir.empty())
    std::printf("\nreport: %s/report.json, %s/results.csv, %s/config.json\n", options.out_dir.c_str(),
                options.out_dir.c_str(), options.out_dir.c_str());
}

}  // namespace xpusim::cli

#pragma once
// Report formats. Every command writes the same envelope: a versioned JSON report (snake_case
// keys, units in the names), a CSV of its rows, a terminal table, and the resolved configuration
// (every default filled in) so that the run can be repeated.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/results.hpp"

namespace xpusim {

inline constexpr const char* kReportSchema = "xpusim.report/1";

// Rounds to `digits` significant digits: reports stay readable and stable across compilers.
double round_significant(double value, int digits = 6);

// CSV cells and lines (RFC 4180 quoting), and number formats shared by every writer.
std::string csv_escape(const std::string& s);
std::string csv_line(const std::vector<std::string>& cells);
std::string num(double v);                   // 6 significant digits
std::string fixed(double v, int decimals);

nlohmann::json to_json(const ModelRunResult& r);
nlohmann::json to_json(const KernelRunResult& r);
nlohmann::json to_json(const CalibrationReport& r);

std::string model_results_csv(const std::vector<ModelRunResult>& rows);
std::string model_results_table(const std::vector<ModelRunResult>& rows);
std::string kernel_results_csv(const std::vector<KernelRunResult>& rows);
std::string kernel_results_table(const std::vector<KernelRunResult>& rows);
std::string calibration_csv(const CalibrationReport& r);
std::string calibration_table(const CalibrationReport& r);

// {"schema", "command", "config", "results"}.
nlohmann::json make_report(const std::string& command, const nlohmann::json& config,
                           const nlohmann::json& results);

// The files of --out DIR: report.json, results.csv and config.json.
std::vector<std::pair<std::string, std::string>> report_files(const nlohmann::json& report, const std::string& csv);

}  // namespace xpusim

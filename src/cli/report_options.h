// The options `litesr eval` and `litesr compare` share for their HTML report (docs/report.md), and the helpers
// that turn them into the report module's settings.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "report/image_panel.h"
#include "report/model_card.h"

namespace litesr::cli {

struct ReportArgs {
  std::string report;        // --report FILE.html ("" = none)
  int crop = 64;             // --crop: region side in output pixels
  int regions = 3;           // --regions: regions per image
  bool full_images = false;  // --full-images: embed whole images
  int time_runs = 10;        // --time-runs: timed 720p runs per model (0 = no timing)
};

void add_report_options(CLI::App* cmd, ReportArgs& args);

// "" when valid, else the usage message.
std::string check_report_args(const ReportArgs& args);

PanelOptions panel_options(const ReportArgs& args);
ModelCardOptions timing_options(const ReportArgs& args, int threads);

// The command line a report states: "litesr" and the arguments, quoted for a POSIX shell.
std::string report_command_line(const std::vector<std::string>& argv);

// The current time as "YYYY-MM-DD HH:MM UTC".
std::string utc_now_text();

}  // namespace litesr::cli

#include "cli/report_options.h"

#include <chrono>
#include <ctime>

#include "report/html_encoding.h"

namespace litesr::cli {

void add_report_options(CLI::App* cmd, ReportArgs& args) {
  cmd->add_option("--report", args.report,
                  "Write a self-contained HTML report (tables, charts, crops with zoom and a before/after slider)");
  cmd->add_option("--crop", args.crop, "Report: side of each region crop in output pixels")->capture_default_str();
  cmd->add_option("--regions", args.regions, "Report: regions per image where the methods differ most (1-8)")
      ->capture_default_str();
  cmd->add_flag("--full-images", args.full_images, "Report: embed whole images instead of crops (large files)");
  cmd->add_option("--time-runs", args.time_runs, "Report: timed 720p runs per model (0 = do not time)")
      ->capture_default_str();
}

std::string check_report_args(const ReportArgs& args) {
  if (args.crop < 8 || args.crop > 1024) return "--crop must be 8..1024 pixels";
  if (args.regions < 1 || args.regions > 8) return "--regions must be 1..8";
  if (args.time_runs < 0) return "--time-runs must be >= 0";
  return "";
}

PanelOptions panel_options(const ReportArgs& args) {
  PanelOptions o;
  o.crop_size = args.crop;
  o.regions = args.regions;
  o.full_images = args.full_images;
  return o;
}

ModelCardOptions timing_options(const ReportArgs& args, int threads) {
  ModelCardOptions o;
  o.timed_runs = args.time_runs;
  o.warmup_runs = args.time_runs > 0 ? 3 : 0;
  o.threads = threads;
  return o;
}

std::string report_command_line(const std::vector<std::string>& argv) {
  std::vector<std::string> args{"litesr"};
  if (argv.size() > 1) args.insert(args.end(), argv.begin() + 1, argv.end());
  return shell_command_line(args);
}

std::string utc_now_text() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

}  // namespace litesr::cli

// `litesr compare`: several SR methods side by side on the same images — scores, cost and an HTML report
// (docs/report.md).
//
//   litesr compare -n MODEL [-n MODEL ...] -i PATH [-i PATH ...] [-s S] [--hr] [--report FILE.html]
//                  [--json FILE] [--shave N] [--lr-border B] [-j N] [--time-runs N] [--crop N] [--regions K]
//                  [--full-images] [--progress auto|bar|json|none]
//
// PATH: a dataset folder with HR/ (scores against it), or a folder of images / one image (LR inputs without
// ground truth; with --hr they are ground truth and their LR is generated). Bicubic (MATLAB-exact) is always the
// first column. Prints each set's mean scores; --json writes every number, --report the HTML page.
// Exit codes: 0 ok, 1 failure, 2 usage error, 130 interrupted.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/progress.h"
#include "base/resample_weights.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report_options.h"
#include "io/atomic_file.h"
#include "models/builtin_models.h"
#include "report/comparison_report.h"
#include "report/report_job.h"

namespace litesr::cli {
namespace {

struct CompareArgs {
  std::vector<std::string> models;
  std::vector<std::string> inputs;
  int scale = 0;
  bool hr = false;
  std::string json;
  int shave = -1;
  std::string lr_border = "replicate";
  int threads = 0;
  std::string progress = "auto";
  ReportArgs report;
};

int run_compare(const CompareArgs& args, CommandContext& ctx) {
  if (args.models.empty()) return usage_error("give at least one model with -n/--model");
  if (args.inputs.empty()) return usage_error("give the images with -i/--input (a dataset folder, a folder or a file)");
  if (args.scale < 0) return usage_error("--scale must be a positive integer");
  if (args.shave < -1) return usage_error("--shave must be >= 0 (or -1 for the scale)");
  if (const std::string why = check_report_args(args.report); !why.empty()) return usage_error(why);
  Result<BorderMode> border = parse_border_mode(args.lr_border);
  if (!border.ok()) return usage_error(border.status().message());
  Result<ProgressMode> progress_mode = parse_progress_mode(args.progress);
  if (!progress_mode.ok()) return usage_error(progress_mode.status().message());

  std::vector<std::string> methods{"bicubic"};  // the baseline column, always first
  for (const std::string& m : args.models) {
    bool seen = false;
    for (const std::string& have : methods) seen = seen || have == m;
    if (!seen) methods.push_back(m);
  }
  int scale = args.scale;
  if (scale == 0) {
    Result<int> common = common_model_scale(methods, models::kBicubicDefaultScale);
    if (!common.ok()) return usage_error(common.status().message());
    scale = *common;
  }
  for (const std::string& m : methods) {  // unknown models and wrong scales are usage errors, found before any work
    if (m == "bicubic") continue;
    Result<ModelFile> file = models::resolve_model(m, scale);
    if (!file.ok()) {
      const StatusCode code = file.status().code();
      if (code == StatusCode::kNotFound || code == StatusCode::kInvalidArgument) {
        return usage_error(file.status().message());
      }
      return report_error(file.status());
    }
  }

  ReportJob job;
  job.methods = methods;
  int64_t total = 0;
  for (const std::string& path : args.inputs) {
    ComparisonInputOptions io;
    io.scale = scale;
    io.images_are_hr = args.hr;
    io.lr_border = *border;
    Result<ComparisonInput> in = open_comparison_input(path, io);
    if (!in.ok()) return report_error(in.status());
    total += static_cast<int64_t>(in->dataset.pairs.size());
    job.inputs.push_back(std::move(in).value());
  }
  Progress progress(*progress_mode, "compare", total);
  job.options.shave = args.shave;
  job.options.jobs = args.threads;
  job.options.panels = !args.report.report.empty();
  job.options.panel = panel_options(args.report);
  job.options.cancel = ctx.cancel;
  job.options.progress = &progress;
  job.threads = args.threads;
  job.timing = timing_options(args.report, args.threads);
  std::string title = "LiteSR comparison:";
  for (std::size_t i = 0; i < methods.size(); ++i) title += (i == 0 ? " " : ", ") + methods[i];
  job.title = title;
  job.command = report_command_line(ctx.argv);
  job.version = LITESR_VERSION;
  job.generated = utc_now_text();
  if (args.report.time_runs == 0) job.notes.push_back("Models were not timed (--time-runs 0).");

  Result<ComparisonReport> report = run_report_job(job);
  progress.finish();
  if (!report.ok()) return report_error(report.status());
  std::fputs(comparison_report_text(*report).c_str(), stdout);
  if (!args.json.empty()) {
    const Status s = write_file_atomically(args.json, comparison_report_json(*report));
    if (!s.ok()) return report_error(s);
  }
  if (!args.report.report.empty()) {
    const std::string html = comparison_report_html(*report);
    const Status s = write_file_atomically(args.report.report, html);
    if (!s.ok()) return report_error(s);
    std::printf("report: %s (%.1f MB)\n", args.report.report.c_str(), static_cast<double>(html.size()) / 1e6);
  }
  return kExitOk;
}

}  // namespace

void register_compare_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare", "Compare SR models side by side on the same images: scores, cost and an HTML report");
  cmd->add_option("-n,--model", args->models, "A model to compare: built-in name or .safetensors (repeatable)");
  cmd->add_option("-i,--input", args->inputs,
                  "Images: a dataset folder with HR/, a folder of images or one image (repeatable)");
  cmd->add_option("-s,--scale", args->scale, "Scale (default: the models' own)");
  cmd->add_flag("--hr", args->hr, "Plain images are ground truth: generate their LR (MATLAB bicubic) and score");
  cmd->add_option("--json", args->json, "Write every score, the models and the command as JSON to FILE");
  add_report_options(cmd, args->report);
  cmd->add_option("--shave", args->shave, "Border pixels ignored by the metrics (-1 = the scale)")
      ->capture_default_str();
  cmd->add_option("--lr-border", args->lr_border, "Border rule for generated LR: replicate|symmetric|reflect|circular")
      ->capture_default_str();
  cmd->add_option("-j,--threads", args->threads, "Images in parallel and threads per model (0 = one per core)")
      ->capture_default_str();
  cmd->add_option("--progress", args->progress, "auto|bar|json|none")->capture_default_str();
  cmd->callback([args, &ctx] { ctx.exit_code = run_compare(*args, ctx); });
}

}  // namespace litesr::cli

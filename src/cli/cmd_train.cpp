// `litesr train`: trains a network from a multi-stage TOML recipe (docs/training.md).
//
//   litesr train --recipe FILE [--out DIR] [--resume] [-j THREADS] [--loader-threads N]
//                [--progress auto|bar|json|none] [--stop-after N] [--nas-lambda X] [-v]
//   litesr train --compare DIR [DIR ...] [--chart FILE.svg] [--report FILE.html] [--json FILE]
//
// Writes DIR/model.safetensors (default DIR: runs/<recipe name>), checkpoints, train_log.jsonl and
// curves.svg. Errors in the recipe, missing data folders and an unwritable DIR are reported before any
// training. `--compare` trains nothing: it summarises finished or running runs from their train_log.jsonl
// (iterations, last and best validation PSNR-Y) and draws their curves overlaid; --report writes an HTML page of
// the runs (summary, curves, and the validation crops over time when RUN/val_crops holds them; docs/report.md),
// --json the same numbers.
// Exit codes: 0 ok, 1 failure, 2 usage error, 130 interrupted (a checkpoint is saved first).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/progress.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report_options.h"
#include "io/atomic_file.h"
#include "report/training_report.h"
#include "train/trainer.h"
#include "train/training_log.h"

namespace litesr::cli {
namespace {

struct TrainArgs {
  std::string recipe;
  std::string out;
  bool resume = false;
  int threads = 1;
  int loader_threads = 0;
  std::string progress = "auto";
  long long stop_after = 0;
  bool channels_last = false;
  bool bf16 = false;
  double nas_lambda = 0.0;
  CLI::Option* nas_lambda_option = nullptr;  // given: overrides the search stage's nas_lambda
  std::vector<std::string> compare;          // run folders to summarise instead of training
  std::string chart;                         // --compare: SVG of the overlaid curves
  std::string report;                        // --compare: HTML report of the runs (report/training_report.h)
  std::string json;                          // --compare: JSON of the runs' numbers
};

// The report module's copy of a run's curves (report/ does not link LibTorch).
TrainingRunCurves report_curves(const train::RunCurves& r, const std::string& dir) {
  TrainingRunCurves c;
  c.name = r.name;
  c.dir = dir;
  c.scale = r.scale;
  c.last_iteration = r.last_iteration;
  for (const train::CurvePoint& p : r.loss) c.loss.push_back({p.global_iteration, p.value});
  for (const train::CurvePoint& p : r.psnr) c.psnr.push_back({p.global_iteration, p.value});
  return c;
}

int run_compare(const TrainArgs& args, const CommandContext& ctx) {
  std::vector<train::RunCurves> runs;
  std::vector<TrainingRunCurves> report_runs;
  for (const std::string& dir : args.compare) {
    Result<train::RunCurves> run = train::read_run_curves(dir);
    if (!run.ok()) return report_error(run.status());
    report_runs.push_back(report_curves(*run, dir));
    runs.push_back(std::move(*run));
  }
  // Validation columns are at each run's final scale (an ELSR x4 run's x2 pre-training is left out).
  std::printf("%-28s %11s %6s %12s %12s %12s %s\n", "run", "iterations", "scale", "validations", "last PSNR-Y",
              "best PSNR-Y", "(at iteration)");
  for (const train::RunCurves& r : runs) {
    if (r.psnr.empty()) {
      std::printf("%-28s %11lld %6s %12d %12s %12s\n", r.name.c_str(), static_cast<long long>(r.last_iteration), "-",
                  0, "-", "-");
      continue;
    }
    const train::CurvePoint* best = &r.psnr.front();
    for (const train::CurvePoint& p : r.psnr) best = p.value > best->value ? &p : best;
    std::printf("%-28s %11lld %5s%d %12zu %12.3f %12.3f (%lld)\n", r.name.c_str(),
                static_cast<long long>(r.last_iteration), "x", r.scale, r.psnr.size(), r.psnr.back().value, best->value,
                static_cast<long long>(best->global_iteration));
  }
  if (!args.chart.empty()) {
    Status written = write_file_atomically(args.chart, train::comparison_svg(runs, "training runs compared"));
    if (!written.ok()) return report_error(written);
    std::printf("chart: %s\n", args.chart.c_str());
  }
  TrainingReportOptions ro;
  ro.title = "LiteSR training runs compared:";
  for (std::size_t i = 0; i < report_runs.size(); ++i) ro.title += (i == 0 ? " " : ", ") + report_runs[i].name;
  ro.command = report_command_line(ctx.argv);
  ro.version = LITESR_VERSION;
  ro.generated = utc_now_text();
  if (!args.json.empty()) {
    Result<std::string> json = training_report_json(report_runs, ro);
    if (!json.ok()) return report_error(json.status());
    const Status written = write_file_atomically(args.json, *json);
    if (!written.ok()) return report_error(written);
  }
  if (!args.report.empty()) {
    Result<std::string> html = training_report_html(report_runs, ro);
    if (!html.ok()) return report_error(html.status());
    const Status written = write_file_atomically(args.report, *html);
    if (!written.ok()) return report_error(written);
    std::printf("report: %s (%.1f MB)\n", args.report.c_str(), static_cast<double>(html->size()) / 1e6);
  }
  return kExitOk;
}

int run_train(const TrainArgs& args, CommandContext& ctx) {
  if (!args.compare.empty()) {
    if (!args.recipe.empty()) return usage_error("--compare summarises runs; it does not take --recipe");
    return run_compare(args, ctx);
  }
  if (args.recipe.empty()) return usage_error("--recipe is required (or --compare RUN_DIR ...)");
  if (!args.chart.empty()) return usage_error("--chart goes with --compare");
  if (!args.report.empty()) return usage_error("--report goes with --compare");
  if (!args.json.empty()) return usage_error("--json goes with --compare");
  Result<ProgressMode> mode = parse_progress_mode(args.progress);
  if (!mode.ok()) return usage_error(mode.status().message());
  if (args.threads < 1) return usage_error("--threads must be at least 1");
  train::TrainOptions options;
  options.recipe = args.recipe;
  options.out_dir = args.out;
  options.resume = args.resume;
  options.threads = args.threads;
  options.loader_threads = args.loader_threads;
  options.progress = *mode;
  options.cancel = ctx.cancel;
  options.stop_after_iterations = args.stop_after;
  options.verbose = ctx.verbosity > 0;
  options.channels_last = args.channels_last;
  options.bf16 = args.bf16;
  if (args.nas_lambda_option != nullptr && args.nas_lambda_option->count() > 0) options.nas_lambda = args.nas_lambda;
  Result<train::TrainSummary> summary = train::run_training(options);
  if (!summary.ok()) return report_error(summary.status());
  if (summary->finished && summary->nas_nc > 0) {
    std::printf("FGNAS found EVSRNet nc = %d, nb = %d\n", summary->nas_nc, summary->nas_nb);
  }
  if (summary->finished) {
    std::printf("trained %lld iterations; model: %s (last validation PSNR-Y %.3f dB)\n",
                static_cast<long long>(summary->iterations), summary->model_path.c_str(), summary->last_psnr_y);
  } else {
    std::printf("stopped after %lld iterations; checkpoint in %s (continue with --resume)\n",
                static_cast<long long>(summary->iterations), summary->out_dir.c_str());
  }
  return kExitOk;
}

}  // namespace

void register_train_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a network from a multi-stage TOML recipe (recipes/*.toml), or compare runs");
  cmd->add_option("--recipe", args->recipe, "Recipe file (TOML)");
  cmd->add_option("-o,--out", args->out, "Output folder (default: runs/<recipe name>)");
  cmd->add_flag("--resume", args->resume, "Continue the run in the output folder from its checkpoint");
  cmd->add_option("-j,--threads", args->threads, "LibTorch threads (1 = bit-reproducible)")->capture_default_str();
  cmd->add_option("--loader-threads", args->loader_threads, "Data loader threads (default: the recipe's)");
  cmd->add_option("--progress", args->progress, "Progress display: auto, bar, json, none")->capture_default_str();
  cmd->add_flag("--channels-last", args->channels_last, "Conv weights and batches in NHWC (faster with oneDNN)");
  cmd->add_flag("--bf16", args->bf16, "Forward pass under CPU autocast to bfloat16 (AMX/AVX512-BF16); loss in float32");
  args->nas_lambda_option = cmd->add_option(
      "--nas-lambda", args->nas_lambda,
      "Replace the FGNAS search stage's nas_lambda (a lambda sweep; recorded in the stored recipe, so --resume "
      "needs the same value)");
  cmd->add_option("--stop-after", args->stop_after, "Checkpoint and stop after this many iterations (0 = run all)");
  cmd->add_option("--compare", args->compare,
                  "Train nothing: summarise these run folders (iterations, last and best validation PSNR-Y)");
  cmd->add_option("--chart", args->chart, "With --compare: write their curves overlaid to this SVG");
  cmd->add_option("--report", args->report,
                  "With --compare: write a self-contained HTML report (summary, curves, validation crops over time)");
  cmd->add_option("--json", args->json, "With --compare: write the runs' summaries and curves as JSON");
  cmd->callback([args, &ctx] { ctx.exit_code = run_train(*args, ctx); });
}

}  // namespace litesr::cli

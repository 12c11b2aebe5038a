// `litesr eval`: PSNR/SSIM (Y and RGB) of an SR method on benchmark datasets (docs/evaluation.md).
//
//   litesr eval --method bicubic -d DIR [-d DIR ...] -s S[,S...] [--json FILE] [--csv FILE] [--save DIR]
//               [--shave N] [--lr-border B] [--summary] [-j N] [--progress auto|bar|json|none]
//               [--report FILE.html [--crop N] [--regions K] [--full-images] [--time-runs N]]
//
// DIR holds HR/ and optionally LR_bicubic/X<S>/ (generated when absent). Prints a table on stdout. --report also
// runs bicubic beside the method (the baseline of the report's gains and slider) and writes an HTML page of the
// same numbers (docs/report.md); the table, --json and --csv are unchanged.
// Exit codes: 0 ok, 1 failure (missing folder, unreadable image, ...), 2 usage error, 130 interrupted.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/progress.h"
#include "base/resample_weights.h"
#include "base/worker_threads.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report_options.h"
#include "eval/eval_report.h"
#include "eval/evaluation.h"
#include "eval/sr_dataset.h"
#include "io/atomic_file.h"
#include "report/comparison_report.h"
#include "report/report_job.h"
#include "upscaler/frame_sequence_eval.h"
#include "upscaler/model_upscaler.h"

namespace litesr::cli {
namespace {

namespace fs = std::filesystem;

struct EvalArgs {
  std::string method = "bicubic";
  std::string model;  // -n: built-in name or .safetensors; overrides --method
  std::string lr_frames;  // video mode: LR frame folder, scored against gt_frames
  std::string gt_frames;
  std::vector<std::string> datasets;
  std::vector<int> scales;
  std::string json;
  std::string csv;
  std::string save;
  int shave = -1;
  std::string lr_border = "replicate";
  bool summary = false;
  int threads = 0;
  std::string progress = "auto";
  ReportArgs report;
};

// The CLI's method choice -> the upscaler evaluated at `scale`: `--method bicubic` (eval's own MATLAB
// imresize) or `-n/--model NAME|FILE`: one single-threaded instance of the model per image worker (-j), the images
// side by side (make_model_image_upscaler's lanes), or with -j 1 one session.
// kNotFound for an unknown method/model; kInvalidArgument for a scale it does not support.
Result<ImageUpscaler> make_eval_upscaler(const EvalArgs& args, int scale) {
  if (!args.model.empty()) {
    return make_model_image_upscaler({args.model, scale, args.threads, 0, {}}, worker_count(args.threads));
  }
  if (args.method == "bicubic") {
    if (scale < 1) return invalid_argument("bicubic scale must be >= 1");
    return make_bicubic_upscaler(scale);  // MATLAB imresize(LR, s, 'bicubic'): a = -0.5, symmetric borders
  }
  return not_found("unknown method '" + args.method + "' (use --method bicubic or -n MODEL)");
}

// Prints the table on stdout and writes --json / --csv; the exit code.
int report_results(const EvalArgs& args, const std::vector<EvaluationResult>& results) {
  EvalTableOptions topt;
  topt.per_image = !args.summary;
  std::fputs(format_eval_table(results, topt).c_str(), stdout);
  std::fflush(stdout);
  if (!args.json.empty()) {
    const Status s = write_eval_json(args.json, results);
    if (!s.ok()) return report_error(s);
  }
  if (!args.csv.empty()) {
    const Status s = write_eval_csv(args.csv, results);
    if (!s.ok()) return report_error(s);
  }
  return kExitOk;
}

// `--lr-frames DIR --gt-frames DIR`: a video as frame sequences (multi-frame models keep their state).
int run_frame_eval(const EvalArgs& args, CommandContext& ctx) {
  if (args.lr_frames.empty() || args.gt_frames.empty()) return usage_error("give both --lr-frames and --gt-frames");
  if (!args.datasets.empty()) return usage_error("--dataset and --lr-frames/--gt-frames are exclusive");
  if (args.scales.size() > 1) return usage_error("frame-sequence evaluation takes one --scale");
  if (!args.report.report.empty()) return usage_error("--report evaluates datasets (-d), not frame sequences");
  Result<ProgressMode> progress_mode = parse_progress_mode(args.progress);
  if (!progress_mode.ok()) return usage_error(progress_mode.status().message());
  FrameSequenceEvalOptions options;
  options.lr_dir = args.lr_frames;
  options.gt_dir = args.gt_frames;
  options.model = args.model.empty() ? args.method : args.model;
  options.scale = args.scales.empty() ? 0 : args.scales[0];
  options.shave = args.shave;
  options.threads = args.threads;
  Progress progress(*progress_mode, "eval", -1);
  Result<EvaluationResult> r = evaluate_frame_sequence(options, ctx.cancel, &progress);
  progress.finish();
  if (!r.ok()) {
    const StatusCode code = r.status().code();
    return code == StatusCode::kInvalidArgument && r.status().message().find("frames") == std::string::npos
               ? usage_error(r.status().message())
               : report_error(r.status());
  }
  const std::vector<EvaluationResult> results{std::move(r).value()};
  return report_results(args, results);
}

// One dataset at one scale, opened, with the method's upscaler for that scale.
struct EvalJob {
  SrDataset dataset;
  SrDatasetOptions options;
  const ImageUpscaler* upscaler;
};

// `--report`: the method and bicubic image by image (report/report_job.h), the usual table / JSON / CSV from the
// method's scores, and the HTML page.
int run_eval_report(const EvalArgs& args, CommandContext& ctx, std::vector<EvalJob> jobs, BorderMode border,
                    ProgressMode progress_mode, int64_t total_images) {
  const std::string method = args.model.empty() ? args.method : args.model;
  ReportJob job;
  job.methods = {"bicubic"};
  if (method != "bicubic") job.methods.push_back(method);
  const int method_index = static_cast<int>(job.methods.size()) - 1;
  // The evaluated method exactly as without --report; bicubic beside it is eval's MATLAB bicubic.
  job.make_upscaler = [&](const std::string& name, int scale) -> Result<ImageUpscaler> {
    if (name == method) return make_eval_upscaler(args, scale);
    return make_method_upscaler(name, scale, args.threads);
  };
  for (EvalJob& j : jobs) job.inputs.push_back(comparison_input_from_dataset(std::move(j.dataset), border));
  Progress progress(progress_mode, "eval", total_images);
  job.options.shave = args.shave;
  job.options.jobs = args.threads;
  job.options.panel = panel_options(args.report);
  job.options.cancel = ctx.cancel;
  job.options.progress = &progress;
  job.threads = args.threads;
  job.timing = timing_options(args.report, args.threads);
  job.save_root = args.save;
  job.save_method = method_index;
  job.title = "LiteSR evaluation: " + method;
  job.command = report_command_line(ctx.argv);
  job.version = LITESR_VERSION;
  job.generated = utc_now_text();
  if (args.report.time_runs == 0) job.notes.push_back("Models were not timed (--time-runs 0).");
  Result<ComparisonReport> report = run_report_job(job);
  progress.finish();
  if (!report.ok()) return report_error(report.status());
  std::vector<EvaluationResult> results;
  for (const ComparedSet& set : report->sets) results.push_back(set.results[method_index]);
  const int rc = report_results(args, results);
  if (rc != kExitOk) return rc;
  const std::string html = comparison_report_html(*report);
  const Status s = write_file_atomically(args.report.report, html);
  if (!s.ok()) return report_error(s);
  std::printf("report: %s (%.1f MB)\n", args.report.report.c_str(), static_cast<double>(html.size()) / 1e6);
  return kExitOk;
}

int run_eval(const EvalArgs& args, CommandContext& ctx) {
  if (!args.lr_frames.empty() || !args.gt_frames.empty()) return run_frame_eval(args, ctx);
  if (args.datasets.empty()) return usage_error("give at least one --dataset DIR");
  if (args.scales.empty()) return usage_error("give at least one --scale");
  for (int s : args.scales) {
    if (s < 1) return usage_error("--scale must be a positive integer, got " + std::to_string(s));
  }
  if (args.shave < -1) return usage_error("--shave must be >= 0 (or -1 for the scale)");
  if (const std::string why = check_report_args(args.report); !why.empty()) return usage_error(why);
  Result<BorderMode> border = parse_border_mode(args.lr_border);
  if (!border.ok()) return usage_error(border.status().message());
  Result<ProgressMode> progress_mode = parse_progress_mode(args.progress);
  if (!progress_mode.ok()) return usage_error(progress_mode.status().message());
  // Validate the method for every scale before any work.
  std::vector<ImageUpscaler> upscalers;
  for (int s : args.scales) {
    Result<ImageUpscaler> u = make_eval_upscaler(args, s);
    if (!u.ok()) {
      if (u.status().code() == StatusCode::kNotFound || u.status().code() == StatusCode::kInvalidArgument) {
        return usage_error(u.status().message());
      }
      return report_error(u.status());
    }
    upscalers.push_back(std::move(u).value());
  }

  // Open everything first, so a missing folder fails before minutes of work.
  std::vector<EvalJob> jobs;
  int64_t total_images = 0;
  for (const std::string& dir : args.datasets) {
    for (std::size_t k = 0; k < args.scales.size(); ++k) {
      SrDatasetOptions dopt;
      dopt.scale = args.scales[k];
      dopt.lr_border = *border;
      Result<SrDataset> ds = open_sr_dataset(dir, dopt);
      if (!ds.ok()) return report_error(ds.status());
      total_images += static_cast<int64_t>(ds->pairs.size());
      jobs.push_back({std::move(ds).value(), dopt, &upscalers[k]});
    }
  }

  if (!args.report.report.empty()) return run_eval_report(args, ctx, std::move(jobs), *border, *progress_mode, total_images);

  Progress progress(*progress_mode, "eval", total_images);
  std::vector<EvaluationResult> results;
  for (const EvalJob& job : jobs) {
    EvaluationOptions eopt;
    eopt.shave = args.shave;
    eopt.threads = args.threads;
    eopt.cancel = ctx.cancel;
    eopt.progress = &progress;
    if (!args.save.empty()) {
      eopt.save_dir = fs::path(args.save) / job.dataset.name / ("x" + std::to_string(job.dataset.scale));
    }
    Result<EvaluationResult> r =
        evaluate_dataset(job.dataset, job.options, *job.upscaler, args.model.empty() ? args.method : args.model, eopt);
    if (!r.ok()) {
      progress.finish();
      return report_error(r.status());
    }
    results.push_back(std::move(r).value());
  }
  progress.finish();

  return report_results(args, results);
}

}  // namespace

void register_eval_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "PSNR/SSIM on Y and RGB of an SR method over benchmark datasets (DIR/HR, DIR/LR_bicubic/X<s>)");
  cmd->add_option("-m,--method", args->method, "SR method: bicubic")->capture_default_str();
  cmd->add_option("-n,--model", args->model, "Evaluate a model instead: built-in name or .safetensors file");
  cmd->add_option("-d,--dataset", args->datasets, "Dataset folder with HR/ (repeatable)");
  cmd->add_option("--lr-frames", args->lr_frames, "Video mode: folder of LR frames, upscaled in order");
  cmd->add_option("--gt-frames", args->gt_frames, "Video mode: folder of ground-truth frames (same names order)");
  cmd->add_option("-s,--scale", args->scales, "Scale factor(s), e.g. 4 or 2,3,4")->delimiter(',');
  cmd->add_option("--json", args->json, "Write per-image and mean scores as JSON to FILE");
  cmd->add_option("--csv", args->csv, "Write per-image and mean scores as CSV to FILE");
  cmd->add_option("--save", args->save, "Write the SR images to DIR/<dataset>/x<s>/<name>.png");
  cmd->add_option("--shave", args->shave, "Border pixels ignored by the metrics (-1 = the scale)")->capture_default_str();
  cmd->add_option("--lr-border", args->lr_border, "Border rule for generated LR: replicate|symmetric|reflect|circular")
      ->capture_default_str();
  cmd->add_flag("--summary", args->summary, "Print only the mean row of each dataset and scale");
  cmd->add_option("-j,--threads", args->threads, "Images evaluated in parallel (0 = one per core)")->capture_default_str();
  cmd->add_option("--progress", args->progress, "auto|bar|json|none")->capture_default_str();
  add_report_options(cmd, args->report);
  cmd->callback([args, &ctx] { ctx.exit_code = run_eval(*args, ctx); });
}

}  // namespace litesr::cli

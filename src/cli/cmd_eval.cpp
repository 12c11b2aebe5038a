// `litesr eval`: PSNR/SSIM (Y and RGB) of an SR method on benchmark datasets (docs/evaluation.md).
//
//   litesr eval --method bicubic -d DIR [-d DIR ...] -s S[,S...] [--json FILE] [--csv FILE] [--save DIR]
//               [--shave N] [--lr-border B] [--summary] [-j N] [--progress auto|bar|json|none]
//
// DIR holds HR/ and optionally LR_bicubic/X<S>/ (generated when absent). Prints a table on stdout.
// Exit codes: 0 ok, 1 failure (missing folder, unreadable image, ...), 2 usage error, 130 interrupted.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/progress.h"
#include "base/resample_weights.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "upscaler/frame_sequence_eval.h"
#include "upscaler/model_upscaler.h"
#include "eval/eval_report.h"
#include "eval/evaluation.h"
#include "eval/sr_dataset.h"

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
};

// The CLI's method choice -> the upscaler evaluated at `scale`: `--method bicubic` (eval's own MATLAB
// imresize) or `-n/--model NAME|FILE` (a runtime Session). A Session is not thread-safe, so its calls are
// serialised; decoding and scoring still run on -j threads, and the session itself uses `threads`.
// kNotFound for an unknown method/model; kInvalidArgument for a scale it does not support.
Result<ImageUpscaler> make_eval_upscaler(const EvalArgs& args, int scale) {
  if (!args.model.empty()) return make_model_image_upscaler({args.model, scale, args.threads, 0, {}});
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

int run_eval(const EvalArgs& args, CommandContext& ctx) {
  if (!args.lr_frames.empty() || !args.gt_frames.empty()) return run_frame_eval(args, ctx);
  if (args.datasets.empty()) return usage_error("give at least one --dataset DIR");
  if (args.scales.empty()) return usage_error("give at least one --scale");
  for (int s : args.scales) {
    if (s < 1) return usage_error("--scale must be a positive integer, got " + std::to_string(s));
  }
  if (args.shave < -1) return usage_error("--shave must be >= 0 (or -1 for the scale)");
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
  struct Job {
    SrDataset dataset;
    SrDatasetOptions options;
    const ImageUpscaler* upscaler;
  };
  std::vector<Job> jobs;
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

  Progress progress(*progress_mode, "eval", total_images);
  std::vector<EvaluationResult> results;
  for (const Job& job : jobs) {
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
  cmd->callback([args, &ctx] { ctx.exit_code = run_eval(*args, ctx); });
}

}  // namespace litesr::cli

// `litesr upscale`: upscale an image file or a folder of images with a built-in or user model.
//
//   litesr upscale -i photo.jpg                      -> photo_x4.jpg beside it (default model)
//   litesr upscale -i in/ -o out/ -r -f webp -n elsr-x2
//   litesr upscale -i frame.png -s 1.5              -> 1.5x (the model at x2 if its family has one, then a resize)
//   litesr upscale -i frame.png --size 3840x2160
// Folders are mirrored (with -r, recursively); existing outputs are skipped unless --overwrite; every
// output is written atomically; alpha, 16-bit depth, ICC and EXIF are kept, EXIF orientation is applied.
// Large images (output of 32 MP or more, or any with --stream always) stream through in bands of rows
// (upscaler/streamed_upscale.h) when the model, input and output formats allow it; memory then stays bounded by
// the band. Folders run as a pipeline (upscaler/batch_upscale.h): the next files decode and the previous ones
// encode while one upscales. Exit codes: 0 all done, 1 failure, 2 usage, 3 some images failed, 130 interrupted.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/progress.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/atomic_file.h"
#include "io/image_file.h"
#include "io/image_folder.h"
#include "upscaler/batch_upscale.h"
#include "upscaler/model_upscaler.h"
#include "upscaler/output_size.h"

namespace litesr::cli {

namespace fs = std::filesystem;

namespace {

struct UpscaleArgs {
  std::string input;
  std::string output;
  std::string model;
  std::string scale;  // "" = the model's; else a factor > 1 (OutputSize::parse_scale)
  std::string size;   // "" or WIDTHxHEIGHT
  int tile = 0;
  int threads = 0;
  std::string format;
  int quality = 95;
  bool lossless = false;
  bool recursive = false;
  bool overwrite = false;
  std::string json;
  std::string progress = "auto";
  std::string stream = "auto";
  int png_level = kPngLevelFast;
  int encoders = -1;  // -1 = default_batch_encoders()
};

using Job = BatchJob;

struct Summary {
  int succeeded = 0;
  int failed = 0;
  int skipped = 0;
  double input_megapixels = 0;
  double output_megapixels = 0;
  nlohmann::json failures = nlohmann::json::array();
  nlohmann::json outputs = nlohmann::json::array();
};

std::string with_format_extension(const fs::path& p, const std::optional<ImageFormat>& format) {
  if (!format) return p.string();
  fs::path out = p;
  out.replace_extension(std::string(".") + std::string(image_format_name(*format)));
  return out.string();
}

// Works out every (input, output) pair, or a usage error message.
// `suffix` names a file's output beside it: <stem>_<suffix><ext> ("x4", "x1.5", "1920x1080").
Result<std::vector<Job>> plan_jobs(const UpscaleArgs& args, const std::optional<ImageFormat>& format,
                                   const std::string& suffix) {
  const fs::path in(args.input);
  std::error_code ec;
  if (!fs::exists(in, ec)) return not_found(args.input + ": no such file or folder");
  std::vector<Job> jobs;
  if (fs::is_directory(in, ec)) {
    if (args.output.empty()) return invalid_argument("-o/--output is required when the input is a folder");
    const fs::path out_dir(args.output);
    if (fs::exists(out_dir, ec) && !fs::is_directory(out_dir, ec)) {
      return invalid_argument(args.output + " exists and is not a folder");
    }
    if (fs::weakly_canonical(out_dir, ec) == fs::weakly_canonical(in, ec)) {
      return invalid_argument("the output folder must differ from the input folder");
    }
    LITESR_ASSIGN_OR_RETURN(std::vector<fs::path> files, list_images(in, {.recursive = args.recursive}));
    for (const fs::path& f : files) {
      const fs::path rel = f.is_absolute() ? fs::relative(f, in) : f;
      jobs.push_back({in / rel, with_format_extension(out_dir / rel, format)});
    }
    return jobs;
  }
  fs::path out;
  if (args.output.empty()) {
    out = in.parent_path() / (in.stem().string() + "_" + suffix + in.extension().string());
    out = with_format_extension(out, format);
  } else if (fs::is_directory(args.output, ec) || args.output.back() == '/') {
    out = with_format_extension(fs::path(args.output) / in.filename(), format);
  } else {
    out = args.output;
  }
  if (fs::weakly_canonical(out, ec) == fs::weakly_canonical(in, ec)) {
    return invalid_argument("the output would overwrite the input " + args.input);
  }
  jobs.push_back({in, out});
  return jobs;
}

int run_upscale(const UpscaleArgs& args, CommandContext& ctx) {
  auto progress_mode = parse_progress_mode(args.progress);
  if (!progress_mode.ok()) return usage_error(progress_mode.status().message());
  std::optional<ImageFormat> format;
  if (!args.format.empty()) {
    auto f = image_format_from_extension("x." + args.format);
    if (!f.ok()) return usage_error("unknown format '" + args.format + "' (use png, jpg or webp)");
    format = *f;
  }
  if (args.quality < 1 || args.quality > 100) return usage_error("--quality must be in 1..100");
  if (args.tile < 0 || args.threads < 0) return usage_error("-t and -j must be >= 0");
  if (!args.scale.empty() && !args.size.empty()) return usage_error("give -s/--scale or --size, not both");
  OutputSize output;
  if (!args.scale.empty() || !args.size.empty()) {
    Result<OutputSize> parsed = args.size.empty() ? OutputSize::parse_scale(args.scale) : OutputSize::parse_size(args.size);
    if (!parsed.ok()) return usage_error(parsed.status().message());
    output = *parsed;
  }
  if (args.stream != "auto" && args.stream != "always" && args.stream != "never") {
    return usage_error("--stream must be auto, always or never");
  }
  if (Status s = check_png_level(args.png_level); !s.ok()) return usage_error("--png-level: " + std::string(s.message()));
  if (args.encoders < -1) return usage_error("--encoders must be >= 0");

  const UpscalerOptions model_options{args.model, 0, args.threads, args.tile, output};
  auto upscaler = ModelUpscaler::open(model_options);
  if (!upscaler.ok()) {  // an unknown or mismatched model is a usage error
    const StatusCode code = upscaler.status().code();
    return code == StatusCode::kInvalidArgument || code == StatusCode::kNotFound
               ? usage_error(upscaler.status().message())
               : report_error(upscaler.status());
  }
  // What the output is: the model's scale, or the size asked for after it ("elsr-x2 x2 -> x1.5").
  const std::string size_label = upscaler->resizes() ? output.label() : "x" + std::to_string(upscaler->scale());
  const std::string method = upscaler->model_name() + " x" + std::to_string(upscaler->scale()) +
                             (upscaler->resizes() ? " -> " + size_label : "");
  auto jobs = plan_jobs(args, format, size_label);
  if (!jobs.ok()) {
    return jobs.status().code() == StatusCode::kInvalidArgument ? usage_error(jobs.status().message())
                                                                : report_error(jobs.status());
  }
  const bool single = jobs->size() == 1 && !fs::is_directory(args.input);
  if (ctx.verbosity > 0) {
    std::fprintf(stderr, "litesr: %s, %d thread(s), %zu image(s)\n", method.c_str(), upscaler->threads(),
                 jobs->size());
  }

  BatchOptions batch;
  batch.write.format = format;
  batch.write.quality = args.quality;
  batch.write.lossless = args.lossless;
  batch.write.png_level = args.png_level;
  batch.overwrite = args.overwrite;
  batch.stream_min_output_pixels = args.stream == "never"    ? kNeverStream
                                   : args.stream == "always" ? 0
                                                             : kStreamAutoMinOutputPixels;
  batch.band_rows = args.tile;
  batch.encoders = args.encoders >= 0 ? args.encoders : default_batch_encoders();
  batch.cancel = ctx.cancel;
  // A folder on several threads: one single-threaded instance of the model per thread as lanes (batch_upscale.h).
  std::vector<ModelUpscaler> lane_models;
  std::vector<ModelUpscaler*> lanes;
  if (batch_pipelined(jobs->size(), batch) && upscaler->threads() >= 2) {
    auto opened = open_lanes(model_options, upscaler->threads());
    if (!opened.ok()) return report_error(opened.status());
    lane_models = std::move(opened).value();
    for (ModelUpscaler& m : lane_models) lanes.push_back(&m);
  }

  Summary summary;
  const auto start = std::chrono::steady_clock::now();
  Result<BatchResult> result = internal_error("batch not run");
  {
    Progress progress(*progress_mode, "upscale", static_cast<int64_t>(jobs->size()));
    BatchCallbacks callbacks;
    callbacks.on_item = [&](const BatchItem& item) {
      const Job& job = (*jobs)[item.index];
      if (item.outcome == BatchOutcome::kSkipped && single) {
        std::fprintf(stderr, "litesr: %s exists (use --overwrite)\n", job.output.string().c_str());
      }
      if (args.stream == "always" && ctx.verbosity > 0 && !item.not_streamed_reason.empty()) {
        std::fprintf(stderr, "litesr: %s: not streamed (%s); upscaling it whole\n", job.input.string().c_str(),
                     item.not_streamed_reason.c_str());
      }
      if (item.outcome == BatchOutcome::kFailed) {
        std::fprintf(stderr, "%slitesr: error: %s\n", progress.enabled() ? "\n" : "", item.status.to_string().c_str());
      }
      progress.set_fields({});
      progress.advance(1, job.input.filename().string());
    };
    callbacks.on_rows = [&progress](const Job&, int done, int total) {
      progress.set_fields({{"rows %", 100.0 * done / total}});
    };
    result = upscale_batch(*upscaler, *jobs, batch, callbacks, lanes);
  }
  if (!result.ok()) return report_error(result.status());
  const bool interrupted = result->interrupted;
  for (const BatchItem& item : result->items) {
    const Job& job = (*jobs)[item.index];
    switch (item.outcome) {
      case BatchOutcome::kSkipped: ++summary.skipped; break;
      case BatchOutcome::kFailed:
        ++summary.failed;
        summary.failures.push_back({{"input", job.input.string()}, {"error", item.status.to_string()}});
        break;
      case BatchOutcome::kDone:
        ++summary.succeeded;
        summary.input_megapixels += item.input_width * static_cast<double>(item.input_height) / 1e6;
        summary.output_megapixels += item.output_width * static_cast<double>(item.output_height) / 1e6;
        summary.outputs.push_back({{"input", job.input.string()},
                                   {"output", job.output.string()},
                                   {"width", item.output_width},
                                   {"height", item.output_height},
                                   {"streamed", item.streamed}});
        break;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const int total = static_cast<int>(jobs->size());
  std::fprintf(stderr, "litesr: upscaled %d of %d image(s) with %s in %.2f s (%.2f MP in, %.1f MP out, %.1f MP/s out)",
               summary.succeeded, total, method.c_str(), seconds,
               summary.input_megapixels, summary.output_megapixels,
               seconds > 0 ? summary.output_megapixels / seconds : 0.0);
  if (summary.skipped > 0) std::fprintf(stderr, ", %d skipped (exist)", summary.skipped);
  if (summary.failed > 0) std::fprintf(stderr, ", %d FAILED", summary.failed);
  std::fprintf(stderr, "\n");

  if (!args.json.empty()) {
    nlohmann::json j = {{"model", upscaler->model_name()},
                        {"scale", upscaler->scale()},
                        {"output_size", upscaler->resizes() ? nlohmann::json(size_label) : nlohmann::json(nullptr)},
                        {"images", total},
                        {"succeeded", summary.succeeded},
                        {"failed", summary.failed},
                        {"skipped", summary.skipped},
                        {"interrupted", interrupted},
                        {"seconds", seconds},
                        {"input_megapixels", summary.input_megapixels},
                        {"output_megapixels", summary.output_megapixels},
                        {"megapixels_per_second", seconds > 0 ? summary.output_megapixels / seconds : 0.0},
                        {"outputs", summary.outputs},
                        {"failures", summary.failures}};
    Status s = write_file_atomically(args.json, j.dump(2) + "\n");
    if (!s.ok()) return report_error(s);
  }
  if (interrupted) return kExitInterrupted;
  if (summary.failed == 0) return kExitOk;
  return summary.failed == total || single ? kExitFailure : kExitPartial;
}

}  // namespace

void register_upscale_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<UpscaleArgs>();
  CLI::App* cmd = app.add_subcommand("upscale", "Upscale an image or a folder of images");
  cmd->add_option("-i,--input", args->input, "Input image file or folder")->required();
  cmd->add_option("-o,--output", args->output,
                  "Output file or folder (default for a file: <name>_x<scale>.<ext> or <name>_<W>x<H>.<ext> beside it)");
  cmd->add_option("-n,--model", args->model, "Built-in model name (see `litesr models`) or .safetensors file");
  cmd->add_option("-s,--scale", args->scale,
                  "Output scale, any factor > 1 (e.g. 2, 1.5, 3): the model's family member at the next integer "
                  "scale it has, then the MATLAB-exact antialiased resize; bicubic resizes directly (default: the "
                  "model's scale)");
  cmd->add_option("--size", args->size,
                  "Output size WIDTHxHEIGHT (e.g. 1920x1080): the model, then the MATLAB-exact resize to that size");
  cmd->add_option("-t,--tile", args->tile, "LR rows per band (0 = auto, sized to the L2 cache)");
  cmd->add_option("-j,--threads", args->threads, "Worker threads (0 = all cores)");
  cmd->add_option("-f,--format", args->format, "Output format: png, jpg or webp (default: the output's extension)");
  cmd->add_option("-q,--quality", args->quality, "JPEG/WebP quality 1..100")->capture_default_str();
  cmd->add_flag("--lossless", args->lossless, "Lossless WebP");
  cmd->add_option("--png-level", args->png_level,
                  "PNG compression 0..9: 1 = fast (default; ~8 % larger than libpng's default, ~30x faster), "
                  "0 and 2..9 = zlib level through libpng (6 = libpng's default, 9 = smallest); docs/upscale.md")
      ->capture_default_str();
  cmd->add_option("--encoders", args->encoders,
                  "Folders: images encoded at once while the next ones decode and upscale (0 = one file after "
                  "another; default: cores + 1, the extra one covering waits on the disk)");
  cmd->add_flag("-r,--recursive", args->recursive, "Descend into sub-folders (the tree is mirrored)");
  cmd->add_flag("--overwrite", args->overwrite, "Replace existing outputs (default: skip them)");
  cmd->add_option("--json", args->json, "Write a JSON summary to FILE");
  cmd->add_option("--progress", args->progress, "Progress display: auto, bar, json or none")->capture_default_str();
  cmd->add_option("--stream", args->stream,
                  "Decode, upscale and encode in bands of rows (bounded memory): auto (outputs of 32 MP or more), "
                  "always or never; needs PNG/JPEG in and out and a model without global ops")
      ->capture_default_str();
  cmd->callback([args, &ctx] { ctx.exit_code = run_upscale(*args, ctx); });
}

}  // namespace litesr::cli

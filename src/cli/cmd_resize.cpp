// `litesr resize`: MATLAB-exact bicubic imresize of an image file or a folder (docs/evaluation.md).
//
//   litesr resize -i IN -o OUT (-s SCALE | --size WxH) [--border B] [--modcrop N] [--suffix TEXT]
//                 [-f png|jpg|webp] [-r] [--overwrite] [-j N] [--progress auto|bar|json|none]
//
// SCALE is a number or a fraction ("1/3" is exactly MATLAB's 1/3). Bit depth, channels (alpha included),
// ICC profile and EXIF are kept. Exit codes: 0 ok, 1 failure, 2 usage error, 3 some files of a folder
// failed, 130 interrupted.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/image_size.h"
#include "base/progress.h"
#include "base/resample_weights.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "eval/matlab_resize.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "io/image_folder.h"

namespace litesr::cli {
namespace {

namespace fs = std::filesystem;

struct ResizeArgs {
  std::string input;
  std::string output;
  std::string scale;  // "0.25", "1/3", "2"
  std::string size;   // "WxH"
  std::string border = "symmetric";
  int modcrop = 1;
  std::string suffix;
  std::string format;
  bool recursive = false;
  bool overwrite = false;
  int threads = 0;
  std::string progress = "auto";
};

// The resize request after validation.
struct ResizePlan {
  std::optional<double> scale;
  int width = 0;  // when scale is not set
  int height = 0;
  MatlabResizeOptions resize;
  int modcrop = 1;
  std::optional<ImageFormat> format;
  std::string suffix;
  bool overwrite = false;
};

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "0.25" or "1/4" → a positive finite scale.
Result<double> parse_scale(const std::string& text) {
  std::optional<double> v;
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    v = parse_number(text);
  } else {
    const auto num = parse_number(std::string_view(text).substr(0, slash));
    const auto den = parse_number(std::string_view(text).substr(slash + 1));
    if (num && den && *den != 0.0) v = *num / *den;
  }
  if (!v || !std::isfinite(*v) || *v <= 0.0) {
    return invalid_argument("--scale must be a positive number or fraction (e.g. 2, 0.5, 1/3), got '" + text + "'");
  }
  return *v;
}

Status resize_file(const fs::path& in, const fs::path& out, const ResizePlan& plan) {
  if (!plan.overwrite && fs::exists(out)) {
    return already_exists(out.string() + " exists (use --overwrite to replace it)");
  }
  LITESR_ASSIGN_OR_RETURN(DecodedImage decoded, read_image(in));
  Image src = std::move(decoded.image);
  if (plan.modcrop > 1) {
    Result<Image> cropped = modcrop(src, plan.modcrop);
    if (!cropped.ok()) return cropped.status().with_context(in.string());
    src = std::move(cropped).value();
  }
  Result<Image> resized = plan.scale ? matlab_imresize(src, *plan.scale, plan.resize)
                                     : matlab_imresize_to(src, plan.width, plan.height, plan.resize);
  if (!resized.ok()) return resized.status().with_context(in.string());
  WriteOptions wo;
  wo.format = plan.format;
  wo.icc_profile = decoded.icc_profile;
  wo.exif = decoded.exif;
  wo.overwrite = plan.overwrite;
  return write_image(out, *resized, wo);
}

// OUT name for an input file: same stem + suffix, extension from --format or the input's.
fs::path output_name(const fs::path& rel, const ResizePlan& plan) {
  fs::path name = rel;
  std::string ext = plan.format ? "." + std::string(image_format_name(*plan.format)) : rel.extension().string();
  name.replace_filename(rel.stem().string() + plan.suffix + ext);
  return name;
}

int run_resize(const ResizeArgs& args, CommandContext& ctx) {
  ResizePlan plan;
  if (args.scale.empty() == args.size.empty()) return usage_error("give exactly one of -s/--scale and --size");
  if (!args.scale.empty()) {
    Result<double> s = parse_scale(args.scale);
    if (!s.ok()) return usage_error(s.status().message());
    plan.scale = *s;
  } else {
    Result<ImageSize> size = parse_image_size(args.size);
    if (!size.ok()) return usage_error("--size: " + size.status().message());
    plan.width = size->width;
    plan.height = size->height;
  }
  Result<BorderMode> border = parse_border_mode(args.border);
  if (!border.ok()) return usage_error(border.status().message());
  plan.resize.border = *border;
  if (args.modcrop < 1) return usage_error("--modcrop must be >= 1");
  plan.modcrop = args.modcrop;
  if (!args.format.empty()) {
    Result<ImageFormat> f = image_format_from_extension("x." + args.format);
    if (!f.ok()) return usage_error("--format must be png, jpg or webp, got '" + args.format + "'");
    plan.format = *f;
  }
  plan.suffix = args.suffix;
  plan.overwrite = args.overwrite;
  Result<ProgressMode> progress_mode = parse_progress_mode(args.progress);
  if (!progress_mode.ok()) return usage_error(progress_mode.status().message());

  const fs::path in(args.input);
  const fs::path out(args.output);
  std::error_code ec;
  if (!fs::exists(in, ec)) return report_error(not_found("input " + in.string() + " does not exist"));

  if (!fs::is_directory(in, ec)) {
    fs::path target = out;
    if (fs::is_directory(out, ec)) target = out / output_name(in.filename(), plan);
    const Status s = resize_file(in, target, plan);
    if (!s.ok()) return report_error(s);
    if (ctx.verbosity > 0) std::fprintf(stderr, "%s -> %s\n", in.string().c_str(), target.string().c_str());
    return kExitOk;
  }

  // A folder: every image (recursively with -r) into OUT, keeping relative paths.
  ImageListOptions lo;
  lo.recursive = args.recursive;
  Result<std::vector<fs::path>> files = list_images(in, lo);
  if (!files.ok()) return report_error(files.status());
  if (files->empty()) return report_error(not_found("no images (.png .jpg .jpeg .webp) in " + in.string()));
  if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    return usage_error("input is a folder, so -o must be a folder, but " + out.string() + " is a file");
  }

  Progress progress(*progress_mode, "resize", static_cast<int64_t>(files->size()));
  std::atomic<std::size_t> next{0};
  std::atomic<int> failed{0};
  std::mutex print_mu;
  auto worker = [&] {
    for (;;) {
      if (ctx.cancel != nullptr && ctx.cancel->cancelled()) return;
      const std::size_t i = next.fetch_add(1);
      if (i >= files->size()) return;
      const fs::path& rel = (*files)[i];
      const fs::path target = out / output_name(rel, plan);
      std::error_code dir_ec;
      fs::create_directories(target.parent_path(), dir_ec);
      Status s = dir_ec ? io_error("cannot create " + target.parent_path().string() + ": " + dir_ec.message())
                        : resize_file(in / rel, target, plan);
      if (!s.ok()) {
        failed.fetch_add(1);
        std::lock_guard<std::mutex> lock(print_mu);
        std::fprintf(stderr, "litesr: error: %s\n", s.to_string().c_str());
      }
      progress.advance(1, rel.string());
    }
  };
  int threads = args.threads > 0 ? args.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), files->size()));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  progress.finish();

  if (ctx.cancel != nullptr && ctx.cancel->cancelled()) {
    std::fprintf(stderr, "litesr: interrupted\n");
    return kExitInterrupted;
  }
  const int n_failed = failed.load();
  const int n_total = static_cast<int>(files->size());
  if (ctx.verbosity > 0 || n_failed > 0) {
    std::fprintf(stderr, "resize: %d of %d images written to %s\n", n_total - n_failed, n_total, out.string().c_str());
  }
  if (n_failed == 0) return kExitOk;
  return n_failed == n_total ? kExitFailure : kExitPartial;
}

}  // namespace

void register_resize_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ResizeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "resize", "MATLAB-exact bicubic resize (imresize) of an image or a folder, e.g. to make LR test data");
  cmd->add_option("-i,--input", args->input, "Input image or folder")->required();
  cmd->add_option("-o,--output", args->output, "Output image, or folder (for a folder input or an existing folder)")
      ->required();
  cmd->add_option("-s,--scale", args->scale, "Scale factor: number or fraction (2, 0.5, 1/3); output = ceil(in·s)");
  cmd->add_option("--size", args->size, "Output size WxH instead of a scale (each axis scaled on its own)");
  cmd->add_option("--border", args->border,
                  "replicate|symmetric|reflect|circular (MATLAB: symmetric; sr_benchmark LR files: replicate)")
      ->capture_default_str();
  cmd->add_option("--modcrop", args->modcrop, "Crop the input to a multiple of N first (top-left kept), as for LR data")
      ->capture_default_str();
  cmd->add_option("--suffix", args->suffix, "Append to each output file stem (e.g. x4 → babyx4.png)");
  cmd->add_option("-f,--format", args->format, "Output format png|jpg|webp (default: the input's)");
  cmd->add_flag("-r,--recursive", args->recursive, "Descend into sub-folders of a folder input");
  cmd->add_flag("--overwrite", args->overwrite, "Replace existing outputs (default: such files fail)");
  cmd->add_option("-j,--threads", args->threads, "Images resized in parallel (0 = one per core)")->capture_default_str();
  cmd->add_option("--progress", args->progress, "auto|bar|json|none")->capture_default_str();
  cmd->callback([args, &ctx] { ctx.exit_code = run_resize(*args, ctx); });
}

}  // namespace litesr::cli

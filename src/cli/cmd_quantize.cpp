// `litesr quantize MODEL --calib DIR -o OUT.safetensors [--method auto|minmax|percentile|mse] [--percentile P]
//  [--max-images N] [--crop N] [--overwrite] [--json FILE]`: post-training INT8 quantization
// (calibration/quantize_model.h, docs/quantization.md). Prints each range method's held-out PSNR-Y and the
// float model's; writes the model file atomically. Exit codes: 0 ok, 1 failure, 2 usage error.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "calibration/quantize_model.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/atomic_file.h"

namespace litesr::cli {
namespace {

struct QuantizeArgs {
  std::string model;
  std::string calib;
  std::string output;
  std::string method = "auto";
  double percentile = 99.99;
  int max_images = 64;
  int crop = 128;
  bool overwrite = false;
  std::string json;
};

int run_quantize(const QuantizeArgs& args) {
  if (std::filesystem::path(args.output).extension() != ".safetensors") {
    return usage_error("-o must name a .safetensors file");
  }
  std::error_code ec;
  if (!args.overwrite && std::filesystem::exists(args.output, ec)) {
    return usage_error(args.output + " exists (use --overwrite)");
  }
  QuantizeOptions options;
  options.calib_dir = args.calib;
  options.method = args.method;
  options.percentile = args.percentile;
  options.max_images = args.max_images;
  options.crop = args.crop;
  options.on_progress = [](const std::string& line) { std::fprintf(stderr, "litesr: %s\n", line.c_str()); };
  const Result<QuantizeResult> result = quantize_model(args.model, options);
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kInvalidArgument) return usage_error(result.status().message());
    return report_error(result.status());
  }
  if (Status s = write_model_file(args.output, result->model); !s.ok()) return report_error(s);
  double chosen = 0;
  for (const MethodScore& m : result->scores) {
    if (m.method == result->method) chosen = m.psnr_y;
  }
  std::printf("wrote %s: INT8 (%s ranges), held-out PSNR-Y %.3f dB vs float %.3f dB (%+.3f) on %d images; "
              "calibrated on %d\n",
              args.output.c_str(), std::string(range_method_name(result->method)).c_str(), chosen,
              result->float_psnr_y, chosen - result->float_psnr_y, result->held_out_images,
              result->calibration_images);
  if (!args.json.empty()) {
    nlohmann::ordered_json j;
    j["model"] = args.model;
    j["output"] = args.output;
    j["method"] = range_method_name(result->method);
    j["float_psnr_y"] = result->float_psnr_y;
    j["calibration_images"] = result->calibration_images;
    j["held_out_images"] = result->held_out_images;
    nlohmann::ordered_json scores = nlohmann::ordered_json::array();
    for (const MethodScore& m : result->scores) {
      scores.push_back({{"method", range_method_name(m.method)}, {"psnr_y", m.psnr_y}});
    }
    j["methods"] = scores;
    if (Status s = write_file_atomically(args.json, j.dump(2) + "\n", /*overwrite=*/true); !s.ok()) {
      return report_error(s);
    }
  }
  return kExitOk;
}

}  // namespace

void register_quantize_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<QuantizeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "quantize", "Quantize a model to INT8 (TFLite's full-integer scheme), calibrated on images (docs/quantization.md)");
  cmd->add_option("model", args->model, "Built-in model name or .safetensors path")->required();
  cmd->add_option("--calib", args->calib, "Folder of calibration images (treated as HR; every 4th is held out)")
      ->required();
  cmd->add_option("-o,--output", args->output, "Output model file (.safetensors)")->required();
  cmd->add_option("--method", args->method, "Activation ranges: auto (best held-out PSNR-Y), minmax, percentile, mse")
      ->check(CLI::IsMember({"auto", "minmax", "percentile", "mse"}));
  cmd->add_option("--percentile", args->percentile, "The percentile method's percentile, in (50, 100]");
  cmd->add_option("--max-images", args->max_images, "At most this many images of the folder (>= 2)");
  cmd->add_option("--crop", args->crop, "LR side of each image's centre crop (>= 8)");
  cmd->add_flag("--overwrite", args->overwrite, "Replace an existing output file");
  cmd->add_option("--json", args->json, "Write the scores as JSON to FILE");
  cmd->callback([args, &ctx] { ctx.exit_code = run_quantize(*args); });
}

}  // namespace litesr::cli

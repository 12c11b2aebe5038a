// `litesr export MODEL -o FILE [--format onnx|tflite] [--input WxH] [--fp16] [--clamp]`: writes a model for
// other runtimes (docs/export.md). MODEL is a built-in name or a .safetensors path; bicubic needs -s. The
// format defaults from the output's extension; TFLite files have a fixed input size (--input WxH, default 320x180).
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "export/export_model.h"
#include "export/onnx_export.h"
#include "io/atomic_file.h"
#include "base/image_size.h"

namespace litesr::cli {

namespace {

struct ExportArgs {
  std::string model;
  std::string output;
  std::string format;  // "" = from the output extension
  std::string input = "320x180";  // TFLite: LR width x height, as --input of profile and bench
  int scale = 0;
  bool fp16 = false;
  bool clamp = false;
  bool overwrite = false;
};

int write_bytes(const ExportArgs& args, const std::string& bytes) {
  if (Status s = write_file_atomically(args.output, bytes, args.overwrite); !s.ok()) {
    if (s.code() == StatusCode::kAlreadyExists) return usage_error(args.output + " exists (use --overwrite)");
    return report_error(s);
  }
  return kExitOk;
}

int run_export(const ExportArgs& args) {
  const Result<ExportFormat> format = parse_export_format(args.format, args.output);
  if (!format.ok()) return usage_error("--format: " + format.status().message());
  ExportRequest request;
  request.model = args.model;
  request.scale = args.scale;
  request.format = *format;
  request.fp16 = args.fp16;
  request.clamp_output = args.clamp;
  if (*format == ExportFormat::kTflite) {
    const Result<ImageSize> size = parse_image_size(args.input);
    if (!size.ok()) return usage_error("--input: " + size.status().message());
    if (Status s = check_tflite_input_size(size->width, size->height); !s.ok()) {
      return usage_error("--input: " + s.message());
    }
    request.input_width = size->width;
    request.input_height = size->height;
  }
  const Result<std::string> bytes = export_model(request);
  if (!bytes.ok()) return report_error(bytes.status());
  if (int rc = write_bytes(args, *bytes); rc != kExitOk) return rc;
  const char* fp16 = args.fp16 ? (*format == ExportFormat::kTflite ? ", float16 constants" : ", float16") : "";
  const char* clamp = args.clamp ? ", clamped output" : "";
  if (*format == ExportFormat::kTflite) {
    std::printf("wrote %s: TFLite (schema 3), NHWC inputs [1, %d, %d, C], %zu bytes%s%s\n", args.output.c_str(),
                request.input_height, request.input_width, bytes->size(), fp16, clamp);
  } else {
    std::printf("wrote %s: ONNX opset %d, %zu bytes%s%s\n", args.output.c_str(), kOnnxOpset, bytes->size(), fp16,
                clamp);
  }
  return kExitOk;
}

}  // namespace

void register_export_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Export a model to ONNX (input \"lr\" [1,3,H,W]) or TFLite (input \"lr\" [1,H,W,3]); output \"sr\"");
  cmd->add_option("model", args->model, "Built-in model name or .safetensors path")->required();
  cmd->add_option("-o,--output", args->output, "Output file (.onnx or .tflite)")->required();
  cmd->add_option("-f,--format", args->format, "onnx or tflite (default: from the output extension)")
      ->check(CLI::IsMember({"onnx", "tflite"}));
  cmd->add_option("--input", args->input, "TFLite: LR input size WxH baked into the file (default 320x180)");
  cmd->add_option("-s,--scale", args->scale, "Scale (required for bicubic; must match a shipped model)");
  cmd->add_flag("--fp16", args->fp16,
                "Float16 weights (ONNX: float16 arithmetic; TFLite: FLOAT16 constants + DEQUANTIZE); I/O float32");
  cmd->add_flag("--clamp", args->clamp, "Clip the output to [0, 1]");
  cmd->add_flag("--overwrite", args->overwrite, "Replace an existing output file");
  cmd->callback([args, &ctx] { ctx.exit_code = run_export(*args); });
}

}  // namespace litesr::cli

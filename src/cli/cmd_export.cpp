// `litesr export MODEL -o FILE [--format onnx] [--fp16] [--clamp]`: writes a model for other runtimes
// (docs/export.md). MODEL is a built-in name or a .safetensors path; bicubic needs -s.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "export/onnx_export.h"
#include "io/atomic_file.h"
#include "models/builtin_models.h"

namespace litesr::cli {

namespace {

struct ExportArgs {
  std::string model;
  std::string output;
  std::string format = "onnx";
  int scale = 0;
  bool fp16 = false;
  bool clamp = false;
  bool overwrite = false;
};

int run_export(const ExportArgs& args) {
  auto model = models::resolve_model(args.model, args.scale);
  if (!model.ok()) return report_error(model.status());
  OnnxExportOptions options;
  options.fp16 = args.fp16;
  options.clamp_output = args.clamp;
  options.doc = "LiteSR " + args.model + " (input lr: NCHW float RGB in [0, 1]; output sr)";
  auto bytes = export_onnx(*model, options);
  if (!bytes.ok()) return report_error(bytes.status().with_context(args.model));
  if (Status s = check_onnx(*bytes); !s.ok()) return report_error(s.with_context(args.model));
  if (Status s = write_file_atomically(args.output, *bytes, args.overwrite); !s.ok()) {
    if (s.code() == StatusCode::kAlreadyExists) return usage_error(args.output + " exists (use --overwrite)");
    return report_error(s);
  }
  std::printf("wrote %s: ONNX opset %d, %zu bytes%s%s\n", args.output.c_str(), kOnnxOpset, bytes->size(),
              args.fp16 ? ", float16" : "", args.clamp ? ", clamped output" : "");
  return kExitOk;
}

}  // namespace

void register_export_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "Export a model to ONNX (input \"lr\" [1,3,H,W], output \"sr\")");
  cmd->add_option("model", args->model, "Built-in model name or .safetensors path")->required();
  cmd->add_option("-o,--output", args->output, "Output file (.onnx)")->required();
  cmd->add_option("-f,--format", args->format, "Output format (onnx; TFLite is planned, see docs/export.md)")
      ->check(CLI::IsMember({"onnx"}));
  cmd->add_option("-s,--scale", args->scale, "Scale (required for bicubic; must match a shipped model)");
  cmd->add_flag("--fp16", args->fp16, "Store weights as float16 and compute in float16 (I/O stays float32)");
  cmd->add_flag("--clamp", args->clamp, "Clip the output to [0, 1]");
  cmd->add_flag("--overwrite", args->overwrite, "Replace an existing output file");
  cmd->callback([args, &ctx] { ctx.exit_code = run_export(*args); });
}

}  // namespace litesr::cli

// `litesr profile`: parameters, MACs / FLOPs, activations and peak memory of a model, optionally per layer
// and with a timed run (docs/complexity.md).
//
//   litesr profile MODEL [--input WxH | --output WxH] [--convention ptflops|kair|macs] [--layers]
//                        [--json FILE|-] [--time N] [--warmup N] [-j THREADS] [-s SCALE]
//   litesr profile --arch ARCH [--config JSON] -s SCALE ...      (an untrained configuration, no weights)
//
// MODEL is a built-in name (`litesr models`), or a .safetensors file. --config is merged over the
// architecture's defaults, so `--arch sam_sr --config '{"nf":72,"n":16}' -s 4` is SAM_SR_LITE. Sizes are
// WIDTHxHEIGHT; the default is a 256x256 LR input (SAM-SR Table 2). --time N runs the runtime Session
// (random weights for --arch) with the DESIGN §5 protocol: --warmup untimed runs, then N timed runs.
// Exit codes: 0 ok, 1 failure, 2 usage error.
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/atomic_file.h"
#include "profile/complexity.h"
#include "profile/profile_report.h"
#include "profile/profiled_model.h"
#include "profile/timing.h"

namespace litesr::cli {
namespace {

struct ProfileArgs {
  std::string model;
  std::string arch;
  std::string config = "{}";
  int scale = 0;
  std::string input;
  std::string output;
  std::string convention = "ptflops";
  bool layers = false;
  std::string json;
  int time_runs = 0;
  int warmup_runs = 3;
  int threads = 1;
  uint64_t seed = 1;
};

int run_profile(const ProfileArgs& args, CommandContext& ctx) {
  if (args.model.empty() == args.arch.empty()) return usage_error("give either MODEL or --arch (not both)");
  if (!args.input.empty() && !args.output.empty()) return usage_error("give --input or --output, not both");
  if (args.time_runs < 0 || args.warmup_runs < 0) return usage_error("--time and --warmup must be >= 0");
  if (args.threads < 0) return usage_error("-j/--threads must be >= 0");
  Result<CountingConvention> convention = parse_convention(args.convention);
  if (!convention.ok()) return usage_error(convention.status().message());

  ProfiledModelSpec spec;
  spec.model = args.model;
  spec.arch = args.arch;
  spec.config_patch = args.config;
  spec.scale = args.scale;
  spec.weights = args.time_runs > 0;
  spec.seed = args.seed;
  Result<ProfiledModel> model = load_profiled_model(spec);
  if (!model.ok()) {
    const StatusCode code = model.status().code();
    if (code == StatusCode::kInvalidArgument || code == StatusCode::kNotFound || code == StatusCode::kUnsupported) {
      return usage_error(model.status().message());
    }
    return report_error(model.status());
  }

  ImageSize in{256, 256};
  if (!args.input.empty() || !args.output.empty()) {
    Result<ImageSize> size = parse_image_size(args.input.empty() ? args.output : args.input);
    if (!size.ok()) return usage_error(size.status().message());
    in = *size;
    if (!args.output.empty()) {
      Result<ImageSize> lr = input_size_for_output(*size, model->graph.scale);
      if (!lr.ok()) return usage_error(lr.status().message());
      in = *lr;
    }
  }
  ComplexityOptions options;
  options.input_width = in.width;
  options.input_height = in.height;
  options.convention = *convention;
  Result<ComplexityReport> report = profile_complexity(model->graph, model->file.tensors, options);
  if (!report.ok()) return report_error(report.status());

  ProfileReportOptions ro;
  ro.layers = args.layers;
  TimingResult timing;
  if (args.time_runs > 0) {
    TimingOptions to;
    to.warmup_runs = args.warmup_runs;
    to.timed_runs = args.time_runs;
    Result<ForwardTiming> t =
        time_forward(*model, report->input_width, report->input_height, args.threads, to, args.seed);
    if (!t.ok()) return report_error(t.status());
    timing = t->timing;
    ro.timing_engine = t->engine;
    ro.timing = &timing;
  }

  if (args.json == "-") {
    std::fputs(profile_report_json(*report, ro).c_str(), stdout);
  } else {
    std::fputs(profile_report_text(*report, ro).c_str(), stdout);
    if (!args.json.empty()) {
      const Status written = write_file_atomically(args.json, profile_report_json(*report, ro));
      if (!written.ok()) return report_error(written);
    }
  }
  (void)ctx;
  return kExitOk;
}

}  // namespace

void register_profile_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ProfileArgs>();
  CLI::App* cmd = app.add_subcommand(
      "profile", "Parameters, MACs/FLOPs, activations, peak memory (and runtime) of a model at a given size");
  cmd->add_option("model", args->model, "Built-in model name or .safetensors file");
  cmd->add_option("--arch", args->arch,
                  "Profile an untrained architecture instead (" + profiled_architecture_names() + ")");
  cmd->add_option("--config", args->config, "JSON hyper-parameters for --arch, merged over its defaults")
      ->capture_default_str();
  cmd->add_option("-s,--scale", args->scale, "Scale (required for --arch and bicubic)");
  cmd->add_option("--input", args->input, "LR input size WIDTHxHEIGHT (default 256x256)");
  cmd->add_option("--output", args->output, "Output size WIDTHxHEIGHT (input = output / scale), e.g. 1280x720");
  cmd->add_option("--convention", args->convention, "Counting convention: ptflops|kair|macs")->capture_default_str();
  cmd->add_flag("--layers", args->layers, "Print / write the per-layer table");
  cmd->add_option("--json", args->json, "Write the profile as JSON to FILE ('-': JSON on stdout instead of text)");
  cmd->add_option("--time", args->time_runs, "Time N runs of the runtime session (0 = no timing)")
      ->capture_default_str();
  cmd->add_option("--warmup", args->warmup_runs, "Untimed warm-up runs before --time")->capture_default_str();
  cmd->add_option("-j,--threads", args->threads, "Session threads for --time (0 = one per core)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the random weights (--arch) and input (--time)")
      ->capture_default_str();
  cmd->callback([args, &ctx] { ctx.exit_code = run_profile(*args, ctx); });
}

}  // namespace litesr::cli

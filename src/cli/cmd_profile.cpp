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
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/atomic_file.h"
#include "models/architectures.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "profile/complexity.h"
#include "profile/profile_report.h"
#include "profile/timing.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/session.h"

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

// "bicubic, elsr, ...": the names --arch takes (the architecture table's rows).
std::string architecture_names() {
  std::string names;
  for (const models::ArchitectureInfo& a : models::architectures()) {
    names += (names.empty() ? "" : ", ") + std::string(a.name);
  }
  return names;
}

// The architecture's default `litesr.config` at `scale` (the table's config struct defaults), the base --config
// is merged over.
Result<nlohmann::json> default_config(const std::string& arch, int scale) {
  const models::ArchitectureInfo* row = models::find_architecture(arch);
  if (row == nullptr) {
    return invalid_argument("--arch: unknown architecture '" + arch + "' (" + architecture_names() + ")");
  }
  nlohmann::json j = row->default_config();
  j["scale"] = scale;
  return j;
}

struct LoadedModel {
  Graph graph;
  ModelFile file;  // tensors (random for --arch, only built when timing)
};

// kInvalidArgument for bad user input (mapped to a usage error), anything else is a failure.
Result<LoadedModel> load(const ProfileArgs& args) {
  LoadedModel m;
  if (!args.arch.empty()) {
    if (args.scale < 1) return invalid_argument("--arch needs -s/--scale");
    LITESR_ASSIGN_OR_RETURN(nlohmann::json config, default_config(args.arch, args.scale));
    nlohmann::json user;
    try {
      user = nlohmann::json::parse(args.config);
    } catch (const nlohmann::json::exception& e) {
      return invalid_argument(std::string("--config is not valid JSON: ") + e.what());
    }
    if (!user.is_object()) return invalid_argument("--config must be a JSON object");
    config.merge_patch(user);
    const std::string text = config.dump();
    LITESR_ASSIGN_OR_RETURN(m.graph, models::build_graph(args.arch, args.scale, text));
    if (args.time_runs > 0) {
      LITESR_ASSIGN_OR_RETURN(m.file, models::make_random_model(args.arch, args.scale, text, args.seed));
    }
    return m;
  }
  LITESR_ASSIGN_OR_RETURN(m.file, models::resolve_model(args.model, args.scale));
  LITESR_ASSIGN_OR_RETURN(m.graph, models::build_graph(m.file));
  return m;
}

std::string engine_name(const Session& s) {
  const char* mode = s.mode() == ExecutionMode::kFusedBands     ? "fused_bands"
                     : s.mode() == ExecutionMode::kLayerByLayer ? "layer_by_layer"
                                                                : "reference";
  return std::string(mode) + ", " + active_isa();
}

// Times one forward pass at the profiled input size, random LR content in [0, 1].
Result<TimingResult> time_model(const LoadedModel& m, const ProfileArgs& args, const ComplexityReport& r,
                                std::string& engine) {
  SessionOptions so;
  so.threads = args.threads;
  LITESR_ASSIGN_OR_RETURN(Session session, Session::create(m.graph, m.file.tensors, so));
  const int channels = 3 * session.input_frames();
  std::vector<float> lr(static_cast<std::size_t>(r.input_width) * r.input_height * channels);
  std::vector<float> sr(static_cast<std::size_t>(r.output_width) * r.output_height * channels);
  std::mt19937 rng(static_cast<uint32_t>(args.seed));
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (float& v : lr) v = uniform(rng);
  const ImageView<const float> lr_view{lr.data(), r.input_width, r.input_height, channels,
                                       static_cast<std::ptrdiff_t>(r.input_width) * channels};
  const ImageView<float> sr_view{sr.data(), r.output_width, r.output_height, channels,
                                 static_cast<std::ptrdiff_t>(r.output_width) * channels};
  LITESR_RETURN_IF_ERROR(session.prepare(r.input_width, r.input_height));
  engine = engine_name(session);
  TimingOptions to;
  to.warmup_runs = args.warmup_runs;
  to.timed_runs = args.time_runs;
  to.threads = session.threads();
  return time_runs(to, [&] { return session.run(lr_view, sr_view); });
}

int run_profile(const ProfileArgs& args, CommandContext& ctx) {
  if (args.model.empty() == args.arch.empty()) return usage_error("give either MODEL or --arch (not both)");
  if (!args.input.empty() && !args.output.empty()) return usage_error("give --input or --output, not both");
  if (args.time_runs < 0 || args.warmup_runs < 0) return usage_error("--time and --warmup must be >= 0");
  if (args.threads < 0) return usage_error("-j/--threads must be >= 0");
  Result<CountingConvention> convention = parse_convention(args.convention);
  if (!convention.ok()) return usage_error(convention.status().message());

  Result<LoadedModel> model = load(args);
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
    Result<TimingResult> t = time_model(*model, args, *report, ro.timing_engine);
    if (!t.ok()) return report_error(t.status());
    timing = std::move(t).value();
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
  cmd->add_option("--arch", args->arch, "Profile an untrained architecture instead (" + architecture_names() + ")");
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

// `litesr models`: the built-in models with their scale, parameters and cost.
//
// MACs are plain multiply-accumulates (CountingConvention::kMacs) for one frame at a 1280x720 output,
// i.e. a (1280/s) x (720/s) input — the size the video challenges use (DESIGN §5).
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/atomic_file.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "profile/complexity.h"

namespace litesr::cli {

namespace {

constexpr int kOutputWidth = 1280;
constexpr int kOutputHeight = 720;

int run_models(const std::string& json_path) {
  nlohmann::json list = nlohmann::json::array();
  std::printf("%-22s %-10s %5s %10s %14s  %s\n", "name", "arch", "scale", "params", "GMACs@720p", "");
  const std::string default_name = models::default_model_name();
  const std::string video_default = models::default_video_model_name();
  for (const std::string& name : models::builtin_model_names()) {
    auto model = models::load_builtin_model(name);
    if (!model.ok()) return report_error(model.status());
    auto graph = models::build_graph(*model);
    if (!graph.ok()) return report_error(graph.status().with_context(name));
    ComplexityOptions options;
    options.input_width = kOutputWidth / graph->scale;
    options.input_height = kOutputHeight / graph->scale;
    options.convention = CountingConvention::kMacs;
    auto report = profile_complexity(*graph, model->tensors, options);
    if (!report.ok()) return report_error(report.status().with_context(name));
    const std::string arch = model->metadata.at(std::string(kMetaArch));
    const std::string note = name == default_name    ? "(default for images)"
                             : name == video_default ? "(default for video)"
                             : name == "bicubic"     ? "(any scale, -s)"
                                                     : "";
    std::printf("%-22s %-10s %5d %10lld %14.3f  %s\n", name.c_str(), arch.c_str(), graph->scale,
                static_cast<long long>(report->params), static_cast<double>(report->macs) / 1e9, note.c_str());
    list.push_back({{"name", name},
                    {"arch", arch},
                    {"scale", graph->scale},
                    {"params", report->params},
                    {"macs_720p", report->macs},
                    {"default", name == default_name},
                    {"default_video", name == video_default}});
  }
  std::printf("\nDefaults, chosen by measurement (bench/choose_defaults.sh): for images the best held-out PSNR among\n"
              "models that upscale to 12 MP in <= 0.5 s on 2 cores; for video the best among models that run\n"
              "320x180 -> 720p end to end at >= 60 fps on 2 cores.\n");
  if (!json_path.empty()) {
    Status s = write_file_atomically(json_path, nlohmann::json{{"models", list}}.dump(2) + "\n");
    if (!s.ok()) return report_error(s);
  }
  return kExitOk;
}

}  // namespace

void register_models_command(CLI::App& app, CommandContext& ctx) {
  auto json_path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("models", "List the built-in models (scale, parameters, MACs at 720p output)");
  cmd->add_option("--json", *json_path, "Also write the list as JSON to FILE");
  cmd->callback([json_path, &ctx] { ctx.exit_code = run_models(*json_path); });
}

}  // namespace litesr::cli

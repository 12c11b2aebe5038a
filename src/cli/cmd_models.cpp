// `litesr models`: the built-in models with their scale, parameters and cost (profile/builtin_catalog.h).
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/atomic_file.h"
#include "profile/builtin_catalog.h"

namespace litesr::cli {

namespace {

int run_models(const std::string& json_path) {
  Result<std::vector<BuiltinModelSummary>> catalog = builtin_model_catalog();
  if (!catalog.ok()) return report_error(catalog.status());
  nlohmann::json list = nlohmann::json::array();
  std::printf("%-22s %-10s %5s %-9s %-5s %10s %14s  %s\n", "name", "arch", "scale", "precision", "color", "params",
              "GMACs@720p", "");
  for (const BuiltinModelSummary& m : *catalog) {
    const std::string note = m.default_for_images  ? "(default for images)"
                             : m.default_for_video ? "(default for video)"
                             : m.name == "bicubic" ? "(any scale, -s)"
                                                   : "";
    std::printf("%-22s %-10s %5d %-9s %-5s %10lld %14.3f  %s\n", m.name.c_str(), m.arch.c_str(), m.scale,
                m.precision.c_str(), m.color.c_str(), static_cast<long long>(m.params),
                static_cast<double>(m.macs_720p) / 1e9, note.c_str());
    list.push_back({{"name", m.name},
                    {"arch", m.arch},
                    {"scale", m.scale},
                    {"precision", m.precision},
                    {"color", m.color},
                    {"params", m.params},
                    {"macs_720p", m.macs_720p},
                    {"default", m.default_for_images},
                    {"default_video", m.default_for_video}});
  }
  std::printf(
      "\nDefaults, chosen by measurement (bench/choose_defaults.sh): for images the best held-out PSNR among\n"
      "models that upscale to 12 MP in <= 0.5 s on 2 cores; for video the best among models that run\n"
      "320x180 -> 720p end to end at >= 60 fps on 2 cores. Within 0.02 dB of the best, the fastest.\n"
      "Measured on 2 cores with AVX-512; with AVX2 only, sam-sr-xlite-x4 takes ~0.63 s per 12 MP.\n"
      "INT8 models are faster than their FP32 models only on CPUs with VNNI (docs/benchmarks.md).\n");
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

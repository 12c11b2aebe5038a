// The `litesr` subcommands. Each cmd_<name>.cpp defines one register_<name>_command(), which adds a
// CLI11 subcommand whose callback runs the command and stores its exit code in `ctx.exit_code`.
// Commands parse and validate arguments and wire modules together; they hold no algorithms.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/cancel.h"

namespace litesr::cli {

struct CommandContext {
  int exit_code = 0;
  int verbosity = 0;           // -v count
  CancelToken* cancel = nullptr;  // set by SIGINT
  std::vector<std::string> argv;  // the command line as given (reports quote it)
};

void register_upscale_command(CLI::App& app, CommandContext& ctx);
void register_models_command(CLI::App& app, CommandContext& ctx);
void register_eval_command(CLI::App& app, CommandContext& ctx);
void register_compare_command(CLI::App& app, CommandContext& ctx);
void register_resize_command(CLI::App& app, CommandContext& ctx);
void register_quantize_command(CLI::App& app, CommandContext& ctx);
void register_profile_command(CLI::App& app, CommandContext& ctx);
void register_score_command(CLI::App& app, CommandContext& ctx);
void register_bench_command(CLI::App& app, CommandContext& ctx);  // peers only with LITESR_HAVE_TRAIN / _EXPORT
void register_video_command(CLI::App& app, CommandContext& ctx);  // only with LITESR_HAVE_VIDEO
void register_train_command(CLI::App& app, CommandContext& ctx);  // only with LITESR_HAVE_TRAIN
void register_export_command(CLI::App& app, CommandContext& ctx);  // only with LITESR_HAVE_EXPORT

}  // namespace litesr::cli

// `litesr` entry point: global flags, subcommand dispatch, SIGINT -> cancellation, exit codes.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runtime/kernel_dispatch.h"

namespace {

litesr::CancelToken g_cancel;  // the one process-wide flag, set from the signal handler

extern "C" void on_sigint(int /*sig*/) {
  if (g_cancel.cancelled()) std::_Exit(litesr::cli::kExitInterrupted);  // second Ctrl-C: stop now
  g_cancel.cancel();
}

void print_version() {
  std::printf("litesr %s\n", LITESR_VERSION);
#ifdef LITESR_HAVE_TRAIN
  std::printf("modules: base io eval runtime models profile train");
#else
  std::printf("modules: base io eval runtime models profile");
#endif
#ifdef LITESR_HAVE_VIDEO
  std::printf(" video");
#endif
#ifdef LITESR_HAVE_EXPORT
  std::printf(" export");
#endif
  std::printf("\n");
  auto join = [](const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += (s.empty() ? "" : " ") + n;
    return s;
  };
  std::printf("isa compiled: %s\n", join(litesr::compiled_isas()).c_str());
  std::printf("isa detected: %s (using %s)\n", join(litesr::available_isas()).c_str(), litesr::active_isa().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace litesr::cli;
  std::signal(SIGINT, on_sigint);

  CLI::App app{"LiteSR: fast super-resolution on a CPU; train, evaluate, profile and export tiny SR networks."};
  app.name("litesr");
  app.require_subcommand(0, 1);
  app.fallthrough();  // global flags (-v) may follow the subcommand
  bool version = false;
  CommandContext ctx;
  ctx.cancel = &g_cancel;
  app.add_flag("--version", version, "Print version, modules and instruction sets, then exit");
  app.add_flag("-v,--verbose", ctx.verbosity, "More output (repeatable)");

  register_upscale_command(app, ctx);
  register_models_command(app, ctx);
  register_eval_command(app, ctx);
  register_resize_command(app, ctx);
  register_profile_command(app, ctx);
  register_score_command(app, ctx);
  register_bench_command(app, ctx);
#ifdef LITESR_HAVE_VIDEO
  register_video_command(app, ctx);
#endif
#ifdef LITESR_HAVE_TRAIN
  register_train_command(app, ctx);
#endif
#ifdef LITESR_HAVE_EXPORT
  register_export_command(app, ctx);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (version) {
    print_version();
    return kExitOk;
  }
  if (app.get_subcommands().empty()) {
    std::fputs(app.help().c_str(), stdout);
    return kExitUsage;
  }
  return ctx.exit_code;
}

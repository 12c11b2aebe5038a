// `litesr` entry point: global flags, subcommand dispatch, SIGINT -> cancellation, exit codes.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "base/cpu_info.h"
#include "cli/exit_codes.h"
#include "runtime/kernel_conv3x3_int8.h"
#include "runtime/kernel_dispatch.h"
#ifdef LITESR_TORCH_HELPER
#include "cli/torch_forward.h"
#endif

namespace {

litesr::CancelToken g_cancel;  // the one process-wide flag, set from the signal handler

extern "C" void on_sigint(int /*sig*/) {
  if (g_cancel.cancelled()) std::_Exit(litesr::cli::kExitInterrupted);  // second Ctrl-C: stop now
  g_cancel.cancel();
}

void print_version() {
  std::printf("litesr %s\n", LITESR_VERSION);
#if defined(LITESR_HAVE_TRAIN)
  std::printf("modules: base io eval runtime models profile train");
#elif defined(LITESR_TORCH_HELPER)
  std::printf("modules: base io eval runtime models profile train (in %s)", LITESR_TORCH_HELPER);
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
  // The CPU beyond the compiled kernels: on an SVE core this lists sve/sve2 while the kernels run neon.
  std::printf("cpu: %s; supports: %s", litesr::cpu_model_name().c_str(), join(litesr::cpu_isas()).c_str());
  if (const int sve_bits = litesr::sve_vector_bits(); sve_bits > 0) std::printf("; SVE vectors %d bits", sve_bits);
  std::printf("\n");
  const litesr::Int8ConvPath int8 = litesr::int8_path_for(litesr::KernelIsa::current());
  std::printf("int8 conv path: %s%s\n", std::string(litesr::int8_path_name(int8)).c_str(),
              int8 == litesr::Int8ConvPath::kScalar ? " (SIMD int8 paths: x86-64 AVX2 / AVX-VNNI / AVX512-VNNI only)" : "");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace litesr::cli;
#ifdef LITESR_TORCH_HELPER
  if (needs_torch(argc, argv)) {
    const std::string why = exec_torch_helper(LITESR_TORCH_HELPER, argv);  // returns only on failure
    std::fprintf(stderr, "litesr: error: this command needs LibTorch, which is in %s: %s\n", LITESR_TORCH_HELPER,
                 why.c_str());
    return kExitFailure;
  }
#endif
  std::signal(SIGINT, on_sigint);

  CLI::App app{"LiteSR: fast super-resolution on a CPU; train, evaluate, profile and export tiny SR networks."};
  app.name("litesr");
  app.require_subcommand(0, 1);
  app.fallthrough();  // global flags (-v) may follow the subcommand
  bool version = false;
  CommandContext ctx;
  ctx.cancel = &g_cancel;
  ctx.argv.assign(argv, argv + argc);
  app.add_flag("--version", version, "Print version, modules and instruction sets, then exit");
  app.add_flag("-v,--verbose", ctx.verbosity, "More output (repeatable)");

  register_upscale_command(app, ctx);
  register_models_command(app, ctx);
  register_eval_command(app, ctx);
  register_compare_command(app, ctx);
  register_resize_command(app, ctx);
  register_quantize_command(app, ctx);
  register_profile_command(app, ctx);
  register_score_command(app, ctx);
  register_bench_command(app, ctx);
#ifdef LITESR_HAVE_VIDEO
  register_video_command(app, ctx);
#endif
#if defined(LITESR_HAVE_TRAIN)
  register_train_command(app, ctx);
#elif defined(LITESR_TORCH_HELPER)
  // Listed for --help; never parsed here: needs_torch() forwarded the command line above.
  app.add_subcommand("train", "Train a network from a multi-stage TOML recipe, or compare runs (runs " LITESR_TORCH_HELPER
                              ", this CLI linked with LibTorch)")
      ->allow_extras();
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

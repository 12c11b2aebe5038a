// `litesr train`: trains a network from a multi-stage TOML recipe (docs/training.md).
//
//   litesr train --recipe FILE [--out DIR] [--resume] [-j THREADS] [--loader-threads N]
//                [--progress auto|bar|json|none] [--stop-after N] [--nas-lambda X] [-v]
//                [--nproc N [--nnodes M --node-rank K --master-addr HOST --master-port PORT]]
//                [--dist-timeout SECONDS] [--bucket-kb KB]
//   litesr train --compare DIR [DIR ...] [--chart FILE.svg] [--report FILE.html] [--json FILE]
//
// Data-parallel training (docs/training.md): `--nproc N` starts N ranks on this machine and forwards SIGINT/SIGTERM
// to them (train/launcher.h); a process started by another launcher (torchrun-style RANK, WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT in the environment, e.g. Slurm's srun) is one rank (train/distributed_env.h). SIGTERM, like Ctrl-C,
// checkpoints and stops (a cluster's time limit).
//
// Writes DIR/model.safetensors (default DIR: runs/<recipe name>), checkpoints, train_log.jsonl and
// curves.svg. Errors in the recipe, missing data folders and an unwritable DIR are reported before any
// training. `--compare` trains nothing: it summarises finished or running runs from their train_log.jsonl
// (iterations, last and best validation PSNR-Y) and draws their curves overlaid; --report writes an HTML page of
// the runs (summary, curves, and the validation crops over time when RUN/val_crops holds them; docs/report.md),
// --json the same numbers.
// Exit codes: 0 ok, 1 failure, 2 usage error, 130 interrupted (a checkpoint is saved first).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/progress.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report_options.h"
#include "io/atomic_file.h"
#include "report/training_report.h"
#include "train/distributed_env.h"
#include "train/launcher.h"
#include "train/trainer.h"
#include "train/training_log.h"

namespace litesr::cli {
namespace {

struct TrainArgs {
  std::string recipe;
  std::string out;
  bool resume = false;
  int threads = 1;
  int loader_threads = 0;
  std::string progress = "auto";
  long long stop_after = 0;
  bool channels_last = false;
  bool bf16 = false;
  double nas_lambda = 0.0;
  CLI::Option* nas_lambda_option = nullptr;  // given: overrides the search stage's nas_lambda
  int64_t seed = 0;
  CLI::Option* seed_option = nullptr;  // given: overrides the recipe's seed
  std::vector<std::string> compare;          // run folders to summarise instead of training
  std::string chart;                         // --compare: SVG of the overlaid curves
  std::string report;                        // --compare: HTML report of the runs (report/training_report.h)
  std::string json;                          // --compare: JSON of the runs' numbers
  // Data-parallel training.
  int nproc = 0;                             // > 0: start this many ranks here (the launcher)
  int nnodes = 1;
  int node_rank = 0;
  std::string master_addr;                   // "" = $MASTER_ADDR or 127.0.0.1
  int master_port = -1;                      // -1 = $MASTER_PORT, else any free port (one machine) / 29500
  double dist_timeout = 300.0;
  int bucket_kb = 1024;
  bool no_cpu_bind = false;                  // --nproc: leave the ranks unbound
  std::vector<CLI::Option*> launcher_options;  // --nnodes, --node-rank, --master-addr, --master-port
};

// Signal handlers: a training process turns SIGTERM into what Ctrl-C does (checkpoint, stop; a second one stops
// at once); the launcher counts SIGINT/SIGTERM and forwards them to its ranks.
litesr::CancelToken* g_train_cancel = nullptr;
train::LaunchSignals g_launch_signals;

extern "C" void on_train_sigterm(int /*sig*/) {
  if (g_train_cancel == nullptr) std::_Exit(kExitInterrupted);
  if (g_train_cancel->cancelled()) std::_Exit(kExitInterrupted);
  g_train_cancel->cancel();
}
extern "C" void on_launcher_sigint(int /*sig*/) { g_launch_signals.interrupt.fetch_add(1); }
extern "C" void on_launcher_sigterm(int /*sig*/) { g_launch_signals.terminate.fetch_add(1); }

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

// The command line of one rank: this one without the launcher's options.
std::vector<std::string> rank_arguments(const TrainArgs& args, int verbosity) {
  std::vector<std::string> a = {"train", "--recipe", args.recipe};
  if (!args.out.empty()) a.insert(a.end(), {"--out", args.out});
  if (args.resume) a.push_back("--resume");
  a.insert(a.end(), {"--threads", std::to_string(args.threads)});
  if (args.loader_threads > 0) a.insert(a.end(), {"--loader-threads", std::to_string(args.loader_threads)});
  a.insert(a.end(), {"--progress", args.progress});
  if (args.stop_after > 0) a.insert(a.end(), {"--stop-after", std::to_string(args.stop_after)});
  if (args.channels_last) a.push_back("--channels-last");
  if (args.bf16) a.push_back("--bf16");
  if (args.nas_lambda_option != nullptr && args.nas_lambda_option->count() > 0) {
    a.insert(a.end(), {"--nas-lambda", format_number(args.nas_lambda)});
  }
  if (args.seed_option != nullptr && args.seed_option->count() > 0) a.insert(a.end(), {"--seed", std::to_string(args.seed)});
  a.insert(a.end(), {"--dist-timeout", format_number(args.dist_timeout), "--bucket-kb", std::to_string(args.bucket_kb)});
  for (int i = 0; i < verbosity; ++i) a.push_back("-v");
  return a;
}

// The report module's copy of a run's curves (report/ does not link LibTorch).
TrainingRunCurves report_curves(const train::RunCurves& r, const std::string& dir) {
  TrainingRunCurves c;
  c.name = r.name;
  c.dir = dir;
  c.scale = r.scale;
  c.last_iteration = r.last_iteration;
  for (const train::CurvePoint& p : r.loss) c.loss.push_back({p.global_iteration, p.value});
  for (const train::CurvePoint& p : r.psnr) c.psnr.push_back({p.global_iteration, p.value});
  return c;
}

int run_compare(const TrainArgs& args, const CommandContext& ctx) {
  std::vector<train::RunCurves> runs;
  std::vector<TrainingRunCurves> report_runs;
  for (const std::string& dir : args.compare) {
    Result<train::RunCurves> run = train::read_run_curves(dir);
    if (!run.ok()) return report_error(run.status());
    report_runs.push_back(report_curves(*run, dir));
    runs.push_back(std::move(*run));
  }
  // Validation columns are at each run's final scale (an ELSR x4 run's x2 pre-training is left out).
  std::printf("%-28s %11s %6s %12s %12s %12s %s\n", "run", "iterations", "scale", "validations", "last PSNR-Y",
              "best PSNR-Y", "(at iteration)");
  for (const train::RunCurves& r : runs) {
    if (r.psnr.empty()) {
      std::printf("%-28s %11lld %6s %12d %12s %12s\n", r.name.c_str(), static_cast<long long>(r.last_iteration), "-",
                  0, "-", "-");
      continue;
    }
    const train::CurvePoint* best = &r.psnr.front();
    for (const train::CurvePoint& p : r.psnr) best = p.value > best->value ? &p : best;
    std::printf("%-28s %11lld %5s%d %12zu %12.3f %12.3f (%lld)\n", r.name.c_str(),
                static_cast<long long>(r.last_iteration), "x", r.scale, r.psnr.size(), r.psnr.back().value, best->value,
                static_cast<long long>(best->global_iteration));
  }
  if (!args.chart.empty()) {
    Status written = write_file_atomically(args.chart, train::comparison_svg(runs, "training runs compared"));
    if (!written.ok()) return report_error(written);
    std::printf("chart: %s\n", args.chart.c_str());
  }
  TrainingReportOptions ro;
  ro.title = "LiteSR training runs compared:";
  for (std::size_t i = 0; i < report_runs.size(); ++i) ro.title += (i == 0 ? " " : ", ") + report_runs[i].name;
  ro.command = report_command_line(ctx.argv);
  ro.version = LITESR_VERSION;
  ro.generated = utc_now_text();
  if (!args.json.empty()) {
    Result<std::string> json = training_report_json(report_runs, ro);
    if (!json.ok()) return report_error(json.status());
    const Status written = write_file_atomically(args.json, *json);
    if (!written.ok()) return report_error(written);
  }
  if (!args.report.empty()) {
    Result<std::string> html = training_report_html(report_runs, ro);
    if (!html.ok()) return report_error(html.status());
    const Status written = write_file_atomically(args.report, *html);
    if (!written.ok()) return report_error(written);
    std::printf("report: %s (%.1f MB)\n", args.report.c_str(), static_cast<double>(html->size()) / 1e6);
  }
  return kExitOk;
}

// `--nproc N`: checks what can be checked once, then starts and watches the ranks (train/launcher.h).
int run_launcher(const TrainArgs& args, const train::TrainOptions& options, CommandContext& ctx) {
  if (std::getenv("WORLD_SIZE") != nullptr || std::getenv("RANK") != nullptr) {
    return usage_error("--nproc starts the ranks itself: unset WORLD_SIZE and RANK, or leave out --nproc");
  }
  if (args.nnodes < 1) return usage_error("--nnodes must be at least 1");
  if (args.node_rank < 0 || args.node_rank >= args.nnodes) {
    return usage_error("--node-rank " + std::to_string(args.node_rank) + " is out of range for --nnodes " +
                       std::to_string(args.nnodes));
  }
  train::LaunchOptions launch;
  launch.nproc = args.nproc;
  launch.nnodes = args.nnodes;
  launch.node_rank = args.node_rank;
  const char* env_addr = std::getenv("MASTER_ADDR");
  launch.master_addr = !args.master_addr.empty() ? args.master_addr : env_addr != nullptr ? env_addr : "127.0.0.1";
  const char* env_port = std::getenv("MASTER_PORT");
  if (args.master_port >= 0) {
    launch.master_port = args.master_port;
  } else if (env_port != nullptr) {
    launch.master_port = std::atoi(env_port);
  } else {
    launch.master_port = args.nnodes > 1 ? 29500 : 0;
  }
  if (launch.master_port < 0 || launch.master_port > 65535) return usage_error("the master port must be 0..65535");
  const int world = args.nproc * args.nnodes;
  Result<std::filesystem::path> out = train::check_training_can_start(options, world, args.node_rank == 0);
  if (!out.ok()) return report_error(out.status());
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores > 0 && static_cast<unsigned>(args.nproc * args.threads) > cores) {
    std::fprintf(stderr,
                 "litesr train: warning: %d ranks x %d threads on %u cores: LibTorch's threads spin while they wait, "
                 "so oversubscribed ranks slow each other down badly (docs/training.md)\n",
                 args.nproc, args.threads, cores);
  }
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return report_error(io_error("cannot locate this executable (/proc/self/exe: " + ec.message() + ")"));
  launch.executable = self;
  launch.arguments = rank_arguments(args, ctx.verbosity);
  launch.timeout_s = args.dist_timeout;
  launch.bind_cpus = !args.no_cpu_bind;
  train::DistributedOptions d;
  d.timeout_s = args.dist_timeout;
  launch.heartbeat_timeout_s = d.heartbeat_timeout();
  if (args.node_rank == 0) launch.checkpoint = *out / "checkpoint.pt";
  std::signal(SIGINT, on_launcher_sigint);
  std::signal(SIGTERM, on_launcher_sigterm);
  std::signal(SIGHUP, on_launcher_sigterm);  // the terminal went away: the ranks checkpoint and stop
  Result<train::LaunchResult> result = train::launch_local_ranks(launch, g_launch_signals);
  if (!result.ok()) return report_error(result.status());
  if (!result->summary.empty()) std::fprintf(stderr, "litesr: error: %s\n", result->summary.c_str());
  return result->exit_code;
}

int run_train(const TrainArgs& args, CommandContext& ctx) {
  if (!args.compare.empty()) {
    if (!args.recipe.empty()) return usage_error("--compare summarises runs; it does not take --recipe");
    return run_compare(args, ctx);
  }
  if (args.recipe.empty()) return usage_error("--recipe is required (or --compare RUN_DIR ...)");
  if (!args.chart.empty()) return usage_error("--chart goes with --compare");
  if (!args.report.empty()) return usage_error("--report goes with --compare");
  if (!args.json.empty()) return usage_error("--json goes with --compare");
  Result<ProgressMode> mode = parse_progress_mode(args.progress);
  if (!mode.ok()) return usage_error(mode.status().message());
  if (args.threads < 1) return usage_error("--threads must be at least 1");
  if (!(args.dist_timeout > 0)) return usage_error("--dist-timeout must be positive");
  if (args.bucket_kb < 1) return usage_error("--bucket-kb must be at least 1");
  train::TrainOptions options;
  options.recipe = args.recipe;
  options.out_dir = args.out;
  options.resume = args.resume;
  options.threads = args.threads;
  options.loader_threads = args.loader_threads;
  options.progress = *mode;
  options.cancel = ctx.cancel;
  options.stop_after_iterations = args.stop_after;
  options.verbose = ctx.verbosity > 0;
  options.channels_last = args.channels_last;
  options.bf16 = args.bf16;
  if (args.nas_lambda_option != nullptr && args.nas_lambda_option->count() > 0) options.nas_lambda = args.nas_lambda;
  if (args.seed_option != nullptr && args.seed_option->count() > 0) options.seed = args.seed;
  if (args.nproc > 0) return run_launcher(args, options, ctx);
  for (const CLI::Option* o : args.launcher_options) {
    if (o->count() > 0) {
      return usage_error("--nnodes, --node-rank, --master-addr, --master-port and --no-cpu-bind go with --nproc");
    }
  }
  Result<train::DistributedOptions> dist = train::distributed_options_from_env();
  if (!dist.ok()) return usage_error(dist.status().message());
  options.distributed = *dist;
  options.distributed.timeout_s = args.dist_timeout;
  options.distributed.bucket_bytes = static_cast<int64_t>(args.bucket_kb) * 1024;
  g_train_cancel = ctx.cancel;
  std::signal(SIGTERM, on_train_sigterm);
  Result<train::TrainSummary> summary = train::run_training(options);
  if (!summary.ok()) {
    // Every rank stops at the same iteration on Ctrl-C; rank 0 says so.
    if (summary.status().code() == StatusCode::kCancelled && options.distributed.rank != 0) return kExitInterrupted;
    return report_error(summary.status());
  }
  if (!summary->primary) return kExitOk;  // rank 0 reports
  if (summary->finished && summary->nas_nc > 0) {
    std::printf("FGNAS found EVSRNet nc = %d, nb = %d\n", summary->nas_nc, summary->nas_nb);
  }
  if (summary->finished) {
    std::printf("trained %lld iterations; model: %s (last validation PSNR-Y %.3f dB)\n",
                static_cast<long long>(summary->iterations), summary->model_path.c_str(), summary->last_psnr_y);
  } else {
    std::printf("stopped after %lld iterations; checkpoint in %s (continue with --resume)\n",
                static_cast<long long>(summary->iterations), summary->out_dir.c_str());
  }
  return kExitOk;
}

}  // namespace

void register_train_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a network from a multi-stage TOML recipe (recipes/*.toml), or compare runs");
  cmd->add_option("--recipe", args->recipe, "Recipe file (TOML)");
  cmd->add_option("-o,--out", args->out, "Output folder (default: runs/<recipe name>)");
  cmd->add_flag("--resume", args->resume, "Continue the run in the output folder from its checkpoint");
  cmd->add_option("-j,--threads", args->threads, "LibTorch threads (1 = bit-reproducible)")->capture_default_str();
  cmd->add_option("--loader-threads", args->loader_threads, "Data loader threads (default: the recipe's)");
  cmd->add_option("--progress", args->progress, "Progress display: auto, bar, json, none")->capture_default_str();
  cmd->add_flag("--channels-last", args->channels_last, "Conv weights and batches in NHWC (faster with oneDNN)");
  cmd->add_flag("--bf16", args->bf16, "Forward pass under CPU autocast to bfloat16 (AMX/AVX512-BF16); loss in float32");
  args->nas_lambda_option = cmd->add_option(
      "--nas-lambda", args->nas_lambda,
      "Replace the FGNAS search stage's nas_lambda (a lambda sweep; recorded in the stored recipe, so --resume "
      "needs the same value)");
  args->seed_option = cmd->add_option(
      "--seed", args->seed,
      "Replace the recipe's seed (runs of one recipe with several seeds; recorded in the stored recipe, so --resume "
      "continues the same run)");
  cmd->add_option("--stop-after", args->stop_after, "Checkpoint and stop after this many iterations (0 = run all)");
  cmd->add_option("--compare", args->compare,
                  "Train nothing: summarise these run folders (iterations, last and best validation PSNR-Y)");
  cmd->add_option("--chart", args->chart, "With --compare: write their curves overlaid to this SVG");
  cmd->add_option("--report", args->report,
                  "With --compare: write a self-contained HTML report (summary, curves, validation crops over time)");
  cmd->add_option("--json", args->json, "With --compare: write the runs' summaries and curves as JSON");
  cmd->add_option("--nproc", args->nproc,
                  "Data-parallel: start this many ranks on this machine and forward Ctrl-C/SIGTERM to them");
  args->launcher_options = {
      cmd->add_option("--nnodes", args->nnodes, "With --nproc: machines in the run, one launcher each"),
      cmd->add_option("--node-rank", args->node_rank, "With --nproc: this machine, 0 .. nnodes-1"),
      cmd->add_option("--master-addr", args->master_addr,
                      "With --nproc: node 0's address (default $MASTER_ADDR or 127.0.0.1)"),
      cmd->add_option("--master-port", args->master_port,
                      "With --nproc: the rendezvous port (default $MASTER_PORT; one machine: any free port)"),
      cmd->add_flag("--no-cpu-bind", args->no_cpu_bind,
                    "With --nproc: do not bind each rank to its own share of the CPUs (bound by default)")};
  cmd->add_option("--dist-timeout", args->dist_timeout,
                  "Data-parallel: seconds a rank waits for the others (rendezvous, collectives) before it stops")
      ->capture_default_str();
  cmd->add_option("--bucket-kb", args->bucket_kb,
                  "Data-parallel: gradient bucket size in KiB (each bucket is all-reduced during the backward pass)")
      ->capture_default_str();
  cmd->callback([args, &ctx] { ctx.exit_code = run_train(*args, ctx); });
}

}  // namespace litesr::cli

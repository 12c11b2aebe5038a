// `litesr score`: challenge scores of the mobile video-SR challenges (docs/scores.md).
//
//   litesr score --challenge mai2021-vsr --psnr 27.85 --runtime-ms 11.3 [--json FILE|-]
//   litesr score --challenge mai2022-power-vsr --psnr 27.34 --power 0.09 [--json FILE|-]
//   litesr score --challenge ntire2025-esr --psnr 26.92 --runtime-ms 9.1 --flops 15.2 --params 0.21
//                --baseline-runtime-ms 22.2 --baseline-flops 16.7 --baseline-params 0.276 [--json FILE|-]
//
// mai2021-vsr prints eq. (1) (runtime in ms per frame) and the leaderboard value (25.6 × eq. (1));
// mai2022-power-vsr prints 1.66·PSNR + 50·(1 − power[W per 30 FPS]). Exit codes: 0 ok, 1 failure, 2 usage.
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/atomic_file.h"
#include "profile/challenge_score.h"

namespace litesr::cli {
namespace {

struct ScoreArgs {
  std::string challenge;
  double psnr = 0;
  double runtime_ms = -1;
  double power = -1;
  double flops = -1, params = -1;  // ntire2025-esr: any unit, the same as the baseline's
  double baseline_runtime_ms = -1, baseline_flops = -1, baseline_params = -1;
  std::string json;
};

int run_score(const ScoreArgs& args) {
  Result<Challenge> challenge = parse_challenge(args.challenge);
  if (!challenge.ok()) return usage_error(challenge.status().message());
  nlohmann::ordered_json j;
  j["challenge"] = std::string(challenge_name(*challenge));
  j["psnr"] = args.psnr;
  std::string text;
  char line[256];
  if (*challenge == Challenge::kMai2021Vsr) {
    if (args.runtime_ms < 0) return usage_error("mai2021-vsr needs --runtime-ms (ms per frame)");
    Result<double> eq1 = mai2021_vsr_score(args.psnr, args.runtime_ms);
    if (!eq1.ok()) return usage_error(eq1.status().message());
    Result<double> board = mai2021_vsr_leaderboard_score(args.psnr, args.runtime_ms);
    if (!board.ok()) return usage_error(board.status().message());
    j["runtime_ms"] = args.runtime_ms;
    j["score"] = *eq1;
    j["leaderboard_score"] = *board;
    std::snprintf(line, sizeof line, "score (eq. 1, 2^(2(PSNR-27))/ms)  %.4f\nleaderboard (25.6 x eq. 1)         %.2f\n",
                  *eq1, *board);
    text = line;
  } else if (*challenge == Challenge::kNtire2025Esr) {
    if (args.runtime_ms < 0 || args.flops < 0 || args.params < 0 || args.baseline_runtime_ms < 0 ||
        args.baseline_flops < 0 || args.baseline_params < 0) {
      return usage_error(
          "ntire2025-esr needs --runtime-ms, --flops, --params and --baseline-runtime-ms, --baseline-flops, "
          "--baseline-params");
    }
    Result<Ntire2025EsrScore> s = ntire2025_esr_score(args.psnr, {args.runtime_ms, args.flops, args.params},
                                                      {args.baseline_runtime_ms, args.baseline_flops, args.baseline_params});
    if (!s.ok()) return usage_error(s.status().message());
    j["runtime_ms"] = args.runtime_ms;
    j["flops"] = args.flops;
    j["params"] = args.params;
    j["runtime_score"] = s->runtime_score;
    j["flops_score"] = s->flops_score;
    j["params_score"] = s->params_score;
    j["score"] = s->score;
    j["psnr_valid"] = s->psnr_valid;
    std::snprintf(line, sizeof line,
                  "runtime score exp(2 t/t_base)      %.4f\nFLOPs score                        %.4f\n"
                  "params score                       %.4f\nscore (0.7 / 0.15 / 0.15, lower is better)  %.4f\n"
                  "PSNR %.2f dB %s the 26.90 dB threshold\n",
                  s->runtime_score, s->flops_score, s->params_score, s->score, args.psnr,
                  s->psnr_valid ? "meets" : "is BELOW");
    text = line;
  } else {
    if (args.power < 0) return usage_error("mai2022-power-vsr needs --power (W per 30 FPS)");
    Result<double> s = mai2022_power_vsr_score(args.psnr, args.power);
    if (!s.ok()) return usage_error(s.status().message());
    j["power_w"] = args.power;
    j["score"] = *s;
    std::snprintf(line, sizeof line, "score (1.66 PSNR + 50 (1 - power))  %.2f\n", *s);
    text = line;
  }
  const std::string json = j.dump(2) + "\n";
  if (args.json == "-") {
    std::fputs(json.c_str(), stdout);
    return kExitOk;
  }
  std::fputs(text.c_str(), stdout);
  if (!args.json.empty()) {
    const Status written = write_file_atomically(args.json, json);
    if (!written.ok()) return report_error(written);
  }
  return kExitOk;
}

}  // namespace

void register_score_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* cmd = app.add_subcommand("score", "Challenge scores (Mobile AI, NTIRE ESR) from PSNR and runtime, power or size");
  cmd->add_option("--challenge", args->challenge, "mai2021-vsr | mai2022-power-vsr | ntire2025-esr")->required();
  cmd->add_option("--psnr", args->psnr, "PSNR in dB")->required();
  cmd->add_option("--runtime-ms", args->runtime_ms, "Runtime in ms per frame (mai2021-vsr) or per image (ntire2025-esr)");
  cmd->add_option("--power", args->power, "Power in W per 30 FPS (mai2022-power-vsr)");
  cmd->add_option("--flops", args->flops, "FLOPs, any unit as the baseline's (ntire2025-esr)");
  cmd->add_option("--params", args->params, "Parameters, any unit as the baseline's (ntire2025-esr)");
  cmd->add_option("--baseline-runtime-ms", args->baseline_runtime_ms, "Baseline runtime in ms (ntire2025-esr)");
  cmd->add_option("--baseline-flops", args->baseline_flops, "Baseline FLOPs (ntire2025-esr)");
  cmd->add_option("--baseline-params", args->baseline_params, "Baseline parameters (ntire2025-esr)");
  cmd->add_option("--json", args->json, "Write the result as JSON to FILE ('-': JSON on stdout instead of text)");
  cmd->callback([args, &ctx] { ctx.exit_code = run_score(*args); });
}

}  // namespace litesr::cli

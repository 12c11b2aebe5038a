// `litesr score`: challenge scores of the mobile video-SR challenges (docs/scores.md).
//
//   litesr score --challenge mai2021-vsr --psnr 27.85 --runtime-ms 11.3 [--json FILE|-]
//   litesr score --challenge mai2022-power-vsr --psnr 27.34 --power 0.09 [--json FILE|-]
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
  CLI::App* cmd = app.add_subcommand("score", "Mobile AI challenge scores from PSNR and runtime or power");
  cmd->add_option("--challenge", args->challenge, "mai2021-vsr | mai2022-power-vsr")->required();
  cmd->add_option("--psnr", args->psnr, "PSNR in dB")->required();
  cmd->add_option("--runtime-ms", args->runtime_ms, "Runtime in ms per frame (mai2021-vsr)");
  cmd->add_option("--power", args->power, "Power in W per 30 FPS (mai2022-power-vsr)");
  cmd->add_option("--json", args->json, "Write the result as JSON to FILE ('-': JSON on stdout instead of text)");
  cmd->callback([args, &ctx] { ctx.exit_code = run_score(*args); });
}

}  // namespace litesr::cli

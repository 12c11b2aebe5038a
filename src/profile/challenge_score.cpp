#include "profile/challenge_score.h"

#include <cmath>
#include <string>

namespace litesr {

namespace {
Status check_psnr(double psnr_db) {
  if (!std::isfinite(psnr_db)) return invalid_argument("PSNR must be a finite number of dB");
  return {};
}
}  // namespace

Result<double> mai2021_vsr_score(double psnr_db, double runtime_ms_per_frame) {
  LITESR_RETURN_IF_ERROR(check_psnr(psnr_db));
  if (!std::isfinite(runtime_ms_per_frame) || !(runtime_ms_per_frame > 0.0)) {
    return invalid_argument("runtime must be a positive number of ms per frame");
  }
  return std::exp2(2.0 * (psnr_db - 27.0)) / runtime_ms_per_frame;
}

Result<double> mai2021_vsr_leaderboard_score(double psnr_db, double runtime_ms_per_frame) {
  LITESR_ASSIGN_OR_RETURN(const double eq1, mai2021_vsr_score(psnr_db, runtime_ms_per_frame));
  return kMai2021LeaderboardFactor * eq1;
}

Result<double> mai2022_power_vsr_score(double psnr_db, double power_w_per_30fps) {
  LITESR_RETURN_IF_ERROR(check_psnr(psnr_db));
  if (!std::isfinite(power_w_per_30fps) || power_w_per_30fps < 0.0) {
    return invalid_argument("power must be a non-negative number of W per 30 FPS");
  }
  return 1.66 * psnr_db + 50.0 * (1.0 - power_w_per_30fps);
}

Result<Ntire2025EsrScore> ntire2025_esr_score(double psnr_db, const EfficiencyMetrics& team,
                                              const EfficiencyMetrics& baseline) {
  LITESR_RETURN_IF_ERROR(check_psnr(psnr_db));
  for (double v : {team.runtime, team.flops, team.params, baseline.runtime, baseline.flops, baseline.params}) {
    if (!std::isfinite(v) || !(v > 0.0)) return invalid_argument("runtime, FLOPs and parameters must be positive");
  }
  Ntire2025EsrScore s;
  s.runtime_score = std::exp(2.0 * team.runtime / baseline.runtime);
  s.flops_score = std::exp(2.0 * team.flops / baseline.flops);
  s.params_score = std::exp(2.0 * team.params / baseline.params);
  s.score = 0.7 * s.runtime_score + 0.15 * s.flops_score + 0.15 * s.params_score;
  s.psnr_valid = psnr_db >= kNtire2025EsrPsnrThreshold;
  return s;
}

std::string_view challenge_name(Challenge challenge) {
  switch (challenge) {
    case Challenge::kMai2021Vsr: return "mai2021-vsr";
    case Challenge::kMai2022PowerVsr: return "mai2022-power-vsr";
    case Challenge::kNtire2025Esr: return "ntire2025-esr";
  }
  return "unknown";
}

Result<Challenge> parse_challenge(std::string_view name) {
  for (Challenge c : {Challenge::kMai2021Vsr, Challenge::kMai2022PowerVsr, Challenge::kNtire2025Esr}) {
    if (name == challenge_name(c)) return c;
  }
  return invalid_argument("unknown challenge '" + std::string(name) +
                          "' (valid: mai2021-vsr, mai2022-power-vsr, ntire2025-esr)");
}

}  // namespace litesr

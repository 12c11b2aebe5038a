// Challenge scores of the mobile video-SR challenges the seed papers competed in (docs/scores.md).
//
//   mai2021-vsr        Mobile AI 2021 real-time video SR (EVSRNet, seed 001, eq. (1)):
//                        score = 2^(2·(PSNR − 27)) / runtime,  runtime in ms per frame, PSNR in dB.
//                      The MAI 2021 leaderboard (EVSRNet Table 4: 8.13 / 7.36 / 5.61) prints 25.6 × eq. (1),
//                        i.e. 2^(2·(PSNR − 23)) / (10 · runtime): runtime of one 10-frame input in ms.
//   mai2022-power-vsr  Mobile AI & AIM 2022 power-efficient video SR (ELSR, seed 000, Tables 1–3):
//                        score = 1.66 · PSNR + 50 · (1 − power),  power in W per 30 FPS.
//   ntire2025-esr      NTIRE 2025 efficient SR (x4, DIV2K_LSDIR), the challenge report's main-track score:
//                        score_m = exp(2 · m / m_baseline) for m in runtime, FLOPs, parameters;
//                        score = 0.7 · score_runtime + 0.15 · score_flops + 0.15 · score_params (lower is better),
//                      valid only at PSNR >= 26.90 dB (DIV2K_LSDIR_valid).
// The two MAI formulas were reconstructed from and reproduce every score printed in the seeds
// (../shared/reference/seeds_facts.md §1.5, §2.2). The NTIRE formula is the report's; the seeds print no
// NTIRE scores to check it against (docs/scores.md).
#pragma once

#include <string_view>

#include "base/status.h"

namespace litesr {

enum class Challenge : uint8_t { kMai2021Vsr, kMai2022PowerVsr, kNtire2025Esr };

inline constexpr double kMai2021LeaderboardFactor = 25.6;  // leaderboard value / eq. (1)

// Eq. (1) of EVSRNet. kInvalidArgument unless runtime_ms_per_frame > 0 and psnr is finite.
Result<double> mai2021_vsr_score(double psnr_db, double runtime_ms_per_frame);
// 25.6 × eq. (1): the number printed on the MAI 2021 leaderboard.
Result<double> mai2021_vsr_leaderboard_score(double psnr_db, double runtime_ms_per_frame);
// 1.66·PSNR + 50·(1 − power). kInvalidArgument unless power >= 0 and both are finite.
Result<double> mai2022_power_vsr_score(double psnr_db, double power_w_per_30fps);

// NTIRE 2025 ESR: a team's metrics and the baseline's, in any one unit per metric (ms, FLOPs, parameters).
struct EfficiencyMetrics {
  double runtime = 0.0;
  double flops = 0.0;
  double params = 0.0;
};
inline constexpr double kNtire2025EsrPsnrThreshold = 26.90;  // dB, DIV2K_LSDIR_valid
struct Ntire2025EsrScore {
  double runtime_score = 0.0, flops_score = 0.0, params_score = 0.0;
  double score = 0.0;      // weighted sum (lower is better)
  bool psnr_valid = false;  // psnr >= kNtire2025EsrPsnrThreshold
};
// kInvalidArgument unless every metric is finite and positive and the PSNR finite.
Result<Ntire2025EsrScore> ntire2025_esr_score(double psnr_db, const EfficiencyMetrics& team,
                                              const EfficiencyMetrics& baseline);

// "mai2021-vsr", "mai2022-power-vsr", "ntire2025-esr".
std::string_view challenge_name(Challenge challenge);
Result<Challenge> parse_challenge(std::string_view name);

}  // namespace litesr

// Challenge scores of the mobile video-SR challenges the seed papers competed in (docs/scores.md).
//
//   mai2021-vsr        Mobile AI 2021 real-time video SR (EVSRNet, seed 001, eq. (1)):
//                        score = 2^(2·(PSNR − 27)) / runtime,  runtime in ms per frame, PSNR in dB.
//                      The MAI 2021 leaderboard (EVSRNet Table 4: 8.13 / 7.36 / 5.61) prints 25.6 × eq. (1),
//                        i.e. 2^(2·(PSNR − 23)) / (10 · runtime): runtime of one 10-frame input in ms.
//   mai2022-power-vsr  Mobile AI & AIM 2022 power-efficient video SR (ELSR, seed 000, Tables 1–3):
//                        score = 1.66 · PSNR + 50 · (1 − power),  power in W per 30 FPS.
// Both formulas were reconstructed from and reproduce every score printed in the seeds
// (../shared/reference/seeds_facts.md §1.5, §2.2). NTIRE efficient-SR scores are not implemented: no
// published formula could be verified (docs/scores.md).
#pragma once

#include <string_view>

#include "base/status.h"

namespace litesr {

enum class Challenge : uint8_t { kMai2021Vsr, kMai2022PowerVsr };

inline constexpr double kMai2021LeaderboardFactor = 25.6;  // leaderboard value / eq. (1)

// Eq. (1) of EVSRNet. kInvalidArgument unless runtime_ms_per_frame > 0 and psnr is finite.
Result<double> mai2021_vsr_score(double psnr_db, double runtime_ms_per_frame);
// 25.6 × eq. (1): the number printed on the MAI 2021 leaderboard.
Result<double> mai2021_vsr_leaderboard_score(double psnr_db, double runtime_ms_per_frame);
// 1.66·PSNR + 50·(1 − power). kInvalidArgument unless power >= 0 and both are finite.
Result<double> mai2022_power_vsr_score(double psnr_db, double power_w_per_30fps);

// "mai2021-vsr", "mai2022-power-vsr".
std::string_view challenge_name(Challenge challenge);
Result<Challenge> parse_challenge(std::string_view name);

}  // namespace litesr

// Every challenge score printed in the seeds, recomputed (reference: ../shared/reference/scripts/
// challenge_scores.py). Tolerances are half a unit of the printed last digit.
#include "profile/challenge_score.h"

#include <cmath>

#include <gtest/gtest.h>

namespace litesr {
namespace {

double mai22(double psnr, double power) {
  auto r = mai2022_power_vsr_score(psnr, power);
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : NAN;
}

TEST(ChallengeScore, Mai2022PowerVsrReproducesElsrTables) {
  struct Row { const char* what; double psnr, power, printed, half_ulp; };
  const Row rows[] = {
      {"ELSR T1 RFDN", 28.11, 0.69, 62.16, 0.005},     {"ELSR T1 PlainSR", 28.08, 0.49, 72.11, 0.005},
      {"ELSR T1 w/o ESA", 28.04, 0.44, 74.54, 0.0075},  // 74.546 prints as 74.54: truncated, not rounded
      {"ELSR T1 w ESA", 28.13, 0.59, 67.20, 0.005},    {"ELSR T2 ReLU", 27.84, 0.25, 83.71, 0.005},
      {"ELSR T2 PReLU", 27.91, 0.24, 84.33, 0.005},    {"ELSR T3 team 1 (27.34 dB)", 27.34, 0.09, 90.9, 0.05},
      {"ELSR T3 team 2", 27.52, 0.10, 90.7, 0.05},     {"ELSR T3 team 3", 27.34, 0.20, 85.4, 0.05},
  };
  for (const Row& r : rows) EXPECT_NEAR(mai22(r.psnr, r.power), r.printed, r.half_ulp) << r.what;
  // Table 3 prints team 1's PSNR as 27.24: that gives 90.72, not 90.9 — the abstract's 27.34 is right.
  EXPECT_GT(std::fabs(mai22(27.24, 0.09) - 90.9), 0.1);
}

TEST(ChallengeScore, Mai2021Eq1ReproducesEvsrnetTable3) {
  // EVSRNet Table 3: the column titled "Score" is the runtime (ms/frame); the last column is eq. (1).
  struct Row { double psnr, ms, printed; };
  for (const Row& r : {Row{27.4203, 17.3, 0.1035}, Row{27.6647, 25.6, 0.0982}, Row{27.7138, 27.1, 0.0993},
                       Row{27.8082, 31.8, 0.0964}}) {
    auto s = mai2021_vsr_score(r.psnr, r.ms);
    ASSERT_TRUE(s.ok());
    EXPECT_NEAR(*s, r.printed, 0.00005) << r.psnr;
  }
}

TEST(ChallengeScore, Mai2021LeaderboardReproducesEvsrnetTable4) {
  struct Row { double psnr, ms, printed; };
  for (const Row& r : {Row{28.33, 19.9, 8.13}, Row{27.85, 11.3, 7.36}, Row{27.99, 18.0, 5.61}}) {
    auto s = mai2021_vsr_leaderboard_score(r.psnr, r.ms);
    ASSERT_TRUE(s.ok());
    EXPECT_NEAR(*s, r.printed, 0.005) << r.psnr;
    // Equivalent form: 2^(2·(PSNR − 23)) / (runtime of a 10-frame input in ms).
    EXPECT_NEAR(*s, std::exp2(2.0 * (r.psnr - 23.0)) / (10.0 * r.ms), 1e-9);
  }
}

TEST(ChallengeScore, RejectsNonsense) {
  EXPECT_FALSE(mai2021_vsr_score(27.0, 0.0).ok());
  EXPECT_FALSE(mai2021_vsr_score(27.0, -1.0).ok());
  EXPECT_FALSE(mai2021_vsr_score(NAN, 10.0).ok());
  EXPECT_FALSE(mai2022_power_vsr_score(27.0, -0.1).ok());
  EXPECT_FALSE(mai2022_power_vsr_score(INFINITY, 0.1).ok());
}

TEST(ChallengeScore, Ntire2025EsrWeighsRuntimeFlopsAndParams) {
  const EfficiencyMetrics baseline{10.0, 20e9, 300e3};
  // The baseline itself scores e² on every metric, so e² in total.
  auto same = ntire2025_esr_score(26.93, baseline, baseline);
  ASSERT_TRUE(same.ok());
  EXPECT_NEAR(same->score, std::exp(2.0), 1e-12);
  EXPECT_TRUE(same->psnr_valid);
  // Half the runtime, the same FLOPs, a quarter of the parameters: 0.7 e + 0.15 e² + 0.15 e^0.5.
  auto team = ntire2025_esr_score(26.89, {5.0, 20e9, 75e3}, baseline);
  ASSERT_TRUE(team.ok());
  EXPECT_NEAR(team->runtime_score, std::exp(1.0), 1e-12);
  EXPECT_NEAR(team->params_score, std::exp(0.5), 1e-12);
  EXPECT_NEAR(team->score, 0.7 * std::exp(1.0) + 0.15 * std::exp(2.0) + 0.15 * std::exp(0.5), 1e-12);
  EXPECT_FALSE(team->psnr_valid);  // below 26.90 dB
  EXPECT_LT(team->score, same->score);  // lower is better
  EXPECT_FALSE(ntire2025_esr_score(27.0, {0.0, 1.0, 1.0}, baseline).ok());
  EXPECT_FALSE(ntire2025_esr_score(27.0, baseline, {1.0, -1.0, 1.0}).ok());
  EXPECT_FALSE(ntire2025_esr_score(NAN, baseline, baseline).ok());
}

TEST(ChallengeScore, Names) {
  for (Challenge c : {Challenge::kMai2021Vsr, Challenge::kMai2022PowerVsr, Challenge::kNtire2025Esr}) {
    auto p = parse_challenge(challenge_name(c));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, c);
  }
  EXPECT_FALSE(parse_challenge("ntire2022").ok());
}

}  // namespace
}  // namespace litesr

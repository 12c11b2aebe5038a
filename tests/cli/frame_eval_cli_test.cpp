// `litesr eval --lr-frames/--gt-frames`: a video as frame sequences (Vid4 calendar, the real data).
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_runner.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

using testing::run_litesr;

double mean_psnr_y(const std::string& json_text) {
  const nlohmann::json j = nlohmann::json::parse(json_text);
  return j.at("mean").at("psnr_y").get<double>();
}

TEST(FrameEvalCli, Vid4CalendarShippedModelBeatsBicubic) {
  LITESR_REQUIRE_SHARED_DATA(data);
  const std::filesystem::path vid4 = data / "video" / "Vid4_calendar";
  testing::TempDir dir;
  const auto bicubic = run_litesr({"eval", "-n", "bicubic", "-s", "4", "--lr-frames", (vid4 / "BIx4").string(),
                                   "--gt-frames", (vid4 / "GT").string(), "--json", (dir / "b.json").string()});
  ASSERT_EQ(bicubic.exit_code, 0) << bicubic.err;
  const auto elsr = run_litesr({"eval", "-n", "elsr-x4", "--lr-frames", (vid4 / "BIx4").string(), "--gt-frames",
                                (vid4 / "GT").string(), "--json", (dir / "e.json").string()});
  ASSERT_EQ(elsr.exit_code, 0) << elsr.err;
  EXPECT_NE(elsr.out.find("00000019"), std::string::npos) << "per-frame rows expected:\n" << elsr.out;
  const double b = mean_psnr_y(testing::read_file_bytes(dir / "b.json"));
  const double e = mean_psnr_y(testing::read_file_bytes(dir / "e.json"));
  EXPECT_GT(b, 18.0);
  EXPECT_GT(e, b) << "elsr-x4 " << e << " dB vs bicubic " << b << " dB";
}

TEST(FrameEvalCli, MismatchedFoldersAndUsage) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "lr");
  std::filesystem::create_directories(dir / "gt");
  EXPECT_EQ(run_litesr({"eval", "--lr-frames", (dir / "lr").string()}).exit_code, 2);
  EXPECT_EQ(run_litesr({"eval", "-n", "bicubic", "--lr-frames", (dir / "lr").string(), "--gt-frames",
                        (dir / "gt").string()})
                .exit_code,
            1);  // no frames
  EXPECT_EQ(run_litesr({"eval", "-n", "bicubic", "-s", "2,4", "--lr-frames", (dir / "lr").string(), "--gt-frames",
                        (dir / "gt").string()})
                .exit_code,
            2);
}

}  // namespace
}  // namespace litesr

// End-to-end tests of `litesr train` as a user runs it: train a tiny recipe, stop, resume, evaluate the
// exported model with `litesr eval -n`; clear errors (and no run folder) for bad recipes and data.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "io/image_file.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::run_litesr;

Image training_texture(int w, int h, int seed) {
  Image img = Image::create(w, h, 3, PixelType::kU8).value();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        img.view<uint8_t>().at(x, y, c) =
            static_cast<uint8_t>(127.5 + 110 * std::sin(0.37 * x * (c + 1) + seed) * std::cos(0.23 * y + c));
  return img;
}

// root/hr (training), root/val/HR (validation), root/tiny.toml (ELSR x4: 4 iterations, then 4 more).
fs::path make_run_inputs(const fs::path& root) {
  fs::create_directories(root / "hr");
  fs::create_directories(root / "val" / "HR");
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(write_image(root / "hr" / ("i" + std::to_string(i) + ".png"), training_texture(48, 40, i)).ok());
  EXPECT_TRUE(write_image(root / "val" / "HR" / "v.png", training_texture(32, 24, 5)).ok());
  const fs::path recipe = root / "tiny.toml";
  std::ofstream(recipe) << "name = \"tiny\"\nseed = 3\ncheckpoint_every = 2\nlog_every = 1\n"
                           "[model]\narch = \"elsr\"\nscale = 4\n"
                           "[data]\nhr_dirs = [\"hr\"]\nloader_threads = 1\n"
                           "[validation]\ndir = \"val\"\nevery = 4\n"
                           "[[stages]]\nloss = \"l1\"\npatch = 16\nbatch = 2\niterations = 4\nlr = 1e-3\n"
                           "[[stages]]\nloss = \"mse\"\npatch = 16\nbatch = 2\niterations = 4\nlr = 5e-4\n";
  return recipe;
}

// `litesr` without LibTorch forwards `train` to litesr-torch beside it (src/cli/torch_forward.h). A copy of
// `litesr` alone in a folder: `train` is a clear error naming the missing helper (exit 1, nothing trained),
// while commands that need no LibTorch still work.
TEST(TrainCli, ForwardingWithoutTheHelperIsAClearError) {
  if (run_litesr({"--version"}).out.find("(in litesr-torch)") == std::string::npos) {
    GTEST_SKIP() << "this build of litesr does not forward to litesr-torch (LITESR_WITH_TORCH=OFF, or it is the helper)";
  }
  testing::TempDir dir;
  const fs::path lone = dir / "litesr";
  fs::copy_file(LITESR_BINARY, lone);
  fs::permissions(lone, fs::perms::owner_exec, fs::perm_options::add);
  const testing::CliRun train = testing::run_program(lone.string(), {"-v", "train", "--recipe", "r.toml"});
  EXPECT_EQ(train.exit_code, 1) << train.err;
  EXPECT_NE(train.err.find("needs LibTorch"), std::string::npos) << train.err;
  EXPECT_NE(train.err.find((dir / "litesr-torch").string()), std::string::npos) << train.err;
  const testing::CliRun peers = testing::run_program(lone.string(), {"bench", "--peers", "--reps", "1"});
  EXPECT_EQ(peers.exit_code, 1) << peers.err;
  EXPECT_NE(peers.err.find("needs LibTorch"), std::string::npos) << peers.err;
  const testing::CliRun models = testing::run_program(lone.string(), {"models"});
  EXPECT_EQ(models.exit_code, 0) << models.err;
  EXPECT_NE(models.out.find("elsr-x4"), std::string::npos);
}

TEST(TrainCli, TrainStopResumeAndEvaluate) {
  LITESR_REQUIRE_COMMAND("train", "LITESR_WITH_TORCH");
  testing::TempDir dir;
  const fs::path recipe = make_run_inputs(dir.path());
  const fs::path out = dir.path() / "run";
  auto r = run_litesr({"train", "--recipe", recipe.string(), "-o", out.string(), "-j", "1", "--progress", "json",
                       "--stop-after", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--resume"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out / "checkpoint.pt"));
  EXPECT_FALSE(fs::exists(out / "model.safetensors"));
  // JSON progress lines name the task (recipe and stage), iterations done/total, loss, learning rate, speed.
  bool saw_progress = false;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("loss")) continue;
    saw_progress = j.contains("task") && j.contains("done") && j.contains("total") && j.contains("lr") &&
                   j.contains("rate");
  }
  EXPECT_TRUE(saw_progress) << r.err;

  // Training again into the same folder without --resume is refused; --resume finishes the run.
  r = run_litesr({"train", "--recipe", recipe.string(), "-o", out.string(), "-j", "1", "--progress", "none"});
  EXPECT_NE(r.exit_code, 0);
  r = run_litesr({"train", "--recipe", recipe.string(), "-o", out.string(), "-j", "1", "--progress", "none",
                  "--resume"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("trained 8 iterations"), std::string::npos) << r.out;
  ASSERT_TRUE(fs::exists(out / "model.safetensors"));
  EXPECT_TRUE(fs::exists(out / "curves.svg"));
  EXPECT_TRUE(fs::exists(out / "train_log.jsonl"));

  r = run_litesr({"eval", "-n", (out / "model.safetensors").string(), "-d", (dir.path() / "val").string(), "-s", "4", "--json",
                  (dir.path() / "eval.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.path() / "eval.json"));
}

TEST(TrainCli, BadInputsFailBeforeTraining) {
  LITESR_REQUIRE_COMMAND("train", "LITESR_WITH_TORCH");
  testing::TempDir dir;
  const fs::path recipe = make_run_inputs(dir.path());
  auto r = run_litesr({"train", "--recipe", (dir.path() / "missing.toml").string(), "-o", (dir.path() / "a").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing.toml"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "a"));

  std::ofstream(dir.path() / "nodata.toml") << "[model]\narch = \"elsr\"\nscale = 4\n[data]\nhr_dirs = [\"nowhere\"]\n"
                                               "[[stages]]\nloss = \"l1\"\npatch = 16\nbatch = 2\niterations = 2\nlr = 1e-3\n";
  r = run_litesr({"train", "--recipe", (dir.path() / "nodata.toml").string(), "-o", (dir.path() / "b").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("nowhere"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "b"));

  r = run_litesr({"train", "--recipe", recipe.string(), "-j", "0"});
  EXPECT_EQ(r.exit_code, 2);
}

// `train --compare`: a summary line per run folder and their curves overlaid in one SVG; a folder without a
// training log, or --compare with --recipe, or neither, is a clear error.
TEST(TrainCli, CompareSummarisesRunsAndDrawsTheirCurves) {
  LITESR_REQUIRE_COMMAND("train", "LITESR_WITH_TORCH");
  testing::TempDir dir;
  auto write_log = [&](const std::string& name, double db_per_100) {
    fs::create_directories(dir.path() / name);
    std::ofstream log(dir.path() / name / "train_log.jsonl");
    // An x2 stage (its 35 dB must not count as the best x4 result), then x4 validations.
    log << nlohmann::json{{"event", "val"}, {"global_iteration", 50}, {"scale", 2}, {"psnr_y", 35.0}}.dump() << "\n";
    for (int g = 100; g <= 400; g += 100) {
      log << nlohmann::json{{"event", "train"}, {"global_iteration", g}, {"loss", 10.0 / g}}.dump() << "\n";
      log << nlohmann::json{{"event", "val"}, {"global_iteration", g}, {"scale", 4},
                            {"psnr_y", 28.0 + db_per_100 * g / 100}}.dump()
          << "\n";
    }
    log << "{\"event\":\"tra";  // a torn last line, as after a crash
    return (dir.path() / name).string();
  };
  const std::string plain = write_log("plain", 0.1);
  const std::string expanded = write_log("expanded", 0.2);
  const fs::path chart = dir.path() / "compare.svg";
  auto r = run_litesr({"train", "--compare", plain, expanded, "--chart", chart.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Each run: 400 iterations, 4 validations at x4, last = best PSNR-Y at iteration 400.
  EXPECT_NE(r.out.find("28.400       28.400 (400)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("28.800       28.800 (400)"), std::string::npos) << r.out;
  std::ifstream svg_in(chart);
  const std::string svg((std::istreambuf_iterator<char>(svg_in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(svg.rfind("<svg", 0), 0u) << svg.substr(0, 80);
  EXPECT_NE(svg.find("expanded"), std::string::npos);
  EXPECT_NE(svg.find("validation PSNR-Y"), std::string::npos);

  r = run_litesr({"train", "--compare", (dir.path() / "none").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("none"), std::string::npos) << r.err;
  EXPECT_EQ(run_litesr({"train", "--compare", plain, "--recipe", "r.toml"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"train"}).exit_code, 2);
  EXPECT_EQ(run_litesr({"train", "--recipe", "r.toml", "--chart", "c.svg"}).exit_code, 2);
}

}  // namespace
}  // namespace litesr

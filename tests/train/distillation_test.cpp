// Knowledge distillation (train/teacher.h, the stage keys teacher / distill_weight): the student learns the
// teacher's output, resumes bit-identically, and a teacher that cannot teach the stage is refused before training.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>

#include "models/builtin_models.h"
#include "runtime/model_file.h"
#include "runtime/session.h"
#include "testing/test_env.h"
#include "train/recipe.h"
#include "train/trainer.h"
#include "train_test_data.h"

namespace litesr::train {
namespace {

namespace fs = std::filesystem;
using litesr::testing::TempDir;
using litesr::testing::write_text_file;
using testing::make_data;
using testing::make_image;

// ELSR x4 on the generated data; `stage_extra` adds keys to its one stage.
std::string recipe(const fs::path& root, int iterations, const std::string& stage_extra,
                   const std::string& model_extra = "") {
  return "name = \"tiny_kd\"\nseed = 5\ncheckpoint_every = 4\nlog_every = 2\n"
         "[model]\narch = \"elsr\"\nscale = 4\n" +
         model_extra + "[data]\nhr_dirs = [\"" + (root / "hr").string() +
         "\"]\nloader_threads = 1\n"
         "[[stages]]\nloss = \"l1\"\npatch = 16\nbatch = 2\niterations = " +
         std::to_string(iterations) + "\nlr = 2e-2\n" + stage_extra;
}

Result<TrainSummary> train(const fs::path& dir, const std::string& name, const std::string& text,
                           int64_t stop_after = 0, bool resume = false) {
  TrainOptions o;
  o.recipe = write_text_file(dir / (name + ".toml"), text);
  o.out_dir = dir / name;
  o.progress = ProgressMode::kNone;
  o.stop_after_iterations = stop_after;
  o.resume = resume;
  return run_training(o);
}

// Mean absolute difference (u8 levels) between two models' outputs on a test image.
double output_distance(const fs::path& a, const fs::path& b) {
  Session sa = Session::create(read_model_file(a).value()).value();
  Session sb = Session::create(read_model_file(b).value()).value();
  const Image lr = make_image(20, 16, 4);
  Image oa = Image::create(80, 64, 3, PixelType::kU8).value(), ob = Image::create(80, 64, 3, PixelType::kU8).value();
  EXPECT_TRUE(sa.run_u8(lr.view<uint8_t>(), oa.view<uint8_t>()).ok());
  EXPECT_TRUE(sb.run_u8(lr.view<uint8_t>(), ob.view<uint8_t>()).ok());
  double sum = 0;
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 80; ++x) {
      for (int c = 0; c < 3; ++c) sum += std::abs(oa.view<uint8_t>().at(x, y, c) - ob.view<uint8_t>().at(x, y, c));
    }
  }
  return sum / (80.0 * 64 * 3);
}

TEST(Distillation, StudentsLearnTheTeacherAndResumeBitIdentically) {
  TempDir dir;
  make_data(dir.path());
  // A teacher far from the HR images: one step from a random initialisation.
  ASSERT_TRUE(train(dir.path(), "teacher", recipe(dir.path(), 1, "")).ok());
  const fs::path teacher = dir / "teacher" / "model.safetensors";
  const std::string taught = "teacher = \"" + teacher.string() + "\"\ndistill_weight = 1.0\n";
  Result<TrainSummary> kd = train(dir.path(), "kd", recipe(dir.path(), 40, taught));
  ASSERT_TRUE(kd.ok()) << kd.status().to_string();
  ASSERT_TRUE(train(dir.path(), "plain", recipe(dir.path(), 40, "")).ok());
  const double kd_gap = output_distance(dir / "kd" / "model.safetensors", teacher);
  const double plain_gap = output_distance(dir / "plain" / "model.safetensors", teacher);
  EXPECT_LT(kd_gap, 0.5 * plain_gap) << kd_gap << " vs " << plain_gap;

  // Stopped and resumed: the same student (the teacher is reloaded from the recipe).
  ASSERT_TRUE(train(dir.path(), "part", recipe(dir.path(), 40, taught), 17).ok());
  ASSERT_TRUE(train(dir.path(), "part", recipe(dir.path(), 40, taught), 0, true).ok());
  const ModelFile a = read_model_file(dir / "kd" / "model.safetensors").value();
  const ModelFile b = read_model_file(dir / "part" / "model.safetensors").value();
  for (const auto& [name, t] : a.tensors) EXPECT_EQ(t.data, b.tensors.at(name).data) << name;

  // An RGB teacher teaches a luma student (its output's Y), and a video student frame by frame.
  Result<TrainSummary> luma = train(dir.path(), "luma", recipe(dir.path(), 3, taught, "color = \"y\"\n"));
  EXPECT_TRUE(luma.ok()) << luma.status().to_string();
  const std::string video =
      "name = \"tiny_kd_video\"\nseed = 5\n[model]\narch = \"evsrnet\"\nscale = 4\nnc = 4\nnb = 1\nframes = 3\n"
      "mode = \"recurrent\"\n[data]\nkind = \"video_synthetic\"\nhr_dirs = [\"" +
      (dir / "hr").string() +
      "\"]\nframes = 3\nloader_threads = 1\n[[stages]]\npatch = 16\nbatch = 2\niterations = 3\nlr = 1e-3\n" + taught;
  Result<TrainSummary> v = train(dir.path(), "video", video);
  EXPECT_TRUE(v.ok()) << v.status().to_string();
  std::ifstream log(dir / "video" / "train_log.jsonl");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"teacher_loss\""), std::string::npos) << text;
}

// A teacher path resolves against base_dir like every recipe path (the -n rule tells paths from names).
TEST(Distillation, TeacherPathsResolveAgainstTheRecipeFolder) {
  TempDir dir;
  const std::string stage = "[[stages]]\npatch = 16\nbatch = 2\niterations = 1\nlr = 1e-3\nteacher = ";
  const std::string head = "[model]\narch = \"elsr\"\nscale = 4\n[data]\nhr_dirs = [\"x\"]\n";
  for (const std::string path : {"runs/t/model", "t.safetensors"}) {
    Result<Recipe> r = parse_recipe(head + stage + "\"" + path + "\"\n", dir.path());
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->stages[0].teacher, (dir.path() / path).lexically_normal().string());
  }
  Result<Recipe> named = parse_recipe(head + stage + "\"sam-sr-xlite-x4\"\n", dir.path());
  ASSERT_TRUE(named.ok()) << named.status().to_string();
  EXPECT_EQ(named->stages[0].teacher, "sam-sr-xlite-x4");
}

TEST(Distillation, TeachersThatCannotTeachAreRefusedBeforeTraining) {
  TempDir dir;
  make_data(dir.path());
  struct Case {
    std::string stage_extra, model_extra, expect;
  };
  const std::vector<Case> cases = {
      {"teacher = \"elsr-x4-y\"\n", "", "a luma model cannot teach an RGB network"},
      {"teacher = \"elsr-x2\"\n", "", "x2, the stage trains x4"},
      {"teacher = \"elsr-x4-int8\"\n", "", "INT8"},
      {"teacher = \"evsrnet-x4\"\n", "", "multi-frame"},
      {"teacher = \"no-such-model\"\n", "", "no-such-model"},
      {"teacher = \"missing.safetensors\"\n", "", "missing.safetensors"},
      {"distill_weight = 0.5\n", "", "only valid with a teacher"},
      {"teacher = \"elsr-x4\"\ndistill_weight = 1.5\n", "", "distill_weight"},
  };
  for (const Case& c : cases) {
    Result<TrainSummary> r = train(dir.path(), "bad", recipe(dir.path(), 2, c.stage_extra, c.model_extra));
    ASSERT_FALSE(r.ok()) << c.stage_extra;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
    EXPECT_FALSE(fs::exists(dir / "bad")) << c.stage_extra;
  }
}

}  // namespace
}  // namespace litesr::train

// Recipes, schedules, data sampling, and end-to-end training: bit-identical resume, export metadata,
// clear errors before training.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "train_test_data.h"
#include "eval/metrics.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "runtime/model_file.h"
#include "testing/test_env.h"
#include "train/loss.h"
#include "train/lr_schedule.h"
#include "train/recipe.h"
#include "train/trainer.h"
#include "train/training_data.h"
#include "upscaler/model_upscaler.h"

namespace litesr::train {
namespace {

namespace fs = std::filesystem;
using litesr::testing::write_text_file;
using litesr::testing::TempDir;

using testing::make_data;
using testing::make_image;

// `model_extra`: more [model] lines, e.g. "expand = 8\n".
std::string tiny_recipe(const fs::path& root, const std::string& model_extra = "") {
  return "name = \"tiny\"\nseed = 7\ncheckpoint_every = 3\nlog_every = 2\n"
         "[model]\narch = \"elsr\"\nscale = 4\n" + model_extra +
         "[data]\nhr_dirs = [\"" + (root / "hr").string() + "\"]\nloader_threads = 2\n"
         "[validation]\ndir = \"" + (root / "val").string() + "\"\nevery = 4\n"
         "[[stages]]\nscale = 2\nloss = \"l1\"\npatch = 16\nbatch = 2\niterations = 5\nlr = 1e-3\n"
         "schedule = \"multistep\"\nmilestones = [3]\n"
         "[[stages]]\nscale = 4\nloss = \"mse\"\npatch = 16\niterations = 6\nlr = 5e-4\nschedule = \"cosine\"\n";
}

TEST(Schedules, StepMultistepCosine) {
  ScheduleSpec s;
  s.kind = ScheduleKind::kMultiStep;
  s.milestones = {200, 400};
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 5e-4, 199, 500), 5e-4);
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 5e-4, 200, 500), 2.5e-4);
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 5e-4, 450, 500), 1.25e-4);
  s.kind = ScheduleKind::kStep;
  s.step_size = 10;
  s.gamma = 0.1;
  EXPECT_NEAR(learning_rate_at(s, 1.0, 25, 100), 0.01, 1e-12);
  s.kind = ScheduleKind::kCosine;
  s.min_lr = 0.1;
  EXPECT_DOUBLE_EQ(learning_rate_at(s, 1.0, 0, 100), 1.0);
  EXPECT_NEAR(learning_rate_at(s, 1.0, 50, 100), 0.55, 1e-12);
}

TEST(Recipes, ShippedRecipesParse) {
  int count = 0;
  for (const auto& e : fs::directory_iterator(litesr::testing::source_dir() / "recipes")) {
    if (e.path().extension() != ".toml") continue;
    Result<Recipe> r = load_recipe(e.path());
    EXPECT_TRUE(r.ok()) << e.path() << ": " << r.status().to_string();
    ++count;
  }
  EXPECT_GE(count, 1);
  Result<Recipe> elsr = load_recipe(litesr::testing::source_dir() / "recipes" / "elsr_x4_paper.toml");
  if (elsr.ok()) {
    ASSERT_EQ(elsr->stages.size(), 6u);
    EXPECT_EQ(elsr->stages[0].scale, 2);
    EXPECT_EQ(elsr->stages[1].scale, 4);
    EXPECT_EQ(elsr->stages[3].loss, LossKind::kMse);
    EXPECT_EQ(elsr->stages[5].patch, 640);
    EXPECT_EQ(elsr->total_iterations(), 2850000);
  }
}

TEST(Recipes, BadRecipesGiveClearErrors) {
  TempDir dir;
  const std::string base = "[model]\narch = \"elsr\"\nscale = 4\n[data]\nhr_dirs = [\"x\"]\n";
  struct Case {
    std::string text;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {base, "[[stages]]"},
      {base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nbogus = 1\n", "unknown key 'bogus'"},
      {base + "[[stages]]\npatch = 62\nbatch = 2\niterations = 5\nlr = 1e-3\n", "multiple of scale"},
      {base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\n", "'lr'"},
      {base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nloss = \"l3\"\n", "unknown loss"},
      {base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nluma_weight = 1.5\n", "'luma_weight'"},
      {"init = 3\n" + base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\n", "'init'"},
      {base + "[[stages]]\nscale = 4\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\n[[stages]]\nscale = 2\n",
       "ELSR x2 -> x4"},
      {"[model]\narch = \"elsr\"\nscale = 5\n[data]\nhr_dirs = [\"x\"]\n", "scale"},
      {"[model]\narch = \"nope\"\n[data]\nhr_dirs = [\"x\"]\n", "unknown architecture"},
      {"[model\narch = 1", "line 1"},
      {base + "[validation]\ndir = \"v\"\nimages = [\"a.png\"]\n[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr "
              "= 1e-3\n",
       "not both"},
      {"[model]\narch = \"fsrcnn\"\nchannels = 1\n[data]\nhr_dirs = [\"x\"]\n[[stages]]\npatch = 64\nbatch = 2\n"
       "iterations = 5\nlr = 1e-3\nluma_weight = 0.5\n",
       "luma-only"},
      {base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nqat = true\n", "'qat_calib' is required"},
      {base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nqat_calib = \"c\"\n",
       "only valid in a quantization-aware stage"},
      {base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nqat = true\nqat_calib = \"c\"\n"
              "qat_method = \"best\"\n",
       "'qat_method'"},
      {base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nqat = true\nqat_calib = \"c\"\n"
              "[[stages]]\nqat = false\n",
       "must stay true"},
      {base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nqat_learn_ranges = true\n",
       "only valid in a quantization-aware stage"},
      {base + "[[stages]]\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nqat = true\nqat_calib = \"c\"\n"
              "[[stages]]\nqat_learn_ranges = true\n",
       "must be the same in every quantization-aware stage"},
      {base + "[[stages]]\nscale = 2\npatch = 64\nbatch = 2\niterations = 5\nlr = 1e-3\nqat = true\n"
              "qat_calib = \"c\"\n[[stages]]\nscale = 4\n",
       "qat = true needs the network at the model's scale"},
  };
  for (const auto& c : cases) {
    Result<Recipe> r = parse_recipe(c.text, dir.path());
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status().message();
  }
}

TEST(Recipes, MissingDataFolderIsReportedBeforeTraining) {
  TempDir dir;
  Result<Recipe> r = parse_recipe("[model]\narch = \"espcn\"\n[data]\nhr_dirs = [\"nowhere\"]\n"
                                  "[[stages]]\npatch = 16\nbatch = 1\niterations = 1\nlr = 1e-3\n",
                                  dir.path());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  Status s = check_recipe_inputs(*r);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("nowhere"), std::string::npos);
}

TEST(Recipes, MissingHeldOutImageIsReportedBeforeTraining) {
  TempDir dir;
  make_data(dir.path());
  Result<Recipe> r = parse_recipe("[model]\narch = \"espcn\"\n[data]\nhr_dirs = [\"" + (dir / "hr").string() +
                                      "\"]\n[validation]\nimages = [\"" + (dir / "hr" / "gone.png").string() +
                                      "\"]\n[[stages]]\npatch = 16\nbatch = 1\niterations = 1\nlr = 1e-3\n",
                                  dir.path());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->data.exclude, r->validation.images);
  Status s = check_recipe_inputs(*r);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("gone.png"), std::string::npos) << s.message();
}

TEST(Recipes, InitResolvesAgainstBaseDir) {
  TempDir dir;
  make_data(dir.path());
  Result<Recipe> r = parse_recipe("base_dir = \"..\"\ninit = \"models/m.safetensors\"\n"
                                  "[model]\narch = \"espcn\"\n[data]\nhr_dirs = [\"" + (dir / "hr").string() + "\"]\n"
                                  "[[stages]]\npatch = 16\nbatch = 1\niterations = 1\nlr = 1e-3\nluma_weight = 0.5\n"
                                  "[[stages]]\niterations = 1\n",
                                  dir / "recipes");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->init, (dir / "models" / "m.safetensors").lexically_normal());
  EXPECT_DOUBLE_EQ(r->stages[1].luma_weight, 0.5);  // inherited
  EXPECT_TRUE(check_recipe_inputs(*r).ok());  // the trainer reads init, only when a run starts (not on --resume)
}

// `litesr train --seed N`: the seed replaced in the recipe text (comments and layout kept, the override recorded),
// or added first when the recipe has none; out-of-range seeds refused.
TEST(Recipes, SeedOverrideRewritesTheStoredRecipe) {
  TempDir dir;
  const std::string body =
      "[model]\narch = \"elsr\"\n[data]\nhr_dirs = [\"hr\"]\n[[stages]]\npatch = 32\nbatch = 2\niterations = 5\nlr = 1e-3\n";
  const std::string text = "name = \"r\"\nseed = 1   # the first\n" + body;
  Result<std::string> changed = override_seed(text, 2);
  ASSERT_TRUE(changed.ok()) << changed.status().to_string();
  EXPECT_NE(changed->find("seed = 2   # the first\n"), std::string::npos) << *changed;
  EXPECT_NE(changed->find("--seed` (the recipe file says 1)"), std::string::npos) << *changed;
  Result<Recipe> r = parse_recipe(*changed, dir.path());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->seed, 2u);
  Result<std::string> added = override_seed(body, 7);
  ASSERT_TRUE(added.ok()) << added.status().to_string();
  EXPECT_EQ(parse_recipe(*added, dir.path())->seed, 7u);
  const fs::path file = write_text_file(dir / "r.toml", text);
  RecipeOverrides o;
  o.seed = 3;
  Result<Recipe> loaded = load_recipe(file, o);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->seed, 3u);
  EXPECT_NE(loaded->text.find("seed = 3"), std::string::npos);
  EXPECT_FALSE(override_seed(text, -1).ok());
  EXPECT_FALSE(override_seed("seed = [", 1).ok());  // TOML syntax
}

TEST(Losses, LumaWeightMixesTheRgbAndLumaLosses) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::rand({2, 6, 5, 4}), y = torch::rand({2, 6, 5, 4});
  const double rgb = (x - y).abs().mean().item<double>();
  // luma by hand for frame 1 (channels 3..5) of sample 1, pixel (2, 3).
  const double lx = (65.481 * x[1][3][2][3].item<double>() + 128.553 * x[1][4][2][3].item<double>() +
                     24.966 * x[1][5][2][3].item<double>()) / 219.0;
  EXPECT_NEAR(luma(x)[1][1][2][3].item<double>(), lx, 1e-6);
  const double lum = (luma(x) - luma(y)).abs().mean().item<double>();
  EXPECT_LT(lum, rgb);  // luma averages independent channel errors
  EXPECT_NEAR(pixel_loss(LossKind::kL1, x, y).item<double>(), rgb, 1e-6);
  EXPECT_NEAR(pixel_loss(LossKind::kL1, x, y, 1e-3, 1.0).item<double>(), lum, 1e-6);
  EXPECT_NEAR(pixel_loss(LossKind::kL1, x, y, 1e-3, 0.25).item<double>(), 0.75 * rgb + 0.25 * lum, 1e-6);
  // A grey error of e is a luma error of e; an error with no luma (R and G opposite in luma terms) costs none.
  EXPECT_NEAR(pixel_loss(LossKind::kMse, y + 0.1, y, 1e-3, 1.0).item<double>(), 0.01, 1e-6);
  torch::Tensor chroma = torch::zeros({1, 3, 2, 2});
  chroma.index_put_({0, 0}, 128.553 / 65.481 * 0.01);
  chroma.index_put_({0, 1}, -0.01);
  EXPECT_NEAR(pixel_loss(LossKind::kMse, chroma, torch::zeros_like(chroma), 1e-3, 1.0).item<double>(), 0.0, 1e-12);
  EXPECT_GT(pixel_loss(LossKind::kMse, chroma, torch::zeros_like(chroma), 1e-3, 0.5).item<double>(), 0.0);
}

TEST(TrainingData, BatchesAreDeterministicAndAligned) {
  TempDir dir;
  make_data(dir.path());
  DataSpec spec;
  spec.hr_dirs = {dir / "hr"};
  Result<std::unique_ptr<TrainingData>> data = open_training_data(spec, 2);
  ASSERT_TRUE(data.ok()) << data.status().to_string();
  ASSERT_TRUE((*data)->prepare_scale(2, 2).ok());
  BatchRequest q;
  q.scale = 2;
  q.patch = 16;
  q.batch = 3;
  q.iteration = 4;
  Result<Batch> a = (*data)->make_batch(q), b = (*data)->make_batch(q);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->lr, b->lr);
  EXPECT_EQ(a->hr, b->hr);
  q.iteration = 5;
  Result<Batch> c = (*data)->make_batch(q);
  EXPECT_NE(a->lr, c->lr);
  // LR is the bicubic downscale of the HR: their 2x2-block means stay close for smooth images.
  double max_err = 0;
  const int p = a->lr_size;
  for (int y = 2; y < p - 2; ++y)
    for (int x = 2; x < p - 2; ++x) {
      const auto hr = [&](int yy, int xx) { return a->hr[static_cast<size_t>(yy) * 16 + xx]; };
      const double mean = (hr(2 * y, 2 * x) + hr(2 * y + 1, 2 * x) + hr(2 * y, 2 * x + 1) + hr(2 * y + 1, 2 * x + 1)) / 4;
      max_err = std::max(max_err, std::abs(mean - a->lr[static_cast<size_t>(y) * p + x]));
    }
  EXPECT_LT(max_err, 0.12);
  SampleRng r1(1, 2, 3, 4), r2(1, 2, 3, 4);
  EXPECT_EQ(r1.next(), r2.next());
}

TEST(TrainingData, SyntheticVideoWindowsMove) {
  TempDir dir;
  make_data(dir.path());
  DataSpec spec;
  spec.kind = DataKind::kVideoSynthetic;
  spec.hr_dirs = {dir / "hr"};
  spec.frames = 3;
  spec.max_shift = 2;
  auto data = std::move(open_training_data(spec, 1).value());
  ASSERT_TRUE(data->prepare_scale(4, 1).ok());
  BatchRequest q;
  q.scale = 4;
  q.patch = 16;
  q.batch = 4;
  Batch b = std::move(data->make_batch(q).value());
  EXPECT_EQ(b.frames, 3);
  EXPECT_EQ(b.lr.size(), 4u * 9 * 4 * 4);
}

std::map<std::string, Tensor> tensors_of(const fs::path& p) {
  Result<ModelFile> f = read_model_file(p);
  EXPECT_TRUE(f.ok()) << f.status().to_string();
  return f.ok() ? f->tensors : std::map<std::string, Tensor>{};
}

// Trains the tiny recipe whole and in three interrupted parts; both must export the same plain ELSR file.
void check_resume_is_bit_identical_and_export_is_complete(const std::string& model_extra) {
  TempDir dir;
  make_data(dir.path());
  const fs::path recipe = write_text_file(dir / "tiny.toml", tiny_recipe(dir.path(), model_extra));
  TrainOptions full;
  full.recipe = recipe;
  full.out_dir = dir / "full";
  full.progress = ProgressMode::kNone;
  Result<TrainSummary> a = run_training(full);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_TRUE(a->finished);
  EXPECT_EQ(a->iterations, 11);
  EXPECT_TRUE(std::isfinite(a->last_psnr_y) && a->last_psnr_y > 0.0);

  // Interrupted inside stage 1, resumed, interrupted at the stage boundary, resumed to the end.
  TrainOptions part = full;
  part.out_dir = dir / "part";
  part.stop_after_iterations = 4;
  Result<TrainSummary> b = run_training(part);
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  EXPECT_FALSE(b->finished);
  EXPECT_EQ(b->iterations, 4);
  Result<TrainSummary> again = run_training(part);  // not resuming into an existing run
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  part.resume = true;
  part.stop_after_iterations = 5;
  ASSERT_TRUE(run_training(part).ok());
  part.stop_after_iterations = 0;
  Result<TrainSummary> c = run_training(part);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_TRUE(c->finished);

  auto ta = tensors_of(dir / "full" / "model.safetensors");
  auto tc = tensors_of(dir / "part" / "model.safetensors");
  ASSERT_EQ(ta.size(), 9u);
  for (const auto& [name, t] : ta) {
    ASSERT_TRUE(tc.count(name)) << name;
    EXPECT_EQ(t.data, tc.at(name).data) << name;
  }
  EXPECT_EQ(ta.at("conv4.weight").shape, (std::vector<int64_t>{48, 6, 3, 3}));
  Result<ModelFile> f = read_model_file(dir / "full" / "model.safetensors");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->metadata.at("litesr.arch"), "elsr");
  EXPECT_EQ(f->metadata.at("litesr.scale"), "4");
  EXPECT_EQ(f->metadata.at("litesr.config"), "{\"channels\":6,\"scale\":4}");
  EXPECT_EQ(f->metadata.at("litesr.color"), "rgb");
  EXPECT_EQ(f->metadata.at("litesr.range"), "0..1");
  EXPECT_EQ(f->metadata.at("litesr.frames"), "1");
  EXPECT_NE(f->metadata.at("litesr.recipe").find("[[stages]]"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "full" / "curves.svg"));
  // Validation crops (report/training_report.h layout): the output at every validation, HR and LR once. The 32x24
  // validation image holds one 24x24 window (a multiple of the scale, 4 at the end: 6x6 LR).
  for (const char* step : {"4", "11"}) {
    Result<DecodedImage> crop = read_image(dir / "full" / "val_crops" / step / "v.png");
    ASSERT_TRUE(crop.ok()) << step << ": " << crop.status().to_string();
    EXPECT_EQ(crop->image.width(), 24);
  }
  EXPECT_EQ(read_image(dir / "full" / "val_crops" / "hr" / "v.png").value().image.height(), 24);
  EXPECT_EQ(read_image(dir / "full" / "val_crops" / "lr" / "v.png").value().image.width(), 6);
  EXPECT_TRUE(fs::exists(dir / "full" / "train_log.jsonl"));
}

TEST(Trainer, ResumeIsBitIdenticalAndExportIsComplete) { check_resume_is_bit_identical_and_export_is_complete(""); }

// Over-parameterised ELSR: checkpoints hold the factors, model files the collapsed plain network.
TEST(Trainer, ExpandedElsrResumesBitIdenticallyAndExportsCollapsed) {
  check_resume_is_bit_identical_and_export_is_complete("expand = 8\n");
}

// `init`: a run starts from a model file's weights (lr = 1e-12 leaves them as loaded), and a file that does not hold
// the first stage's network is refused before training with the reason.
TEST(Trainer, InitStartsFromAModelFileOfTheSameNetwork) {
  TempDir dir;
  make_data(dir.path());
  TrainOptions first;
  first.recipe = write_text_file(dir / "tiny.toml", tiny_recipe(dir.path()));
  first.out_dir = dir / "first";
  first.progress = ProgressMode::kNone;
  ASSERT_TRUE(run_training(first).ok());
  const fs::path x4 = dir / "first" / "model.safetensors";

  auto fine_tune = [&](const std::string& name, const fs::path& init, const std::string& model_extra,
                       int first_scale, int stop_after = 0, bool resume = false) {
    TrainOptions o = first;
    o.stop_after_iterations = stop_after;
    o.resume = resume;
    o.recipe = write_text_file(dir / (name + ".toml"),
                               "init = \"" + init.string() + "\"\nseed = 11\n[model]\narch = \"elsr\"\nscale = 4\n" +
                                   model_extra + "[data]\nhr_dirs = [\"" + (dir / "hr").string() +
                                   "\"]\n[[stages]]\nscale = " + std::to_string(first_scale) +
                                   "\nloss = \"mse\"\nluma_weight = 0.8\npatch = 16\nbatch = 2\n"
                                   "iterations = 3\nlr = 1e-12\n" +
                                   (first_scale == 2 ? "[[stages]]\nscale = 4\n" : ""));
    o.out_dir = dir / name;
    return run_training(o);
  };
  Result<TrainSummary> same = fine_tune("same", x4, "", 4);
  ASSERT_TRUE(same.ok()) << same.status().to_string();
  auto loaded = tensors_of(x4), kept = tensors_of(dir / "same" / "model.safetensors");
  ASSERT_EQ(loaded.size(), kept.size());
  for (const auto& [name, t] : loaded) {
    ASSERT_EQ(t.shape, kept.at(name).shape) << name;
    for (std::size_t i = 0; i < t.data.size(); ++i) ASSERT_NEAR(t.data[i], kept.at(name).data[i], 1e-9) << name;
  }

  // --resume continues from the checkpoint: the init file is not read again (it may be gone).
  fs::copy_file(x4, dir / "copy.safetensors");
  ASSERT_TRUE(fine_tune("resumed", dir / "copy.safetensors", "", 4, 1).ok());
  fs::remove(dir / "copy.safetensors");
  Result<TrainSummary> resumed = fine_tune("resumed", dir / "copy.safetensors", "", 4, 0, true);
  ASSERT_TRUE(resumed.ok()) << resumed.status().to_string();
  EXPECT_TRUE(resumed->finished);

  struct Refused {
    std::string name;
    fs::path init;
    std::string model_extra;
    int first_scale;
    StatusCode code;
    std::string expect;
  };
  Result<ModelFile> other = read_model_file(x4);
  ASSERT_TRUE(other.ok());
  other->metadata["litesr.arch"] = "espcn";
  ASSERT_TRUE(write_model_file(dir / "espcn.safetensors", *other).ok());
  other->metadata.clear();
  ASSERT_TRUE(write_model_file(dir / "bare.safetensors", *other).ok());
  const std::vector<Refused> refused = {
      {"x2", x4, "", 2, StatusCode::kInvalidArgument, "differs from the first stage's network {\"channels\":6,\"scale\":2}"},
      {"expand", x4, "expand = 4\n", 4, StatusCode::kInvalidArgument, "set [model] expand = 0"},
      {"arch", dir / "espcn.safetensors", "", 4, StatusCode::kInvalidArgument, "holds a espcn model"},
      {"bare", dir / "bare.safetensors", "", 4, StatusCode::kInvalidArgument, "not a LiteSR model file"},
      {"missing", dir / "nothing.safetensors", "", 4, StatusCode::kNotFound, "no such model file"},
  };
  for (const Refused& c : refused) {
    Result<TrainSummary> r = fine_tune(c.name, c.init, c.model_extra, c.first_scale);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), c.code) << c.name << ": " << r.status().to_string();
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << c.name << ": " << r.status().message();
    EXPECT_FALSE(fs::exists(dir / c.name)) << c.name;  // refused before the run folder is made
  }
}

TEST(Trainer, ChannelsLastAndBf16TrainAndExportPlainTensors) {
  TempDir dir;
  make_data(dir.path());
  TrainOptions fast;
  fast.recipe = write_text_file(dir / "tiny.toml", tiny_recipe(dir.path()));
  fast.out_dir = dir / "fast";
  fast.progress = ProgressMode::kNone;
  fast.channels_last = true;
  fast.bf16 = true;
  Result<TrainSummary> a = run_training(fast);
  ASSERT_TRUE(a.ok()) << a.status().to_string();
  EXPECT_TRUE(a->finished);
  EXPECT_TRUE(std::isfinite(a->last_psnr_y) && a->last_psnr_y > 0.0);
  // The exported weights are plain NCHW-ordered float32 and close to the fp32 run's (same seed, same data).
  TrainOptions plain = fast;
  plain.out_dir = dir / "plain";
  plain.channels_last = false;
  plain.bf16 = false;
  ASSERT_TRUE(run_training(plain).ok());
  auto tf = tensors_of(dir / "fast" / "model.safetensors");
  auto tp = tensors_of(dir / "plain" / "model.safetensors");
  ASSERT_EQ(tf.size(), tp.size());
  for (const auto& [name, t] : tp) {
    ASSERT_EQ(tf.at(name).shape, t.shape) << name;
    float diff = 0.0f;
    for (std::size_t i = 0; i < t.data.size(); ++i) diff = std::max(diff, std::abs(t.data[i] - tf.at(name).data[i]));
    EXPECT_LT(diff, 5e-3f) << name;  // 11 Adam steps at lr <= 1e-3 from the same start
  }
}

// A luma network (FSRCNN "channels": 1) trains on Y of the RGB batches, validates on held-out training images
// (which the trainer drops from its data), exports litesr.color = "y", and the runtime scores the exported
// model on the held-out image as the trainer's last validation did (training and runtime agree).
TEST(Trainer, LumaNetworkTrainsValidatesOnHeldOutImagesAndRunsLikeTraining) {
  TempDir dir;
  make_data(dir.path());
  const fs::path held_out = dir / "hr" / "img2.png";
  TrainOptions o;
  o.recipe = write_text_file(dir / "luma.toml",
                             "seed = 3\n[model]\narch = \"fsrcnn\"\nscale = 4\nd = 8\ns = 4\nm = 1\nchannels = 1\n"
                             "[data]\nhr_dirs = [\"" + (dir / "hr").string() + "\"]\nloader_threads = 1\n"
                             "[validation]\nimages = [\"" + held_out.string() + "\"]\nevery = 100\n"
                             "[[stages]]\nloss = \"mse\"\npatch = 16\nbatch = 4\niterations = 150\nlr = 5e-3\n");
  o.out_dir = dir / "run";
  o.progress = ProgressMode::kNone;
  Result<Recipe> recipe = load_recipe(o.recipe);
  ASSERT_TRUE(recipe.ok()) << recipe.status().to_string();
  EXPECT_EQ(recipe->validation.label(), "held-out (1 images)");
  Result<std::unique_ptr<TrainingData>> data = open_training_data(recipe->data, 1);
  ASSERT_TRUE(data.ok()) << data.status().to_string();
  EXPECT_EQ((*data)->size(), 2u);  // img0, img1: the held-out img2 is not trained on

  Result<TrainSummary> summary = run_training(o);
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_GT(summary->last_psnr_y, 15.0);  // it learned something (the untrained network outputs ~0: ~8 dB)
  Result<ModelFile> file = read_model_file(dir / "run" / "model.safetensors");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->metadata.at("litesr.color"), "y");

  SrDataset held;
  held.scale = 4;
  held.lr_generated = true;
  held.pairs.push_back(SrPair{"img2", held_out, {}});
  const SrDatasetOptions options{.scale = 4};
  const LoadedSrPair pair = load_sr_pair(held, held.pairs[0], options).value();
  UpscalerOptions up_options;
  up_options.model = (dir / "run" / "model.safetensors").string();
  ModelUpscaler up = ModelUpscaler::open(up_options).value();
  const Image sr = up.upscale(pair.lr_rgb).value();
  const SrScores scores = compute_sr_scores(sr, pair.hr, 4).value();
  EXPECT_NEAR(scores.psnr_y, summary->last_psnr_y, 0.02);
}

TEST(Trainer, ErrorsBeforeTraining) {
  TempDir dir;
  make_data(dir.path());
  TrainOptions o;
  o.progress = ProgressMode::kNone;
  o.recipe = dir / "missing.toml";
  EXPECT_EQ(run_training(o).status().code(), StatusCode::kNotFound);
  o.recipe = write_text_file(dir / "bad.toml", "[model]\narch = \"elsr\"\n");
  EXPECT_EQ(run_training(o).status().code(), StatusCode::kInvalidArgument);
  o.recipe = write_text_file(dir / "ok.toml", tiny_recipe(dir.path()));
  write_text_file(dir / "file", "x");
  o.out_dir = dir / "file" / "sub";  // a folder under a regular file cannot be created
  Status s = run_training(o).status();
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_FALSE(fs::exists(dir / "file" / "sub"));
  o.out_dir = dir / "fresh";
  o.resume = true;  // nothing to resume
  EXPECT_EQ(run_training(o).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace litesr::train

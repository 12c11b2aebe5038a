// Acceptance tests on the real benchmark data (skipped with a message when ../shared/data is absent):
// MATLAB-exact LR reproduction and the published bicubic PSNR/SSIM.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "eval/evaluation.h"
#include "eval/matlab_resize.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "io/image_folder.h"
#include "testing/test_env.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;

// Number of samples that differ between two u8 images of equal shape (-1 when shapes differ).
long count_differences(const Image& a, const Image& b) {
  if (a.width() != b.width() || a.height() != b.height() || a.channels() != b.channels()) return -1;
  long diff = 0;
  for (int y = 0; y < a.height(); ++y)
    for (int x = 0; x < a.width() * a.channels(); ++x)
      diff += a.view<uint8_t>().row(y)[x] != b.view<uint8_t>().row(y)[x];
  return diff;
}

TEST(EvalData, ResizeReproducesEveryBenchmarkLrFile) {
  LITESR_REQUIRE_SHARED_DATA(data);
  int checked = 0;
  for (const char* set : {"Set5", "Set14", "BSD100"}) {
    const fs::path root = data / "sr_benchmark" / set;
    auto hr_files = list_images(root / "HR");
    ASSERT_TRUE(hr_files.ok()) << hr_files.status().to_string();
    for (int s : {2, 3, 4}) {
      for (const fs::path& rel : *hr_files) {
        auto hr = read_image(root / "HR" / rel);
        ASSERT_TRUE(hr.ok()) << hr.status().to_string();
        auto cropped = modcrop(hr->image, s);
        ASSERT_TRUE(cropped.ok());
        MatlabResizeOptions o;
        o.border = BorderMode::kReplicate;
        auto lr = matlab_imresize(*cropped, 1.0 / s, o);
        ASSERT_TRUE(lr.ok()) << lr.status().to_string();
        const fs::path lr_path = root / "LR_bicubic" / ("X" + std::to_string(s)) /
                                 (rel.stem().string() + "x" + std::to_string(s) + ".png");
        auto expected = read_image(lr_path);
        ASSERT_TRUE(expected.ok()) << expected.status().to_string();
        EXPECT_EQ(count_differences(*lr, expected->image), 0) << lr_path;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, (5 + 14 + 100) * 3);
}

TEST(EvalData, ResizeReproducesVid4CalendarWithSymmetricBorders) {
  LITESR_REQUIRE_SHARED_DATA(data);
  const fs::path root = data / "video" / "Vid4_calendar";
  auto frames = list_images(root / "GT");
  ASSERT_TRUE(frames.ok()) << frames.status().to_string();
  ASSERT_EQ(frames->size(), 20u);
  for (const fs::path& rel : *frames) {
    auto gt = read_image(root / "GT" / rel);
    ASSERT_TRUE(gt.ok()) << gt.status().to_string();
    auto lr = matlab_imresize(gt->image, 0.25, {});  // MATLAB default: symmetric
    ASSERT_TRUE(lr.ok());
    auto expected = read_image(root / "BIx4" / rel);
    ASSERT_TRUE(expected.ok()) << expected.status().to_string();
    EXPECT_EQ(count_differences(*lr, expected->image), 0) << rel;
  }
}

struct Published {
  const char* set;
  int scale;
  double psnr_y;
  double ssim_y;
};

// ../shared/data/README.md, "Published bicubic baselines".
constexpr Published kPublished[] = {
    {"Set5", 2, 33.66, 0.9299},   {"Set5", 3, 30.39, 0.8682},   {"Set5", 4, 28.42, 0.8104},
    {"Set14", 2, 30.24, 0.8688},  {"Set14", 3, 27.55, 0.7742},  {"Set14", 4, 26.00, 0.7027},
    {"BSD100", 2, 29.56, 0.8431}, {"BSD100", 3, 27.21, 0.7385}, {"BSD100", 4, 25.96, 0.6675},
};

TEST(EvalData, BicubicMatchesPublishedNumbers) {
  LITESR_REQUIRE_SHARED_DATA(data);
  for (const Published& p : kPublished) {
    SrDatasetOptions dopt;
    dopt.scale = p.scale;
    auto ds = open_sr_dataset(data / "sr_benchmark" / p.set, dopt);
    ASSERT_TRUE(ds.ok()) << ds.status().to_string();
    EXPECT_FALSE(ds->lr_generated);
    EvaluationOptions eopt;
    eopt.threads = 2;
    auto r = evaluate_dataset(*ds, dopt, make_bicubic_upscaler(p.scale), "bicubic", eopt);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_NEAR(r->mean.psnr_y, p.psnr_y, 0.05) << p.set << " x" << p.scale;
    EXPECT_NEAR(r->mean.ssim_y, p.ssim_y, 0.002) << p.set << " x" << p.scale;
    // RGB PSNR is lower than Y PSNR for bicubic (chroma errors add to the MSE).
    EXPECT_LT(r->mean.psnr_rgb, r->mean.psnr_y) << p.set << " x" << p.scale;
    std::printf("%-7s x%d  Y %.4f / %.5f   RGB %.4f / %.5f   (%.2f s)\n", p.set, p.scale, r->mean.psnr_y,
                r->mean.ssim_y, r->mean.psnr_rgb, r->mean.ssim_rgb, r->seconds);
  }
}

TEST(EvalData, GeneratedLrGivesTheSameScoresAsTheFiles) {
  LITESR_REQUIRE_SHARED_DATA(data);
  // Copy Set5/HR alone: LR_bicubic is absent, so it is generated (replicate borders) and must match.
  testing::TempDir tmp;
  fs::create_directories(tmp / "Set5" / "HR");
  for (const auto& e : fs::directory_iterator(data / "sr_benchmark" / "Set5" / "HR")) {
    fs::copy_file(e.path(), tmp.path() / "Set5" / "HR" / e.path().filename());
  }
  SrDatasetOptions dopt;
  dopt.scale = 3;
  auto gen = open_sr_dataset(tmp / "Set5", dopt);
  auto files = open_sr_dataset(data / "sr_benchmark" / "Set5", dopt);
  ASSERT_TRUE(gen.ok() && files.ok());
  EXPECT_TRUE(gen->lr_generated);
  auto a = evaluate_dataset(*gen, dopt, make_bicubic_upscaler(3), "bicubic");
  auto b = evaluate_dataset(*files, dopt, make_bicubic_upscaler(3), "bicubic");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->images.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(a->images[i].name, b->images[i].name);
    EXPECT_DOUBLE_EQ(a->images[i].scores.psnr_y, b->images[i].scores.psnr_y);
    EXPECT_DOUBLE_EQ(a->images[i].scores.ssim_rgb, b->images[i].scores.ssim_rgb);
  }
}

}  // namespace
}  // namespace litesr

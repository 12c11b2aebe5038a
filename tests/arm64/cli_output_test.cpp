// The aarch64 `litesr upscale` outputs against the x86-64 ones (docs/arm.md "What is bit-exact"). The CLI runs
// in the ctest fixtures of tests/arm64.cmake (under QEMU: an emulated process cannot start another aarch64
// program here), which write into LITESR_ARM64_CLI_DIR; this test reads what they wrote:
//   sample_x4.png  samples/sample.png (320x240) with sam-sr-xlite-x4 (RGB SAM-SR; the default for images until
//                  2026-12-04), 1280x960:
//                  - a 128x128 crop equals the x86-64 output's crop (tests/arm64/sample_x4_crop_x86.png) within
//                    1 grey level per sample (the x86 FMA targets avx3 and avx2 give the same bytes);
//                  - the whole image's PSNR against the MATLAB-bicubic x4 of the input equals the x86-64 value
//                    within 0.002 dB (24 samples off by 1 moved it by 1e-6 dB: pixels off by more, or a
//                    broken region anywhere, moves it by far more).
//   baby_x4.png    Set5 baby's x4 LR (../shared/data) with sam-sr-xlite-x4: PSNR-Y / SSIM-Y against the HR as on
//                  x86-64 (skipped without the data).
// To renew the reference: x86-64 outputs in LITESR_ARM64_CLI_DIR, then LITESR_ARM64_WRITE_REFERENCE=1 rewrites the
// crop from them and the test prints the numbers to paste below (docs/arm.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "eval/matlab_resize.h"
#include "eval/metrics.h"
#include "io/image_file.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;

const fs::path kCliDir = LITESR_ARM64_CLI_DIR;
const fs::path kReferenceCrop = fs::path(LITESR_SOURCE_DIR) / "tests/arm64/sample_x4_crop_x86.png";
constexpr int kCropX = 704, kCropY = 480, kCropSize = 128;  // output pixels (x, y, side)

// x86-64 (avx3 and avx2 alike) with sam-sr-xlite-x4.
constexpr double kSamplePsnrRgbVsBicubic = 28.270384;  // dB, sample_x4 against matlab_imresize(sample, 4)
constexpr double kBabyPsnrY = 33.365138;               // dB, Set5 baby x4 against its HR, shave 4
constexpr double kBabySsimY = 0.886429;

bool writing_reference() {
  const char* v = std::getenv("LITESR_ARM64_WRITE_REFERENCE");
  return v != nullptr && std::string(v) == "1";
}

Image read_u8(const fs::path& path) {
  Result<DecodedImage> d = read_image(path);
  EXPECT_TRUE(d.ok()) << path << ": " << d.status().to_string();
  if (!d.ok()) return Image();
  EXPECT_EQ(d->image.type(), PixelType::kU8) << path;
  return std::move(d->image);
}

TEST(Arm64Cli, SampleMatchesX86WithinOneGreyLevel) {
  const Image out = read_u8(kCliDir / "sample_x4.png");
  ASSERT_EQ(out.width(), 1280);
  ASSERT_EQ(out.height(), 960);
  ASSERT_EQ(out.channels(), 3);
  if (writing_reference()) {
    Image crop = Image::create(kCropSize, kCropSize, 3, PixelType::kU8).value();
    for (int y = 0; y < kCropSize; ++y) {
      for (int x = 0; x < kCropSize * 3; ++x) crop.row_bytes_ptr(y)[x] = out.row_bytes_ptr(kCropY + y)[kCropX * 3 + x];
    }
    WriteOptions smallest;
    smallest.png_level = 9;
    ASSERT_TRUE(write_image(kReferenceCrop, crop, smallest).ok());
  }
  const Image ref = read_u8(kReferenceCrop);
  ASSERT_EQ(ref.width(), kCropSize);
  ASSERT_EQ(ref.height(), kCropSize);
  int differ = 0, worst = 0;
  for (int y = 0; y < kCropSize; ++y) {
    const uint8_t* a = out.row_bytes_ptr(kCropY + y) + kCropX * 3;
    const uint8_t* b = ref.row_bytes_ptr(y);
    for (int x = 0; x < kCropSize * 3; ++x) {
      const int d = std::abs(int{a[x]} - int{b[x]});
      differ += d != 0;
      worst = std::max(worst, d);
    }
  }
  std::printf("crop %dx%d at (%d, %d): %d of %d samples differ from x86-64, by at most %d\n", kCropSize, kCropSize,
              kCropX, kCropY, differ, kCropSize * kCropSize * 3, worst);
  EXPECT_LE(worst, 1);

  const Image lr = read_u8(fs::path(LITESR_SOURCE_DIR) / "samples/sample.png");
  const Image bicubic = matlab_imresize(lr, 4.0).value();
  std::vector<Plane> a, b;  // R, G, B (PSNR only: SSIM of 1280x960 costs seconds under QEMU)
  for (int c = 0; c < 3; ++c) {
    a.push_back(plane_from_u8(out, c, 0).value());
    b.push_back(plane_from_u8(bicubic, c, 0).value());
  }
  const double psnr_rgb = psnr_planes({&a[0], &a[1], &a[2]}, {&b[0], &b[1], &b[2]}).value();
  std::printf("whole image against MATLAB bicubic x4: PSNR-RGB %.6f dB (x86-64: %.6f)\n", psnr_rgb,
              kSamplePsnrRgbVsBicubic);
  if (!writing_reference()) {
    EXPECT_NEAR(psnr_rgb, kSamplePsnrRgbVsBicubic, 0.002);
  }
}

TEST(Arm64Cli, Set5BabyScoresAsOnX86) {
  const fs::path hr_path = fs::path(LITESR_DATA_DIR) / "sr_benchmark/Set5/HR/baby.png";
  const fs::path out_path = kCliDir / "baby_x4.png";
  if (!fs::exists(hr_path)) GTEST_SKIP() << hr_path << " is absent (../shared/data)";
  ASSERT_TRUE(fs::exists(out_path)) << out_path << ": the fixture Cli.UpscaleSet5Baby did not write it";
  const SrScores s = compute_sr_scores(read_u8(out_path), read_u8(hr_path), 4).value();
  std::printf("Set5 baby x4: PSNR-Y %.6f dB, SSIM-Y %.6f (x86-64: %.6f dB, %.6f)\n", s.psnr_y, s.ssim_y, kBabyPsnrY,
              kBabySsimY);
  if (!writing_reference()) {
    EXPECT_NEAR(s.psnr_y, kBabyPsnrY, 0.002);
    EXPECT_NEAR(s.ssim_y, kBabySsimY, 1e-5);
  }
}

}  // namespace
}  // namespace litesr

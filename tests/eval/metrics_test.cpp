#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "testing/random_image.h"

namespace litesr {
namespace {

Image filled(int w, int h, int c, int value) {
  Image img = Image::create(w, h, c, PixelType::kU8).value();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w * c; ++x) img.view<uint8_t>().row(y)[x] = static_cast<uint8_t>(value);
  return img;
}

// Brute-force SSIM: the 2-D 11x11 Gaussian window evaluated at every 'valid' position (ssim_index.m).
double brute_ssim(const Plane& a, const Plane& b) {
  double win[11][11];
  double total = 0;
  for (int i = 0; i < 11; ++i)
    for (int j = 0; j < 11; ++j) total += win[i][j] = std::exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  double sum = 0;
  int count = 0;
  for (int y = 0; y + 11 <= a.height; ++y)
    for (int x = 0; x + 11 <= a.width; ++x) {
      double m1 = 0, m2 = 0, e11 = 0, e22 = 0, e12 = 0;
      for (int i = 0; i < 11; ++i)
        for (int j = 0; j < 11; ++j) {
          const double w = win[i][j] / total;
          const double p = a.at(x + j, y + i), q = b.at(x + j, y + i);
          m1 += w * p;
          m2 += w * q;
          e11 += w * p * p;
          e22 += w * q * q;
          e12 += w * p * q;
        }
      sum += ((2 * m1 * m2 + c1) * (2 * (e12 - m1 * m2) + c2)) /
             ((m1 * m1 + m2 * m2 + c1) * (e11 - m1 * m1 + e22 - m2 * m2 + c2));
      ++count;
    }
  return sum / count;
}

TEST(Metrics, PsnrOfKnownError) {
  // Every RGB sample off by 1: MSE 1 → PSNR = 20·log10(255) = 48.1308 dB; Y differs by 219/255.
  Image a = filled(20, 20, 3, 100);
  Image b = filled(20, 20, 3, 101);
  auto s = compute_sr_scores(a, b, 2);
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_NEAR(s->psnr_rgb, 20 * std::log10(255.0), 1e-9);
  EXPECT_NEAR(s->psnr_y, 20 * std::log10(255.0 / (219.0 / 255.0)), 1e-9);
  // Constant images: SSIM = (2·μ1μ2 + C1) / (μ1² + μ2² + C1).
  const double c1 = std::pow(0.01 * 255, 2);
  EXPECT_NEAR(s->ssim_rgb, (2.0 * 100 * 101 + c1) / (100.0 * 100 + 101.0 * 101 + c1), 1e-12);
}

TEST(Metrics, IdenticalImagesGiveInfinityAndOne) {
  Image a = testing::random_u8_image(30, 25, 3, 1);
  Image b = a.clone();
  auto s = compute_sr_scores(a, b, 3);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->psnr_y, std::numeric_limits<double>::infinity());
  EXPECT_EQ(s->psnr_rgb, std::numeric_limits<double>::infinity());
  EXPECT_NEAR(s->ssim_y, 1.0, 1e-12);
  EXPECT_NEAR(s->ssim_rgb, 1.0, 1e-12);
}

TEST(Metrics, SsimMatchesBruteForceWindow) {
  Image a = testing::random_u8_image(23, 19, 1, 5);
  Image b = testing::random_u8_image(23, 19, 1, 6);
  // Correlate b with a so SSIM is far from 0.
  for (int y = 0; y < 19; ++y)
    for (int x = 0; x < 23; ++x) {
      auto& v = b.view<uint8_t>().at(x, y, 0);
      v = static_cast<uint8_t>((v + 3 * a.view<uint8_t>().at(x, y, 0)) / 4);
    }
  auto pa = plane_from_u8(a, 0, 1);
  auto pb = plane_from_u8(b, 0, 1);
  ASSERT_TRUE(pa.ok() && pb.ok());
  auto s = ssim_plane(*pa, *pb);
  ASSERT_TRUE(s.ok());
  EXPECT_NEAR(*s, brute_ssim(*pa, *pb), 1e-12);
  EXPECT_GT(*s, 0.3);
  auto sym = ssim_plane(*pb, *pa);
  EXPECT_NEAR(*sym, *s, 1e-12);
}

TEST(Metrics, ShaveRemovesBorder) {
  // Differences only in the outer 2 pixels vanish with shave 2.
  Image a = testing::random_u8_image(20, 20, 3, 9);
  Image b = a.clone();
  b.view<uint8_t>().at(0, 0, 0) ^= 0xff;
  b.view<uint8_t>().at(19, 18, 2) ^= 0xff;
  b.view<uint8_t>().at(1, 10, 1) ^= 0xff;
  auto s0 = compute_sr_scores(a, b, 0);
  auto s2 = compute_sr_scores(a, b, 2);
  ASSERT_TRUE(s0.ok() && s2.ok());
  EXPECT_TRUE(std::isfinite(s0->psnr_rgb));
  EXPECT_EQ(s2->psnr_rgb, std::numeric_limits<double>::infinity());
}

TEST(Metrics, LumaFormula) {
  Image img = Image::create(1, 1, 3, PixelType::kU8).value();
  img.view<uint8_t>().at(0, 0, 0) = 255;
  img.view<uint8_t>().at(0, 0, 1) = 128;
  img.view<uint8_t>().at(0, 0, 2) = 0;
  auto y = sr_luma_plane(img, 0);
  ASSERT_TRUE(y.ok());
  EXPECT_NEAR(y->at(0, 0), 16 + 65.481 + 128.553 * 128 / 255.0, 1e-12);
  auto yf = grey_luma_plane(img, 0);
  EXPECT_NEAR(yf->at(0, 0), 0.299 * 255 + 0.587 * 128, 1e-9);
}

TEST(Metrics, GreyGroundTruthUsesItsValuesAsLuma) {
  // A grey HR against an RGB SR with R = G = B: Y metrics on the grey values themselves (0–255),
  // RGB metrics as if the grey image were RGB.
  Image hr = testing::random_u8_image(24, 24, 1, 3);
  Image sr_grey = testing::random_u8_image(24, 24, 1, 4);
  Image sr = Image::create(24, 24, 3, PixelType::kU8).value();
  double se = 0;
  for (int y = 0; y < 24; ++y)
    for (int x = 0; x < 24; ++x) {
      const uint8_t v = sr_grey.view<uint8_t>().at(x, y, 0);
      for (int c = 0; c < 3; ++c) sr.view<uint8_t>().at(x, y, c) = v;
      if (x >= 2 && y >= 2 && x < 22 && y < 22) {
        const double d = v - hr.view<uint8_t>().at(x, y, 0);
        se += d * d;
      }
    }
  const double psnr = 10 * std::log10(255.0 * 255.0 / (se / 400));
  auto s = compute_sr_scores(sr, hr, 2);
  ASSERT_TRUE(s.ok());
  EXPECT_NEAR(s->psnr_y, psnr, 1e-9);
  EXPECT_NEAR(s->psnr_rgb, psnr, 1e-9);
  auto pg = plane_from_u8(sr_grey, 0, 2);
  auto ph = plane_from_u8(hr, 0, 2);
  EXPECT_NEAR(s->ssim_y, *ssim_plane(*pg, *ph), 1e-9);
  EXPECT_NEAR(s->ssim_rgb, *ssim_plane(*pg, *ph), 1e-12);
}

TEST(Metrics, AlphaIsIgnored) {
  Image a = testing::random_u8_image(16, 16, 4, 1);
  Image b = a.clone();
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) b.view<uint8_t>().at(x, y, 3) = 7;
  auto s = compute_sr_scores(a, b, 0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->psnr_rgb, std::numeric_limits<double>::infinity());
}

TEST(Metrics, ErrorsAreClear) {
  Image a = testing::random_u8_image(20, 20, 3, 1);
  Image small = testing::random_u8_image(20, 18, 3, 1);
  auto mismatch = compute_sr_scores(a, small, 2);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("20x18"), std::string::npos);
  EXPECT_EQ(compute_sr_scores(a, a.clone(), -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(compute_sr_scores(a, a.clone(), 10).status().code(), StatusCode::kInvalidArgument);
  // Shaving leaves 8x8 < the 11x11 SSIM window.
  auto tiny = compute_sr_scores(a, a.clone(), 6);
  ASSERT_FALSE(tiny.ok());
  EXPECT_NE(tiny.status().message().find("11x11"), std::string::npos);
  Image f = Image::create(20, 20, 3, PixelType::kF32).value();
  EXPECT_EQ(compute_sr_scores(f, a, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(psnr_planes({}, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(plane_from_u8(a, 3, 0).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace litesr

#include "eval/matlab_resize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "testing/random_image.h"

namespace litesr {
namespace {

// An independent, direct transcription of MATLAB imresize (seeds_facts.md §4.3 / matlab_imresize_ref.py):
// one output sample at a time, no tables, 1-based coordinates, symmetric or replicate borders.
double ref_cubic(double x) {
  const double ax = std::fabs(x);
  if (ax <= 1) return 1.5 * ax * ax * ax - 2.5 * ax * ax + 1;
  if (ax <= 2) return -0.5 * ax * ax * ax + 2.5 * ax * ax - 4 * ax + 2;
  return 0.0;
}

int ref_border(long i, int n, bool symmetric) {  // 1-based in, 0-based out
  if (!symmetric) return static_cast<int>(std::min<long>(std::max<long>(i, 1), n)) - 1;
  while (i < 1 || i > n) i = i < 1 ? 1 - i : 2L * n + 1 - i;
  return static_cast<int>(i) - 1;
}

std::vector<double> ref_resize_1d(const std::vector<double>& v, int out_len, double scale, bool symmetric) {
  const int n = static_cast<int>(v.size());
  const bool aa = scale < 1;
  const double kw = aa ? 4.0 / scale : 4.0;
  const int p = static_cast<int>(std::ceil(kw)) + 2;
  std::vector<double> out(out_len);
  for (int x = 1; x <= out_len; ++x) {
    const double u = x / scale + 0.5 * (1 - 1 / scale);
    const long left = static_cast<long>(std::floor(u - kw / 2));
    double wsum = 0, acc = 0;
    for (int j = 0; j < p; ++j) {
      const long i = left + j;
      const double w = aa ? scale * ref_cubic((u - i) * scale) : ref_cubic(u - i);
      wsum += w;
      acc += w * v[ref_border(i, n, symmetric)];
    }
    out[x - 1] = acc / wsum;
  }
  return out;
}

double ref_round_u8(double v) { return std::min(255.0, std::max(0.0, std::floor(v + 0.5))); }

// Plane [h][w] → resized plane, H first (rounding between passes when `round`).
std::vector<std::vector<double>> ref_resize(const std::vector<std::vector<double>>& img, int out_w, int out_h,
                                            double sw, double sh, bool symmetric, bool round) {
  const int h = static_cast<int>(img.size());
  const int w = static_cast<int>(img[0].size());
  std::vector<std::vector<double>> mid(out_h, std::vector<double>(w));
  for (int x = 0; x < w; ++x) {
    std::vector<double> col(h);
    for (int y = 0; y < h; ++y) col[y] = img[y][x];
    auto r = ref_resize_1d(col, out_h, sh, symmetric);
    for (int y = 0; y < out_h; ++y) mid[y][x] = round ? ref_round_u8(r[y]) : r[y];
  }
  std::vector<std::vector<double>> out(out_h);
  for (int y = 0; y < out_h; ++y) {
    out[y] = ref_resize_1d(mid[y], out_w, sw, symmetric);
    if (round) {
      for (double& v : out[y]) v = ref_round_u8(v);
    }
  }
  return out;
}

std::vector<std::vector<double>> channel_plane(const Image& img, int c) {
  std::vector<std::vector<double>> p(img.height(), std::vector<double>(img.width()));
  auto v = img.view<uint8_t>();
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x) p[y][x] = v.at(x, y, c);
  return p;
}

struct Case {
  int w, h;
  double scale;
};

TEST(MatlabResize, U8MatchesDirectReferenceDownAndUp) {
  for (bool symmetric : {true, false}) {
    for (Case cs : {Case{24, 18, 0.5}, Case{27, 21, 1.0 / 3.0}, Case{32, 20, 0.25}, Case{9, 7, 2.0},
                    Case{8, 11, 3.0}, Case{6, 5, 4.0}, Case{13, 10, 0.7}, Case{5, 9, 2.5}}) {
      const Image src = testing::random_u8_image(cs.w, cs.h, 3, static_cast<unsigned>(cs.w * 31 + cs.h));
      MatlabResizeOptions o;
      o.border = symmetric ? BorderMode::kSymmetric : BorderMode::kReplicate;
      auto out = matlab_imresize(src, cs.scale, o);
      ASSERT_TRUE(out.ok()) << out.status().to_string();
      const int ow = static_cast<int>(std::ceil(cs.w * cs.scale - 1e-9));
      const int oh = static_cast<int>(std::ceil(cs.h * cs.scale - 1e-9));
      ASSERT_EQ(out->width(), ow);
      ASSERT_EQ(out->height(), oh);
      ASSERT_EQ(out->channels(), 3);
      for (int c = 0; c < 3; ++c) {
        auto ref = ref_resize(channel_plane(src, c), ow, oh, cs.scale, cs.scale, symmetric, true);
        auto v = out->view<uint8_t>();
        for (int y = 0; y < oh; ++y)
          for (int x = 0; x < ow; ++x)
            ASSERT_EQ(v.at(x, y, c), ref[y][x]) << cs.w << "x" << cs.h << " scale " << cs.scale << " at " << x
                                                << "," << y << " c" << c << " symmetric " << symmetric;
      }
    }
  }
}

TEST(MatlabResize, F32HasNoIntermediateRounding) {
  const Image src8 = testing::random_u8_image(20, 16, 1, 7);
  Image src = Image::create(20, 16, 1, PixelType::kF32).value();
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 20; ++x) src.view<float>().at(x, y, 0) = src8.view<uint8_t>().at(x, y, 0);
  auto out = matlab_imresize(src, 0.5);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->type(), PixelType::kF32);
  auto ref = ref_resize(channel_plane(src8, 0), 10, 8, 0.5, 0.5, true, false);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 10; ++x) EXPECT_NEAR(out->view<float>().at(x, y, 0), ref[y][x], 1e-3);
  // And the u8 path differs somewhere because it rounds between the passes (and at the end).
  auto out8 = matlab_imresize(src8, 0.5);
  ASSERT_TRUE(out8.ok());
  int differ = 0;
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 10; ++x)
      differ += std::fabs(out8->view<uint8_t>().at(x, y, 0) - ref[y][x]) > 0.5 + 1e-9;
  EXPECT_GT(differ, 0) << "u8 result looks like plain rounding of the float result";
}

TEST(MatlabResize, ConstantStaysConstantAllTypes) {
  for (PixelType t : {PixelType::kU8, PixelType::kU16, PixelType::kF32}) {
    Image img = Image::create(15, 11, 4, t).value();
    for (int y = 0; y < 11; ++y)
      for (int x = 0; x < 60; ++x) {
        if (t == PixelType::kU8) img.view<uint8_t>().row(y)[x] = 200;
        if (t == PixelType::kU16) img.view<uint16_t>().row(y)[x] = 40000;
        if (t == PixelType::kF32) img.view<float>().row(y)[x] = 0.25f;
      }
    for (double s : {0.25, 0.5, 3.0}) {
      auto out = matlab_imresize(img, s);
      ASSERT_TRUE(out.ok());
      EXPECT_EQ(out->channels(), 4);
      EXPECT_EQ(out->type(), t);
      for (int y = 0; y < out->height(); ++y)
        for (int x = 0; x < out->width() * 4; ++x) {
          if (t == PixelType::kU8) {
            ASSERT_EQ(out->view<uint8_t>().row(y)[x], 200);
          }
          if (t == PixelType::kU16) {
            ASSERT_EQ(out->view<uint16_t>().row(y)[x], 40000);
          }
          if (t == PixelType::kF32) {
            ASSERT_NEAR(out->view<float>().row(y)[x], 0.25f, 1e-6);
          }
        }
    }
  }
}

TEST(MatlabResize, SaturatesOvershoot) {
  // A hard 0/255 edge makes the cubic overshoot below 0 and above 255; u8 must clamp, f32 must not.
  Image img = Image::create(8, 8, 1, PixelType::kU8).value();
  Image imgf = Image::create(8, 8, 1, PixelType::kF32).value();
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) {
      img.view<uint8_t>().at(x, y, 0) = x < 4 ? 0 : 255;
      imgf.view<float>().at(x, y, 0) = x < 4 ? 0.f : 1.f;
    }
  auto out = matlab_imresize(img, 4.0);
  auto outf = matlab_imresize(imgf, 4.0);
  ASSERT_TRUE(out.ok() && outf.ok());
  float lo = 1, hi = 0;
  for (int x = 0; x < 32; ++x) {
    lo = std::min(lo, outf->view<float>().at(x, 5, 0));
    hi = std::max(hi, outf->view<float>().at(x, 5, 0));
  }
  EXPECT_LT(lo, 0.0f);
  EXPECT_GT(hi, 1.0f);
  EXPECT_EQ(out->view<uint8_t>().at(13, 5, 0), 0);
  EXPECT_EQ(out->view<uint8_t>().at(18, 5, 0), 255);
}

TEST(MatlabResize, ExplicitSizeResizesSmallerScaleFirst) {
  // Width shrinks (scale 0.5) more than height (scale 1.5): MATLAB resizes the width first.
  const Image src = testing::random_u8_image(20, 10, 1, 3);
  auto out = matlab_imresize_to(src, 10, 15);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->width(), 10);
  ASSERT_EQ(out->height(), 15);
  // Reference: width pass first (transpose, resize "rows", transpose back).
  auto plane = channel_plane(src, 0);
  std::vector<std::vector<double>> t(20, std::vector<double>(10));
  for (int y = 0; y < 10; ++y)
    for (int x = 0; x < 20; ++x) t[x][y] = plane[y][x];
  auto rt = ref_resize(t, 15, 10, 1.5, 0.5, true, true);  // transposed: "height" is the width
  for (int y = 0; y < 15; ++y)
    for (int x = 0; x < 10; ++x) ASSERT_EQ(out->view<uint8_t>().at(x, y, 0), rt[x][y]) << x << "," << y;
}

TEST(MatlabResize, StridedAndUnchangedSizes) {
  const Image src = testing::random_u8_image(7, 5, 2, 11);
  auto same = matlab_imresize_to(src, 7, 5);
  ASSERT_TRUE(same.ok());
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 14; ++x) EXPECT_EQ(same->view<uint8_t>().row(y)[x], src.view<uint8_t>().row(y)[x]);
  auto odd = matlab_imresize(src, 0.5);
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->width(), 4);
  EXPECT_EQ(odd->height(), 3);
}

TEST(MatlabResize, RejectsBadArguments) {
  const Image src = testing::random_u8_image(8, 8, 3, 1);
  EXPECT_EQ(matlab_imresize(src, 0.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(matlab_imresize(src, -1.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(matlab_imresize(src, std::nan("")).status().code(), StatusCode::kInvalidArgument);
  auto tiny = matlab_imresize(src, 1e-3);  // ceil(8 · 0.001) = 1: MATLAB keeps one pixel
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->width(), 1);
  EXPECT_EQ(matlab_imresize(Image(), 2.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(matlab_imresize_to(src, 0, 4).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(matlab_imresize_to(src, 4, -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(matlab_imresize(src, 1e5).status().code(), StatusCode::kResourceExhausted);
  MatlabResizeOptions o;
  o.a = std::nan("");
  EXPECT_EQ(matlab_imresize(src, 2.0, o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace litesr

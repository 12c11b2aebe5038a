// Any output size (upscaler/output_size.h, ModelUpscaler with UpscalerOptions::output): parsing, the model a
// factor picks (the family member at the next integer scale), and outputs equal to the model's output resized
// by the MATLAB-exact resize (bicubic: one resize of the input).
#include "upscaler/output_size.h"

#include <cmath>
#include <algorithm>

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "eval/matlab_resize.h"
#include "models/builtin_models.h"
#include "upscaler/model_upscaler.h"

namespace litesr {
namespace {

Image pattern(int w, int h, int channels, PixelType type = PixelType::kU8) {
  Image img = Image::create(w, h, channels, type).value();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w * channels; ++x) {
      const int v = (x * 7 + y * 13 + (x * y) % 11) % 256;
      if (type == PixelType::kU8) {
        img.view<uint8_t>().row(y)[x] = static_cast<uint8_t>(v);
      } else {
        img.view<uint16_t>().row(y)[x] = static_cast<uint16_t>(v * 257);
      }
    }
  }
  return img;
}

bool same_pixels(const Image& a, const Image& b) {
  if (a.width() != b.width() || a.height() != b.height() || a.channels() != b.channels() || a.type() != b.type()) {
    return false;
  }
  const std::size_t row = static_cast<std::size_t>(a.width()) * a.channels() * pixel_type_size(a.type());
  for (int y = 0; y < a.height(); ++y) {
    if (std::memcmp(a.row_bytes_ptr(y), b.row_bytes_ptr(y), row) != 0) return false;
  }
  return true;
}

ModelUpscaler open(const std::string& model, OutputSize output) {
  UpscalerOptions options;
  options.model = model;
  options.threads = 2;
  options.output = output;
  Result<ModelUpscaler> up = ModelUpscaler::open(options);
  EXPECT_TRUE(up.ok()) << up.status().to_string();
  return std::move(up).value();
}

TEST(OutputSize, ParsesFactorsAndSizes) {
  EXPECT_EQ(OutputSize::parse_scale("1.5").value().scale, 1.5);
  EXPECT_EQ(OutputSize::parse_scale("3").value().label(), "x3");
  EXPECT_EQ(OutputSize::parse_scale("2.25").value().label(), "x2.25");
  for (const char* bad : {"", "1", "0.5", "-2", "abc", "1.5x", "17", "nan", "inf"}) {
    EXPECT_EQ(OutputSize::parse_scale(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  const OutputSize size = OutputSize::parse_size("1920x1080").value();
  EXPECT_EQ(size.width, 1920);
  EXPECT_EQ(size.height, 1080);
  EXPECT_EQ(size.label(), "1920x1080");
  for (const char* bad : {"", "1920", "0x5", "axb", "1920x", "70000x10"}) {
    EXPECT_EQ(OutputSize::parse_size(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  // MATLAB's rule: ceil(side x factor).
  OutputSize f;
  f.scale = 1.5;
  EXPECT_EQ(f.for_input(1280, 720).value(), (std::pair<int, int>(1920, 1080)));
  EXPECT_EQ(f.for_input(7, 5).value(), (std::pair<int, int>(11, 8)));
  EXPECT_DOUBLE_EQ(size.factor_for_input(1280, 720).value(), 1.5);
}

TEST(OutputSize, BuiltinFamilies) {
  const auto elsr = models::builtin_family("elsr-x4");
  ASSERT_EQ(elsr.size(), 2u);
  EXPECT_EQ(elsr[0], (std::pair<int, std::string>(2, "elsr-x2")));
  EXPECT_EQ(elsr[1], (std::pair<int, std::string>(4, "elsr-x4")));
  EXPECT_EQ(models::builtin_family("sam-sr-xlite-x4").size(), 1u);
  EXPECT_TRUE(models::builtin_family("bicubic").empty());
  EXPECT_TRUE(models::builtin_family("model.safetensors").empty());
  EXPECT_TRUE(models::builtin_family("nope-x4").empty());
}

TEST(OutputSize, AFactorRunsTheFamilyMemberAtTheNextIntegerScaleThenResizes) {
  const Image lr = pattern(23, 17, 3);
  OutputSize f;
  f.scale = 1.5;
  ModelUpscaler up = open("elsr-x4", f);
  EXPECT_EQ(up.model_name(), "elsr-x2");
  EXPECT_EQ(up.scale(), 2);
  EXPECT_TRUE(up.resizes());
  const Image sr = up.upscale(lr).value();
  EXPECT_EQ(sr.width(), 35);   // ceil(23 x 1.5)
  EXPECT_EQ(sr.height(), 26);  // ceil(17 x 1.5)
  ModelUpscaler x2 = open("elsr-x2", {});
  const Image want = matlab_imresize(x2.upscale(lr).value(), 0.75).value();  // imresize(SR, 1.5 / 2)
  ASSERT_EQ(want.width(), 35);
  EXPECT_TRUE(same_pixels(sr, want));
  // The caller's buffer gets the same pixels.
  Image into = Image::create(35, 26, 3, PixelType::kU8).value();
  ASSERT_TRUE(up.upscale_rgb8_into(lr.view<uint8_t>(), into.view<uint8_t>()).ok());
  EXPECT_TRUE(same_pixels(into, want));
  Image wrong = Image::create(46, 34, 3, PixelType::kU8).value();
  EXPECT_EQ(up.upscale_rgb8_into(lr.view<uint8_t>(), wrong.view<uint8_t>()).code(), StatusCode::kInvalidArgument);
  // Resized outputs stream in bands (upscaler/streamed_upscale.h: the model's rows through output_resizer()).
  EXPECT_TRUE(up.context_rows().ok());
  EXPECT_TRUE(up.resizes_output(23, 17).value());
  EXPECT_FALSE(up.resizes_input());

  // x3 with a family that has only x4: x4, then the antialiased shrink.
  f.scale = 3;
  ModelUpscaler sam = open("sam-sr-xlite-x4", f);
  EXPECT_EQ(sam.scale(), 4);
  const Image sam_sr = sam.upscale(lr).value();
  ModelUpscaler sam_x4 = open("sam-sr-xlite-x4", {});
  EXPECT_TRUE(same_pixels(sam_sr, matlab_imresize(sam_x4.upscale(lr).value(), 0.75).value()));
  EXPECT_EQ(sam_sr.width(), 69);

  // The model's own scale resizes nothing.
  f.scale = 4;
  ModelUpscaler own = open("elsr-x2", f);  // family member x4
  EXPECT_EQ(own.model_name(), "elsr-x4");
  EXPECT_FALSE(own.resizes());
  EXPECT_TRUE(own.context_rows().ok());
}

TEST(OutputSize, BicubicIsOneResizeOfTheInputAtAnyFactor) {
  OutputSize f;
  f.scale = 2.5;
  for (PixelType type : {PixelType::kU8, PixelType::kU16}) {
    const Image lr = pattern(19, 11, 4, type);  // RGBA: every channel, alpha included
    ModelUpscaler up = open("bicubic", f);
    const Image sr = up.upscale(lr).value();
    EXPECT_TRUE(same_pixels(sr, matlab_imresize(lr, 2.5).value()));
  }
}

TEST(OutputSize, BicubicTakesEveryFactorUpToTheLimit) {
  // Factors above bicubic's largest session scale (8) still resize the input once.
  const Image lr = pattern(7, 5, 3);
  ModelUpscaler up = open("bicubic", OutputSize::from_scale(12.5).value());
  const Image sr = up.upscale(lr).value();
  EXPECT_TRUE(same_pixels(sr, matlab_imresize(lr, 12.5).value()));
  EXPECT_EQ(sr.width(), 88);  // ceil(7 x 12.5)
}

TEST(OutputSize, ResizedFloatOutputsStayInZeroToOne) {
  // A black/white checkerboard makes the cubic lobes overshoot; f32 outputs are clamped like the model's own.
  Image lr = Image::create(16, 12, 3, PixelType::kF32).value();
  for (int y = 0; y < 12; ++y) {
    for (int i = 0; i < 16 * 3; ++i) lr.view<float>().row(y)[i] = ((i / 3 + y) % 2) ? 1.0f : 0.0f;
  }
  for (const char* model : {"elsr-x4", "bicubic"}) {
    ModelUpscaler up = open(model, OutputSize::from_scale(1.5).value());
    const Image sr = up.upscale(lr).value();
    float lo = 1, hi = 0;
    for (int y = 0; y < sr.height(); ++y) {
      for (int i = 0; i < sr.width() * 3; ++i) {
        lo = std::min(lo, sr.view<float>().row(y)[i]);
        hi = std::max(hi, sr.view<float>().row(y)[i]);
      }
    }
    EXPECT_GE(lo, 0.0f) << model;
    EXPECT_LE(hi, 1.0f) << model;
    EXPECT_EQ(hi, 1.0f) << model;  // the overshoot was there to clamp
  }
}

TEST(OutputSize, FromScaleAndFromSizeCheckTheirRanges) {
  EXPECT_TRUE(OutputSize::from_scale(16).ok());
  for (double bad : {1.0, 0.5, -2.0, 16.5, std::nan(""), double{INFINITY}}) EXPECT_FALSE(OutputSize::from_scale(bad).ok()) << bad;
  EXPECT_EQ(OutputSize::from_size(1, 65536).value().height, 65536);
  EXPECT_FALSE(OutputSize::from_size(0, 10).ok());
  EXPECT_FALSE(OutputSize::from_size(10, 65537).ok());
}

TEST(OutputSize, ExactSizesKeepTheLayoutAndRefuseWhatTheModelCannotReach) {
  OutputSize size;
  size.width = 50;
  size.height = 20;
  ModelUpscaler up = open("elsr-x2", size);
  ModelUpscaler x2 = open("elsr-x2", {});
  for (int channels : {1, 2, 3, 4}) {
    const Image lr = pattern(30, 12, channels, PixelType::kU16);
    const Image sr = up.upscale(lr).value();
    EXPECT_TRUE(same_pixels(sr, matlab_imresize_to(x2.upscale(lr).value(), 50, 20).value()));
    EXPECT_EQ(sr.width(), 50);
    EXPECT_EQ(sr.height(), 20);
    EXPECT_EQ(sr.channels(), channels);
    EXPECT_EQ(sr.type(), PixelType::kU16);
  }
  // 50 / 20 = x2.5 > the model's x2.
  EXPECT_EQ(up.upscale(pattern(20, 10, 3)).status().code(), StatusCode::kInvalidArgument);
}

TEST(OutputSize, FactorsBeyondTheFamilyAndConflictingOptionsAreErrors) {
  UpscalerOptions options;
  options.model = "elsr-x2";
  options.output.scale = 5;
  EXPECT_EQ(ModelUpscaler::open(options).status().code(), StatusCode::kInvalidArgument);
  options.output.scale = 1.5;
  options.scale = 2;
  EXPECT_EQ(ModelUpscaler::open(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace litesr

#include "eval/luma_color.h"

#include <algorithm>
#include <cmath>

#include "base/color.h"
#include "base/image_ops.h"
#include "eval/matlab_resize.h"

namespace litesr {
namespace {

constexpr YCbCrFormat kSrFormat{ColorMatrix::kBt601, ColorRange::kLimited, 8};

// Sample (x, y, c) of an RGB image as a value in [0, 1].
double unit_sample(const Image& img, int x, int y, int c) {
  switch (img.type()) {
    case PixelType::kU8: return img.view<uint8_t>().at(x, y, c) / 255.0;
    case PixelType::kU16: return img.view<uint16_t>().at(x, y, c) / 65535.0;
    case PixelType::kF32: return img.view<float>().at(x, y, c);
  }
  return 0.0;
}

Status check_rgb(const Image& rgb) {
  if (rgb.channels() != 3) return invalid_argument("a luma network's colour image must be RGB (3 channels)");
  return {};
}

}  // namespace

Result<Image> luma_of_rgb(const Image& rgb) {
  LITESR_RETURN_IF_ERROR(check_rgb(rgb));
  const ColorTransform to_ycbcr = rgb_to_ycbcr_transform(kSrFormat);
  LITESR_ASSIGN_OR_RETURN(Image y, Image::create(rgb.width(), rgb.height(), 1, PixelType::kF32));
  ImageView<float> out = y.view<float>();
  const auto& m = to_ycbcr.m[0];
  for (int yy = 0; yy < rgb.height(); ++yy) {
    for (int x = 0; x < rgb.width(); ++x) {
      const double v = to_ycbcr.offset[0] + m[0] * unit_sample(rgb, x, yy, 0) + m[1] * unit_sample(rgb, x, yy, 1) +
                       m[2] * unit_sample(rgb, x, yy, 2);
      out.at(x, yy, 0) = static_cast<float>(v / 255.0);
    }
  }
  return y;
}

Result<Image> merge_upscaled_luma(const Image& y_sr, const Image& lr_rgb, int scale) {
  LITESR_RETURN_IF_ERROR(check_rgb(lr_rgb));
  if (y_sr.channels() != 1 || y_sr.type() != PixelType::kF32 || scale < 1 ||
      y_sr.width() != lr_rgb.width() * scale || y_sr.height() != lr_rgb.height() * scale) {
    return invalid_argument("merge_upscaled_luma: the luma must be f32, one channel, scale x the colour image");
  }
  // Chroma of the LR image (f32 code values / 255), upscaled without rounding.
  const ColorTransform to_ycbcr = rgb_to_ycbcr_transform(kSrFormat);
  LITESR_ASSIGN_OR_RETURN(Image chroma, Image::create(lr_rgb.width(), lr_rgb.height(), 2, PixelType::kF32));
  ImageView<float> cv = chroma.view<float>();
  for (int y = 0; y < lr_rgb.height(); ++y) {
    for (int x = 0; x < lr_rgb.width(); ++x) {
      const std::array<double, 3> rgb{unit_sample(lr_rgb, x, y, 0), unit_sample(lr_rgb, x, y, 1),
                                      unit_sample(lr_rgb, x, y, 2)};
      const std::array<double, 3> ycc = to_ycbcr.apply(rgb);
      cv.at(x, y, 0) = static_cast<float>(ycc[1] / 255.0);
      cv.at(x, y, 1) = static_cast<float>(ycc[2] / 255.0);
    }
  }
  LITESR_ASSIGN_OR_RETURN(const Image chroma_up, matlab_imresize(chroma, scale));
  const ColorTransform to_rgb = ycbcr_to_rgb_transform(kSrFormat);
  LITESR_ASSIGN_OR_RETURN(Image out, Image::create(y_sr.width(), y_sr.height(), 3, lr_rgb.type()));
  const ImageView<const float> yv = y_sr.view<float>();
  const ImageView<const float> uv = chroma_up.view<float>();
  for (int y = 0; y < out.height(); ++y) {
    for (int x = 0; x < out.width(); ++x) {
      const std::array<double, 3> rgb =
          to_rgb.apply({255.0 * yv.at(x, y, 0), 255.0 * uv.at(x, y, 0), 255.0 * uv.at(x, y, 1)});
      for (int c = 0; c < 3; ++c) {
        const double v = std::clamp(rgb[c], 0.0, 1.0);
        switch (out.type()) {
          case PixelType::kU8: out.view<uint8_t>().at(x, y, c) = static_cast<uint8_t>(std::floor(v * 255.0 + 0.5)); break;
          case PixelType::kU16:
            out.view<uint16_t>().at(x, y, c) = static_cast<uint16_t>(std::floor(v * 65535.0 + 0.5));
            break;
          case PixelType::kF32: out.view<float>().at(x, y, c) = static_cast<float>(v); break;
        }
      }
    }
  }
  return out;
}

}  // namespace litesr

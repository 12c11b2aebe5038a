#include "eval/luma_color.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

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

namespace {

// out (RGB of T) = ycbcr2rgb(255·y, 255·chroma) row by row, clamped to [0, 1] and stored as T (u8 / u16 rounded
// half up). Single-precision coefficients: the rounding of the stored value dominates (|error| < 1e-6).
template <typename T>
void store_rgb_rows(const ImageView<const float>& yv, const ImageView<const float>& cv, const ColorTransform& to_rgb,
                    ImageView<T> out) {
  float m[3][3], off[3];
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) m[r][c] = static_cast<float>(to_rgb.m[r][c] * 255.0);
    off[r] = static_cast<float>(to_rgb.offset[r]);
  }
  constexpr float kMax = std::is_same_v<T, float> ? 1.0f : static_cast<float>(std::numeric_limits<T>::max());
  for (int y = 0; y < out.height; ++y) {
    const float* yr = yv.row(y);
    const float* cr = cv.row(y);
    T* o = out.row(y);
    for (int x = 0; x < out.width; ++x) {
      const float l = yr[x], cb = cr[2 * x], ce = cr[2 * x + 1];
      for (int c = 0; c < 3; ++c) {
        const float v = std::clamp(off[c] + m[c][0] * l + m[c][1] * cb + m[c][2] * ce, 0.0f, 1.0f);
        if constexpr (std::is_same_v<T, float>) {
          o[3 * x + c] = v;
        } else {
          o[3 * x + c] = static_cast<T>(v * kMax + 0.5f);
        }
      }
    }
  }
}

}  // namespace

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
  switch (out.type()) {
    case PixelType::kU8: store_rgb_rows(yv, uv, to_rgb, out.view<uint8_t>()); break;
    case PixelType::kU16: store_rgb_rows(yv, uv, to_rgb, out.view<uint16_t>()); break;
    case PixelType::kF32: store_rgb_rows(yv, uv, to_rgb, out.view<float>()); break;
  }
  return out;
}

}  // namespace litesr

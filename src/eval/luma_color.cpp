#include "eval/luma_color.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/color.h"
#include "base/image_ops.h"
#include "base/resample_weights.h"
#include "base/worker_threads.h"
#include "eval/matlab_resize_passes.h"

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

// One output row of RGB of T = ycbcr2rgb(255·y, 255·chroma), clamped to [0, 1] and stored as T (u8 / u16 rounded
// half up). Single-precision coefficients: the rounding of the stored value dominates (|error| < 1e-6). Per channel
// a contiguous loop over the planar rows (vectorisable), then the interleaved store.
struct RgbRowStore {
  float m[3][3], off[3];
  explicit RgbRowStore(const ColorTransform& to_rgb) {
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) m[r][c] = static_cast<float>(to_rgb.m[r][c] * 255.0);
      off[r] = static_cast<float>(to_rgb.offset[r]);
    }
  }
  // `value` is scratch of `width` floats.
  template <typename T>
  void operator()(const float* yr, const float* cb, const float* cr, int width, float* value, T* o) const {
    constexpr float kMax = std::is_same_v<T, float> ? 1.0f : static_cast<float>(std::numeric_limits<T>::max());
    for (int c = 0; c < 3; ++c) {
      const float o0 = off[c], m0 = m[c][0], m1 = m[c][1], m2 = m[c][2];
      for (int x = 0; x < width; ++x) value[x] = std::clamp(o0 + m0 * yr[x] + m1 * cb[x] + m2 * cr[x], 0.0f, 1.0f);
      if constexpr (std::is_same_v<T, float>) {
        for (int x = 0; x < width; ++x) o[3 * x + c] = value[x];
      } else {
        for (int x = 0; x < width; ++x) o[3 * x + c] = static_cast<T>(value[x] * kMax + 0.5f);
      }
    }
  }
};

// Chroma (Cb, Cr code values / 255, f32) of the LR image.
template <typename T>
void lr_chroma(ImageView<const T> rgb, const ColorTransform& to_ycbcr, ImageView<float> out) {
  // As unit_sample: integer codes divided by their maximum.
  const double max = std::is_same_v<T, float> ? 1.0 : static_cast<double>(std::numeric_limits<T>::max());
  for (int y = 0; y < rgb.height; ++y) {
    const T* in = rgb.row(y);
    float* o = out.row(y);
    for (int x = 0; x < rgb.width; ++x) {
      const std::array<double, 3> px{in[3 * x] / max, in[3 * x + 1] / max, in[3 * x + 2] / max};
      const std::array<double, 3> ycc = to_ycbcr.apply(px);
      o[2 * x] = static_cast<float>(ycc[1] / 255.0);
      o[2 * x + 1] = static_cast<float>(ycc[2] / 255.0);
    }
  }
}

}  // namespace

Result<Image> merge_upscaled_luma(const Image& y_sr, const Image& lr_rgb, int scale, int threads) {
  LITESR_RETURN_IF_ERROR(check_rgb(lr_rgb));
  if (y_sr.channels() != 1 || y_sr.type() != PixelType::kF32 || scale < 1 ||
      y_sr.width() != lr_rgb.width() * scale || y_sr.height() != lr_rgb.height() * scale) {
    return invalid_argument("merge_upscaled_luma: the luma must be f32, one channel, scale x the colour image");
  }
  // Chroma of the LR image (f32 code values / 255).
  const ColorTransform to_ycbcr = rgb_to_ycbcr_transform(kSrFormat);
  LITESR_ASSIGN_OR_RETURN(Image chroma, Image::create(lr_rgb.width(), lr_rgb.height(), 2, PixelType::kF32));
  switch (lr_rgb.type()) {
    case PixelType::kU8: lr_chroma(lr_rgb.view<uint8_t>(), to_ycbcr, chroma.view<float>()); break;
    case PixelType::kU16: lr_chroma(lr_rgb.view<uint16_t>(), to_ycbcr, chroma.view<float>()); break;
    case PixelType::kF32: lr_chroma(lr_rgb.view<float>(), to_ycbcr, chroma.view<float>()); break;
  }
  // Upscaled by matlab_imresize(chroma, scale) one output row at a time, with its own passes in its own order
  // (equal scales: the height first; f32 between the passes), so the result is that function's bit for bit, then
  // turned into the RGB row at once: no upscaled chroma image, and rows spread over `threads` threads.
  const ResampleWeightsOptions matlab{};  // MATLAB's imresize: a = -0.5, antialiasing, symmetric borders
  LITESR_ASSIGN_OR_RETURN(const ResampleWeights rows,
                          compute_resample_weights(lr_rgb.height(), y_sr.height(), scale, matlab));
  LITESR_ASSIGN_OR_RETURN(const ResampleWeights columns,
                          compute_resample_weights(lr_rgb.width(), y_sr.width(), scale, matlab));
  LITESR_ASSIGN_OR_RETURN(Image out, Image::create(y_sr.width(), y_sr.height(), 3, lr_rgb.type()));
  const RgbRowStore store(ycbcr_to_rgb_transform(kSrFormat));
  const matlab_resize_detail::PhasedColumns phased = matlab_resize_detail::phase_columns(columns, scale);
  const ImageView<const float> cv = std::as_const(chroma).view<float>();
  const ImageView<const float> yv = y_sr.view<float>();
  constexpr int kRowsPerTask = 16;
  const int tasks = (out.height() + kRowsPerTask - 1) / kRowsPerTask;
  std::atomic<int> next{0};
  run_workers(threads, static_cast<std::size_t>(tasks), [&] {
    const int n = cv.width * 2;
    std::vector<double> acc(static_cast<std::size_t>(n));
    std::vector<float> mid(static_cast<std::size_t>(n)), up(static_cast<std::size_t>(out.width()) * 3);
    float* planes[2] = {up.data(), up.data() + out.width()};
    float* value = up.data() + 2 * static_cast<std::ptrdiff_t>(out.width());
    std::vector<const float*> tap_rows(static_cast<std::size_t>(rows.taps));
    for (int task = next++; task < tasks; task = next++) {
      for (int o = task * kRowsPerTask; o < std::min(out.height(), (task + 1) * kRowsPerTask); ++o) {
        const int32_t* idx = rows.indices(o);
        for (int t = 0; t < rows.taps; ++t) tap_rows[t] = cv.row(idx[t]);
        matlab_resize_detail::resample_one_row<float>(tap_rows.data(), rows.weights(o), rows.taps, n, acc.data(),
                                                      mid.data());
        matlab_resize_detail::resample_row_columns_planar(mid.data(), planes, 2, columns, phased, acc.data());
        switch (out.type()) {
          case PixelType::kU8:
            store(yv.row(o), planes[0], planes[1], out.width(), value, out.view<uint8_t>().row(o));
            break;
          case PixelType::kU16:
            store(yv.row(o), planes[0], planes[1], out.width(), value, out.view<uint16_t>().row(o));
            break;
          case PixelType::kF32:
            store(yv.row(o), planes[0], planes[1], out.width(), value, out.view<float>().row(o));
            break;
        }
      }
    }
  });
  return out;
}

}  // namespace litesr

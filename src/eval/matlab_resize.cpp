#include "eval/matlab_resize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace litesr {

namespace {

// MATLAB's conversion of a double to the storage type: round half away from zero and saturate for
// integers; plain narrowing for float.
template <typename T>
inline T store_sample(double v) {
  if constexpr (std::is_same_v<T, float>) {
    return static_cast<T>(v);
  } else {
    constexpr double kMax = std::is_same_v<T, uint8_t> ? 255.0 : 65535.0;
    if (!(v > 0.0)) return 0;
    if (v >= kMax) return static_cast<T>(kMax);
    return static_cast<T>(std::floor(v + 0.5));
  }
}

// Resamples along the height: dst row o = Σ_t w(o,t) · src row idx(o,t), every sample of the row.
template <typename T>
void resample_rows(ImageView<const T> src, ImageView<T> dst, const ResampleWeights& table) {
  const int n = src.width * src.channels;
  std::vector<double> acc(static_cast<std::size_t>(n));
  for (int o = 0; o < dst.height; ++o) {
    const int32_t* idx = table.indices(o);
    const double* w = table.weights(o);
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int t = 0; t < table.taps; ++t) {
      const T* s = src.row(idx[t]);
      const double wt = w[t];
      for (int i = 0; i < n; ++i) acc[i] += wt * static_cast<double>(s[i]);
    }
    T* d = dst.row(o);
    for (int i = 0; i < n; ++i) d[i] = store_sample<T>(acc[i]);
  }
}

// Resamples along the width: dst (o, c) = Σ_t w(o,t) · src (idx(o,t), c), row by row.
template <typename T>
void resample_columns(ImageView<const T> src, ImageView<T> dst, const ResampleWeights& table) {
  const int channels = src.channels;
  for (int y = 0; y < src.height; ++y) {
    const T* s = src.row(y);
    T* d = dst.row(y);
    for (int o = 0; o < dst.width; ++o) {
      const int32_t* idx = table.indices(o);
      const double* w = table.weights(o);
      for (int c = 0; c < channels; ++c) {
        double acc = 0.0;
        for (int t = 0; t < table.taps; ++t) acc += w[t] * static_cast<double>(s[idx[t] * channels + c]);
        d[o * channels + c] = store_sample<T>(acc);
      }
    }
  }
}

template <typename T>
Result<Image> resize_typed(const Image& src, int out_w, int out_h, double scale_w, double scale_h,
                           const MatlabResizeOptions& options) {
  const ResampleWeightsOptions wopt{options.a, options.antialias, options.border};
  LITESR_ASSIGN_OR_RETURN(ResampleWeights rows, compute_resample_weights(src.height(), out_h, scale_h, wopt));
  LITESR_ASSIGN_OR_RETURN(ResampleWeights cols, compute_resample_weights(src.width(), out_w, scale_w, wopt));
  const int c = src.channels();
  // MATLAB resizes the dimension with the smaller scale first; on a tie, rows (dimension 1) first.
  if (scale_h <= scale_w) {
    LITESR_ASSIGN_OR_RETURN(Image mid, Image::create(src.width(), out_h, c, src.type()));
    resample_rows<T>(src.view<T>(), mid.view<T>(), rows);
    LITESR_ASSIGN_OR_RETURN(Image out, Image::create(out_w, out_h, c, src.type()));
    resample_columns<T>(std::as_const(mid).view<T>(), out.view<T>(), cols);
    return out;
  }
  LITESR_ASSIGN_OR_RETURN(Image mid, Image::create(out_w, src.height(), c, src.type()));
  resample_columns<T>(src.view<T>(), mid.view<T>(), cols);
  LITESR_ASSIGN_OR_RETURN(Image out, Image::create(out_w, out_h, c, src.type()));
  resample_rows<T>(std::as_const(mid).view<T>(), out.view<T>(), rows);
  return out;
}

Result<Image> resize_dispatch(const Image& src, int out_w, int out_h, double scale_w, double scale_h,
                              const MatlabResizeOptions& options) {
  if (src.empty()) return invalid_argument("cannot resize an empty image");
  if (!std::isfinite(options.a)) return invalid_argument("cubic parameter a must be finite");
  switch (src.type()) {
    case PixelType::kU8: return resize_typed<uint8_t>(src, out_w, out_h, scale_w, scale_h, options);
    case PixelType::kU16: return resize_typed<uint16_t>(src, out_w, out_h, scale_w, scale_h, options);
    case PixelType::kF32: return resize_typed<float>(src, out_w, out_h, scale_w, scale_h, options);
  }
  return internal_error("unknown pixel type");
}

}  // namespace

Result<Image> matlab_imresize(const Image& src, double scale, const MatlabResizeOptions& options) {
  if (src.empty()) return invalid_argument("cannot resize an empty image");
  if (!(scale > 0.0) || !std::isfinite(scale)) {
    return invalid_argument("resize scale must be positive and finite, got " + std::to_string(scale));
  }
  LITESR_ASSIGN_OR_RETURN(int out_w, scaled_length(src.width(), scale));
  LITESR_ASSIGN_OR_RETURN(int out_h, scaled_length(src.height(), scale));
  if (out_w > kMaxImageSide || out_h > kMaxImageSide) {
    return resource_exhausted("resized image would be " + std::to_string(out_w) + "x" + std::to_string(out_h) +
                              ", larger than the limit " + std::to_string(kMaxImageSide));
  }
  return resize_dispatch(src, out_w, out_h, scale, scale, options);
}

Result<Image> matlab_imresize_to(const Image& src, int out_width, int out_height, const MatlabResizeOptions& options) {
  if (src.empty()) return invalid_argument("cannot resize an empty image");
  if (out_width < 1 || out_height < 1) {
    return invalid_argument("output size must be positive, got " + std::to_string(out_width) + "x" +
                            std::to_string(out_height));
  }
  if (out_width > kMaxImageSide || out_height > kMaxImageSide) {
    return resource_exhausted("output size " + std::to_string(out_width) + "x" + std::to_string(out_height) +
                              " exceeds the limit " + std::to_string(kMaxImageSide));
  }
  const double scale_w = static_cast<double>(out_width) / src.width();
  const double scale_h = static_cast<double>(out_height) / src.height();
  return resize_dispatch(src, out_width, out_height, scale_w, scale_h, options);
}

}  // namespace litesr

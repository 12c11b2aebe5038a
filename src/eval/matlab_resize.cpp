#include "eval/matlab_resize.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "eval/matlab_resize_passes.h"

namespace litesr {

namespace {

using matlab_resize_detail::resample_one_row;
using matlab_resize_detail::resample_row_columns;

// Resamples along the height: dst row o = Σ_t w(o,t) · src row idx(o,t), every sample of the row.
template <typename T>
void resample_rows(ImageView<const T> src, ImageView<T> dst, const ResampleWeights& table) {
  const int n = src.width * src.channels;
  std::vector<double> acc(static_cast<std::size_t>(n));
  std::vector<const T*> tap_rows(static_cast<std::size_t>(table.taps));
  for (int o = 0; o < dst.height; ++o) {
    const int32_t* idx = table.indices(o);
    for (int t = 0; t < table.taps; ++t) tap_rows[t] = src.row(idx[t]);
    resample_one_row<T>(tap_rows.data(), table.weights(o), table.taps, n, acc.data(), dst.row(o));
  }
}

// Resamples along the width, row by row.
template <typename T>
void resample_columns(ImageView<const T> src, ImageView<T> dst, const ResampleWeights& table) {
  for (int y = 0; y < src.height; ++y) resample_row_columns<T>(src.row(y), dst.row(y), src.channels, table);
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

Result<Image> resize_dispatch(const Image& src, const MatlabResizePlan& plan, const MatlabResizeOptions& options) {
  if (!std::isfinite(options.a)) return invalid_argument("cubic parameter a must be finite");
  const int out_w = plan.out_width, out_h = plan.out_height;
  switch (src.type()) {
    case PixelType::kU8: return resize_typed<uint8_t>(src, out_w, out_h, plan.scale_w, plan.scale_h, options);
    case PixelType::kU16: return resize_typed<uint16_t>(src, out_w, out_h, plan.scale_w, plan.scale_h, options);
    case PixelType::kF32: return resize_typed<float>(src, out_w, out_h, plan.scale_w, plan.scale_h, options);
  }
  return internal_error("unknown pixel type");
}

}  // namespace

Result<MatlabResizePlan> plan_matlab_resize(int in_width, int in_height, double scale) {
  if (in_width < 1 || in_height < 1) return invalid_argument("cannot resize an empty image");
  if (!(scale > 0.0) || !std::isfinite(scale)) {
    return invalid_argument("resize scale must be positive and finite, got " + std::to_string(scale));
  }
  LITESR_ASSIGN_OR_RETURN(const int out_w, scaled_length(in_width, scale));
  LITESR_ASSIGN_OR_RETURN(const int out_h, scaled_length(in_height, scale));
  if (out_w > kMaxImageSide || out_h > kMaxImageSide) {
    return resource_exhausted("resized image would be " + std::to_string(out_w) + "x" + std::to_string(out_h) +
                              ", larger than the limit " + std::to_string(kMaxImageSide));
  }
  return MatlabResizePlan{out_w, out_h, scale, scale};
}

Result<MatlabResizePlan> plan_matlab_resize_to(int in_width, int in_height, int out_width, int out_height) {
  if (in_width < 1 || in_height < 1) return invalid_argument("cannot resize an empty image");
  if (out_width < 1 || out_height < 1) {
    return invalid_argument("output size must be positive, got " + std::to_string(out_width) + "x" +
                            std::to_string(out_height));
  }
  if (out_width > kMaxImageSide || out_height > kMaxImageSide) {
    return resource_exhausted("output size " + std::to_string(out_width) + "x" + std::to_string(out_height) +
                              " exceeds the limit " + std::to_string(kMaxImageSide));
  }
  return MatlabResizePlan{out_width, out_height, static_cast<double>(out_width) / in_width,
                          static_cast<double>(out_height) / in_height};
}

Result<Image> matlab_imresize(const Image& src, double scale, const MatlabResizeOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const MatlabResizePlan plan, plan_matlab_resize(src.width(), src.height(), scale));
  return resize_dispatch(src, plan, options);
}

Result<Image> matlab_imresize_to(const Image& src, int out_width, int out_height, const MatlabResizeOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const MatlabResizePlan plan,
                          plan_matlab_resize_to(src.width(), src.height(), out_width, out_height));
  return resize_dispatch(src, plan, options);
}

}  // namespace litesr

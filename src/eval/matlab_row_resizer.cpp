#include "eval/matlab_row_resizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "eval/matlab_resize_passes.h"

namespace litesr {

using matlab_resize_detail::resample_one_row;
using matlab_resize_detail::resample_row_columns;

Result<MatlabRowResizer> MatlabRowResizer::create(int in_width, int in_height, int channels, PixelType type,
                                                  const MatlabResizePlan& plan, const MatlabResizeOptions& options) {
  if (in_width < 1 || in_height < 1) return invalid_argument("cannot resize an empty image");
  if (channels < 1 || channels > 4) return invalid_argument("resize takes 1-4 channels, got " + std::to_string(channels));
  if (plan.out_width < 1 || plan.out_height < 1 || !(plan.scale_w > 0) || !(plan.scale_h > 0)) {
    return invalid_argument("resize plan has no output");
  }
  if (!std::isfinite(options.a)) return invalid_argument("cubic parameter a must be finite");
  MatlabRowResizer r;
  r.in_width_ = in_width;
  r.in_height_ = in_height;
  r.channels_ = channels;
  r.type_ = type;
  r.plan_ = plan;
  r.height_first_ = plan.scale_h <= plan.scale_w;
  const ResampleWeightsOptions wopt{options.a, options.antialias, options.border};
  LITESR_ASSIGN_OR_RETURN(r.rows_, compute_resample_weights(in_height, plan.out_height, plan.scale_h, wopt));
  LITESR_ASSIGN_OR_RETURN(r.columns_, compute_resample_weights(in_width, plan.out_width, plan.scale_w, wopt));
  const int taps = r.rows_.taps;
  r.last_tap_.resize(static_cast<std::size_t>(plan.out_height));
  r.first_tap_after_.assign(static_cast<std::size_t>(plan.out_height) + 1, in_height);
  for (int o = plan.out_height - 1; o >= 0; --o) {
    const int32_t* idx = r.rows_.indices(o);
    r.last_tap_[o] = *std::max_element(idx, idx + taps);
    r.first_tap_after_[o] = std::min<int>(r.first_tap_after_[o + 1], *std::min_element(idx, idx + taps));
  }
  return r;
}

Status MatlabRowResizer::push_rows(const Image& rows, int first, int count) {
  if (rows.width() != in_width_ || rows.channels() != channels_ || rows.type() != type_) {
    return invalid_argument("rows to resize must be " + std::to_string(in_width_) + " pixels of " +
                            std::to_string(channels_) + " channels like the image's");
  }
  if (first < 0 || count < 0 || first + count > rows.height()) return invalid_argument("row range outside the image");
  if (count > in_height_ - pushed_) {
    return invalid_argument("more rows pushed than the image's " + std::to_string(in_height_));
  }
  const int held_width = height_first_ ? in_width_ : plan_.out_width;
  const std::size_t sample_bytes = pixel_type_size(type_);
  const std::size_t held_row_bytes = static_cast<std::size_t>(held_width) * channels_ * sample_bytes;
  for (int y = first; y < first + count; ++y) {
    std::vector<std::byte> row(held_row_bytes);
    if (height_first_) {
      std::memcpy(row.data(), rows.row_bytes_ptr(y), held_row_bytes);
    } else {
      switch (type_) {
        case PixelType::kU8:
          resample_row_columns(rows.view<uint8_t>().row(y), reinterpret_cast<uint8_t*>(row.data()), channels_, columns_);
          break;
        case PixelType::kU16:
          resample_row_columns(rows.view<uint16_t>().row(y), reinterpret_cast<uint16_t*>(row.data()), channels_,
                               columns_);
          break;
        case PixelType::kF32:
          resample_row_columns(rows.view<float>().row(y), reinterpret_cast<float*>(row.data()), channels_, columns_);
          break;
      }
    }
    held_.push_back(std::move(row));
    ++pushed_;
  }
  return Status();
}

int MatlabRowResizer::ready_rows() const {
  int o = taken_;
  while (o < plan_.out_height && last_tap_[o] < pushed_) ++o;
  return o - taken_;
}

template <typename T>
void MatlabRowResizer::compute_rows(Image& out) {
  const int held_width = height_first_ ? in_width_ : plan_.out_width;
  const int n = held_width * channels_;
  std::vector<double> acc(static_cast<std::size_t>(n));
  std::vector<const T*> tap_rows(static_cast<std::size_t>(rows_.taps));
  std::vector<T> mid(height_first_ ? static_cast<std::size_t>(n) : 0);
  for (int y = 0; y < out.height(); ++y) {
    const int o = taken_ + y;
    const int32_t* idx = rows_.indices(o);
    for (int t = 0; t < rows_.taps; ++t) {
      tap_rows[t] = reinterpret_cast<const T*>(held_[static_cast<std::size_t>(idx[t] - held_first_)].data());
    }
    if (height_first_) {
      resample_one_row<T>(tap_rows.data(), rows_.weights(o), rows_.taps, n, acc.data(), mid.data());
      resample_row_columns<T>(mid.data(), out.view<T>().row(y), channels_, columns_);
    } else {
      resample_one_row<T>(tap_rows.data(), rows_.weights(o), rows_.taps, n, acc.data(), out.view<T>().row(y));
    }
  }
}

Result<Image> MatlabRowResizer::take_ready_rows() {
  const int ready = ready_rows();
  if (ready == 0) return invalid_argument("no resized row is complete yet");
  LITESR_ASSIGN_OR_RETURN(Image out, Image::create(plan_.out_width, ready, channels_, type_));
  switch (type_) {
    case PixelType::kU8: compute_rows<uint8_t>(out); break;
    case PixelType::kU16: compute_rows<uint16_t>(out); break;
    case PixelType::kF32: compute_rows<float>(out); break;
  }
  taken_ += ready;
  // Rows no later output row reads are freed (all of them once the output is complete).
  const int keep_from = std::min(first_tap_after_[taken_], pushed_);
  while (held_first_ < keep_from) {
    held_.pop_front();
    ++held_first_;
  }
  return out;
}

}  // namespace litesr

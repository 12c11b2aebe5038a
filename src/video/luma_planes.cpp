#include "video/luma_planes.h"

#include <algorithm>
#include <cstdint>

#include "video/av_plane_row.h"

namespace litesr::video_detail {
namespace {

// f32 value per code of a depth (see the header).
float value_per_code(int depth) { return 1.0f / (255.0f * static_cast<float>(1 << (depth - 8))); }

template <typename T>
void read_plane(const AVFrame& f, int plane, int height, float per_code, ImageView<float> out, int out_row0) {
  for (int y = 0; y < height; ++y) {
    const T* in = plane_row<T>(f, plane, y);
    float* o = out.row(out_row0 + y);
    for (int x = 0; x < out.width; ++x) o[x] = static_cast<float>(in[x]) * per_code;
  }
}

template <typename T>
void write_plane(ImageView<const float> in, int in_row0, int height, float codes_per_value, float max_code,
                 AVFrame& f, int plane) {
  for (int y = 0; y < height; ++y) {
    const float* i = in.row(in_row0 + y);
    T* o = plane_row<T>(f, plane, y);
    for (int x = 0; x < in.width; ++x) {
      // Rounded half up through int32 (SSE2 has only signed float -> int conversion).
      const float v = std::clamp(i[x] * codes_per_value, 0.0f, max_code);
      o[x] = static_cast<T>(static_cast<int32_t>(v + 0.5f));
    }
  }
}

Result<PlanarYuv> frame_format(const AVFrame& frame) {
  PlanarYuv p;
  if (!planar_yuv(static_cast<AVPixelFormat>(frame.format), &p))
    return internal_error("the luma plane path got a frame that is not planar Y'CbCr");
  return p;
}

Status check_plane_sizes(const AVFrame& frame, const PlanarYuv& p, ImageView<const float> y,
                         ImageView<const float> chroma) {
  const int cw = chroma_length(frame.width, p.log2_cw), ch = chroma_length(frame.height, p.log2_ch);
  if (y.width != frame.width || y.height != frame.height || y.channels != 1 || chroma.width != cw ||
      chroma.height != 2 * ch || chroma.channels != 1)
    return internal_error("luma plane path: plane sizes do not match the frame");
  return {};
}

std::vector<float> to_f32(const std::vector<double>& w) { return {w.begin(), w.end()}; }

}  // namespace

bool luma_planes_apply(AVPixelFormat in_fmt, const FrameColor& in_color, AVPixelFormat out_fmt,
                       const FrameColor& out_color) {
  PlanarYuv in, out;
  if (!planar_yuv(in_fmt, &in) || !planar_yuv(out_fmt, &out)) return false;
  return in.log2_cw == out.log2_cw && in.log2_ch == out.log2_ch && in_color == out_color &&
         in_color.range == ColorRange::kLimited;
}

int chroma_length(int luma_length, int log2_subsampling) {
  return -((-luma_length) >> log2_subsampling);  // AV_CEIL_RSHIFT
}

Status read_planes(const AVFrame& frame, ImageView<float> y, ImageView<float> chroma) {
  LITESR_ASSIGN_OR_RETURN(const PlanarYuv p, frame_format(frame));
  LITESR_RETURN_IF_ERROR(check_plane_sizes(frame, p, y, chroma));
  const float per_code = value_per_code(p.depth);
  const int ch = chroma.height / 2;
  if (p.depth == 8) {
    read_plane<uint8_t>(frame, 0, y.height, per_code, y, 0);
    read_plane<uint8_t>(frame, 1, ch, per_code, chroma, 0);
    read_plane<uint8_t>(frame, 2, ch, per_code, chroma, ch);
  } else {
    read_plane<uint16_t>(frame, 0, y.height, per_code, y, 0);
    read_plane<uint16_t>(frame, 1, ch, per_code, chroma, 0);
    read_plane<uint16_t>(frame, 2, ch, per_code, chroma, ch);
  }
  return {};
}

Status write_planes(ImageView<const float> y, ImageView<const float> chroma, AVFrame& frame) {
  LITESR_ASSIGN_OR_RETURN(const PlanarYuv p, frame_format(frame));
  LITESR_RETURN_IF_ERROR(check_plane_sizes(frame, p, y, chroma));
  const float codes = 1.0f / value_per_code(p.depth);
  const auto max_code = static_cast<float>((1 << p.depth) - 1);
  const int ch = chroma.height / 2;
  if (p.depth == 8) {
    write_plane<uint8_t>(y, 0, y.height, codes, max_code, frame, 0);
    write_plane<uint8_t>(chroma, 0, ch, codes, max_code, frame, 1);
    write_plane<uint8_t>(chroma, ch, ch, codes, max_code, frame, 2);
  } else {
    write_plane<uint16_t>(y, 0, y.height, codes, max_code, frame, 0);
    write_plane<uint16_t>(chroma, 0, ch, codes, max_code, frame, 1);
    write_plane<uint16_t>(chroma, ch, ch, codes, max_code, frame, 2);
  }
  return {};
}

Result<ChromaUpscaler> ChromaUpscaler::create(AVPixelFormat fmt, AVChromaLocation loc, int luma_width,
                                              int luma_height, int scale) {
  PlanarYuv p;
  if (!planar_yuv(fmt, &p)) return invalid_argument("chroma upscaling needs a planar Y'CbCr format");
  if (luma_width < 1 || luma_height < 1 || scale < 1) return invalid_argument("chroma upscaling: bad size or scale");
  double ox = 0, oy = 0;
  chroma_offsets(loc, p, &ox, &oy);
  const double s = scale;
  // The shift of the sites against MATLAB's pixel-centre mapping, in input chroma samples (header).
  const auto shift = [s](int log2_sub, double offset) {
    return (1.0 - 1.0 / s) * (0.5 - (offset + 0.5) / static_cast<double>(1 << log2_sub));
  };
  ResampleWeightsOptions across, down;
  across.shift = shift(p.log2_cw, ox);
  down.shift = shift(p.log2_ch, oy);
  ChromaUpscaler u;
  LITESR_ASSIGN_OR_RETURN(u.columns_, compute_resample_weights(chroma_length(luma_width, p.log2_cw),
                                                               chroma_length(luma_width * scale, p.log2_cw), s, across));
  LITESR_ASSIGN_OR_RETURN(u.rows_, compute_resample_weights(chroma_length(luma_height, p.log2_ch),
                                                            chroma_length(luma_height * scale, p.log2_ch), s, down));
  u.column_weights_ = to_f32(u.columns_.weight);
  u.row_weights_ = to_f32(u.rows_.weight);
  u.rows_scratch_.resize(static_cast<std::size_t>(u.in_height()) * u.out_width());
  return u;
}

Status ChromaUpscaler::run(ImageView<const float> in, ImageView<float> out) {
  if (in.width != in_width() || in.height != 2 * in_height() || in.channels != 1 || out.width != out_width() ||
      out.height != 2 * out_height() || out.channels != 1)
    return internal_error("chroma upscaling: plane sizes do not match");
  const int ow = out_width(), ct = columns_.taps, rt = rows_.taps;
  for (int plane = 0; plane < 2; ++plane) {
    // Across: every input row to the output width (f32 weights, taps summed in order).
    for (int y = 0; y < in_height(); ++y) {
      const float* src = in.row(plane * in_height() + y);
      float* dst = rows_scratch_.data() + static_cast<std::ptrdiff_t>(y) * ow;
      for (int x = 0; x < ow; ++x) {
        const int32_t* idx = columns_.indices(x);
        const float* w = column_weights_.data() + static_cast<std::ptrdiff_t>(x) * ct;
        float acc = 0.0f;
        for (int t = 0; t < ct; ++t) acc += w[t] * src[idx[t]];
        dst[x] = acc;
      }
    }
    // Down: each output row from its rows of the scratch.
    for (int y = 0; y < out_height(); ++y) {
      float* dst = out.row(plane * out_height() + y);
      const int32_t* idx = rows_.indices(y);
      const float* w = row_weights_.data() + static_cast<std::ptrdiff_t>(y) * rt;
      std::fill(dst, dst + ow, 0.0f);
      for (int t = 0; t < rt; ++t) {
        const float* src = rows_scratch_.data() + static_cast<std::ptrdiff_t>(idx[t]) * ow;
        const float wt = w[t];
        for (int x = 0; x < ow; ++x) dst[x] += wt * src[x];
      }
    }
  }
  return {};
}

}  // namespace litesr::video_detail

#include "video/frame_converter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace litesr::video_detail {
namespace {

// Planar little-endian Y'CbCr: 3 planes, same depth, 1 or 2 bytes per sample.
struct PlanarYuv {
  int depth = 8;
  int log2_cw = 0;  // chroma subsampling (log2) horizontally
  int log2_ch = 0;  // ... vertically
};

bool planar_yuv(AVPixelFormat fmt, PlanarYuv* out) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
  if (d == nullptr) return false;
  constexpr uint64_t kRejected = AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM |
                                 AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_FLOAT | AV_PIX_FMT_FLAG_BE |
                                 AV_PIX_FMT_FLAG_BAYER;
  if ((d->flags & kRejected) != 0 || (d->flags & AV_PIX_FMT_FLAG_PLANAR) == 0 || d->nb_components < 3) return false;
  const int depth = d->comp[0].depth;
  if (depth < 8 || depth > 16) return false;
  const int bytes = depth > 8 ? 2 : 1;
  for (int c = 0; c < 3; ++c) {
    const AVComponentDescriptor& comp = d->comp[c];
    if (comp.plane != c || comp.shift != 0 || comp.offset != 0 || comp.step != bytes || comp.depth != depth) return false;
  }
  if (out != nullptr) *out = {depth, d->log2_chroma_w, d->log2_chroma_h};
  return true;
}

// Chroma site offsets (ox, oy) in luma samples for a subsampled axis (0 when not subsampled).
void chroma_offsets(AVChromaLocation loc, const PlanarYuv& p, double* ox, double* oy) {
  int xpos = 0, ypos = 0;  // 1/256 luma sample units (libavutil convention)
  if (avcodec_enum_to_chroma_pos(&xpos, &ypos, loc) < 0) xpos = 0, ypos = 128;  // left
  *ox = p.log2_cw > 0 ? xpos / 256.0 : 0.0;
  *oy = p.log2_ch > 0 ? ypos / 256.0 : 0.0;
}

struct Affine {
  float m[3][3];
  float o[3];
};
Affine to_affine(const ColorTransform& t) {
  Affine a{};
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) a.m[r][c] = static_cast<float>(t.m[r][c]);
    a.o[r] = static_cast<float>(t.offset[r]);
  }
  return a;
}

// Bilinear tap: sample i0 with weight 1 − f, i1 with weight f.
struct Tap {
  int i0, i1;
  float f;
};
Tap bilinear_tap(double pos, int n) {
  const double fl = std::floor(pos);
  int i0 = static_cast<int>(fl), i1 = i0 + 1;
  const float f = static_cast<float>(pos - fl);
  i0 = std::clamp(i0, 0, n - 1);
  i1 = std::clamp(i1, 0, n - 1);
  return {i0, i1, f};
}

template <typename T>
void planar_to_rgb(const AVFrame& f, const PlanarYuv& p, const FrameColor& color, ImageView<float> rgb,
                   std::vector<float>& cb_row, std::vector<float>& cr_row) {
  const int w = f.width, h = f.height;
  const int sx = 1 << p.log2_cw, sy = 1 << p.log2_ch;
  const int cw = AV_CEIL_RSHIFT(w, p.log2_cw), ch = AV_CEIL_RSHIFT(h, p.log2_ch);
  double ox = 0, oy = 0;
  chroma_offsets(color.chroma_location, p, &ox, &oy);
  const Affine a = to_affine(ycbcr_to_rgb_transform({color.matrix, color.range, p.depth}));
  std::vector<Tap> xtaps(w);
  for (int x = 0; x < w; ++x) xtaps[x] = bilinear_tap((x - ox) / sx, cw);
  cb_row.resize(cw);
  cr_row.resize(cw);
  for (int y = 0; y < h; ++y) {
    const Tap yt = bilinear_tap((y - oy) / sy, ch);
    const T* cb0 = reinterpret_cast<const T*>(f.data[1] + static_cast<std::ptrdiff_t>(yt.i0) * f.linesize[1]);
    const T* cb1 = reinterpret_cast<const T*>(f.data[1] + static_cast<std::ptrdiff_t>(yt.i1) * f.linesize[1]);
    const T* cr0 = reinterpret_cast<const T*>(f.data[2] + static_cast<std::ptrdiff_t>(yt.i0) * f.linesize[2]);
    const T* cr1 = reinterpret_cast<const T*>(f.data[2] + static_cast<std::ptrdiff_t>(yt.i1) * f.linesize[2]);
    for (int i = 0; i < cw; ++i) {
      cb_row[i] = cb0[i] + yt.f * (static_cast<float>(cb1[i]) - cb0[i]);
      cr_row[i] = cr0[i] + yt.f * (static_cast<float>(cr1[i]) - cr0[i]);
    }
    const T* luma = reinterpret_cast<const T*>(f.data[0] + static_cast<std::ptrdiff_t>(y) * f.linesize[0]);
    float* out = rgb.row(y);
    for (int x = 0; x < w; ++x) {
      const Tap& t = xtaps[x];
      const float yy = luma[x];
      const float cb = cb_row[t.i0] + t.f * (cb_row[t.i1] - cb_row[t.i0]);
      const float cr = cr_row[t.i0] + t.f * (cr_row[t.i1] - cr_row[t.i0]);
      for (int c = 0; c < 3; ++c) out[3 * x + c] = a.m[c][0] * yy + a.m[c][1] * cb + a.m[c][2] * cr + a.o[c];
    }
  }
}

// Chroma decimation weights along one axis: output sample i covers input samples first..first+n-1.
struct Decimator {
  std::vector<int> first;               // per output sample, may be negative (clamped on use)
  std::vector<float> weights;           // shared kernel, normalised
};
Decimator make_decimator(int factor, double offset, int out_len) {
  Decimator d;
  d.first.resize(out_len);
  if (factor == 1) {
    d.weights = {1.0f};
    for (int i = 0; i < out_len; ++i) d.first[i] = i;
    return d;
  }
  if (offset == 0.0) {  // co-sited: triangle of half-width `factor`, e.g. [1 2 1]/4 for factor 2
    float sum = 0;
    for (int k = -(factor - 1); k <= factor - 1; ++k) {
      d.weights.push_back(static_cast<float>(factor - std::abs(k)));
      sum += d.weights.back();
    }
    for (float& wgt : d.weights) wgt /= sum;
    for (int i = 0; i < out_len; ++i) d.first[i] = factor * i - (factor - 1);
  } else {  // interstitial: box over the `factor` samples around the site, e.g. [1 1]/2
    d.weights.assign(factor, 1.0f / factor);
    for (int i = 0; i < out_len; ++i) d.first[i] = factor * i;
  }
  return d;
}

template <typename T>
inline T quantize(float v, float max_code) {
  v = std::clamp(v, 0.0f, max_code);
  return static_cast<T>(v + 0.5f);
}

template <typename T>
void rgb_to_planar(ImageView<const float> rgb, const PlanarYuv& p, const FrameColor& color, AVFrame& f,
                   std::vector<float>& acc_cb, std::vector<float>& acc_cr, std::vector<float>& /*unused*/) {
  const int w = f.width, h = f.height;
  const int cw = AV_CEIL_RSHIFT(w, p.log2_cw), ch = AV_CEIL_RSHIFT(h, p.log2_ch);
  const Affine a = to_affine(rgb_to_ycbcr_transform({color.matrix, color.range, p.depth}));
  const float max_code = static_cast<float>((1 << p.depth) - 1);
  for (int y = 0; y < h; ++y) {  // luma at full resolution
    const float* in = rgb.row(y);
    T* luma = reinterpret_cast<T*>(f.data[0] + static_cast<std::ptrdiff_t>(y) * f.linesize[0]);
    for (int x = 0; x < w; ++x) {
      const float r = in[3 * x], g = in[3 * x + 1], b = in[3 * x + 2];
      luma[x] = quantize<T>(a.m[0][0] * r + a.m[0][1] * g + a.m[0][2] * b + a.o[0], max_code);
    }
  }
  double ox = 0, oy = 0;
  chroma_offsets(color.chroma_location, p, &ox, &oy);
  const Decimator dx = make_decimator(1 << p.log2_cw, ox, cw);
  const Decimator dy = make_decimator(1 << p.log2_ch, oy, ch);
  const int taps_x = static_cast<int>(dx.weights.size()), taps_y = static_cast<int>(dy.weights.size());
  acc_cb.resize(w);
  acc_cr.resize(w);
  for (int j = 0; j < ch; ++j) {
    // Vertical filter first: chroma (without offsets) of the rows around site j, weighted and summed.
    std::fill(acc_cb.begin(), acc_cb.end(), 0.0f);
    std::fill(acc_cr.begin(), acc_cr.end(), 0.0f);
    for (int k = 0; k < taps_y; ++k) {
      const float* in = rgb.row(std::clamp(dy.first[j] + k, 0, h - 1));
      const float wy = dy.weights[k];
      const float b0 = wy * a.m[1][0], b1 = wy * a.m[1][1], b2 = wy * a.m[1][2];
      const float r0 = wy * a.m[2][0], r1 = wy * a.m[2][1], r2 = wy * a.m[2][2];
      for (int x = 0; x < w; ++x) {
        const float r = in[3 * x], g = in[3 * x + 1], b = in[3 * x + 2];
        acc_cb[x] += b0 * r + b1 * g + b2 * b;
        acc_cr[x] += r0 * r + r1 * g + r2 * b;
      }
    }
    // Then horizontal, plus the offsets (the weights sum to 1), rounded into the planes.
    T* out_cb = reinterpret_cast<T*>(f.data[1] + static_cast<std::ptrdiff_t>(j) * f.linesize[1]);
    T* out_cr = reinterpret_cast<T*>(f.data[2] + static_cast<std::ptrdiff_t>(j) * f.linesize[2]);
    for (int i = 0; i < cw; ++i) {
      const int first = dx.first[i];
      float cb = 0, cr = 0;
      if (first >= 0 && first + taps_x <= w) {
        for (int k = 0; k < taps_x; ++k) cb += dx.weights[k] * acc_cb[first + k], cr += dx.weights[k] * acc_cr[first + k];
      } else {
        for (int k = 0; k < taps_x; ++k) {
          const int x = std::clamp(first + k, 0, w - 1);
          cb += dx.weights[k] * acc_cb[x];
          cr += dx.weights[k] * acc_cr[x];
        }
      }
      out_cb[i] = quantize<T>(cb + a.o[1], max_code);
      out_cr[i] = quantize<T>(cr + a.o[2], max_code);
    }
  }
}

int sws_colorspace(ColorMatrix m) {
  switch (m) {
    case ColorMatrix::kBt601: return SWS_CS_ITU601;
    case ColorMatrix::kBt709: return SWS_CS_ITU709;
    case ColorMatrix::kBt2020: return SWS_CS_BT2020;
  }
  return SWS_CS_ITU709;
}

constexpr int kSwsFlags = SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP;

bool is_rgb_family(AVPixelFormat fmt) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
  return d != nullptr && ((d->flags & AV_PIX_FMT_FLAG_RGB) != 0 || d->nb_components < 3);
}

}  // namespace

FrameColor resolve_frame_color(AVColorSpace space, AVColorRange range, AVChromaLocation loc, AVPixelFormat fmt,
                               int width, int height) {
  FrameColor c;
  switch (space) {
    case AVCOL_SPC_BT709: c.matrix = ColorMatrix::kBt709; break;
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M:
    case AVCOL_SPC_FCC: c.matrix = ColorMatrix::kBt601; break;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL: c.matrix = ColorMatrix::kBt2020; break;
    default: c.matrix = (width >= 1280 || height > 576) ? ColorMatrix::kBt709 : ColorMatrix::kBt601; break;
  }
  const bool jpeg_fmt = fmt == AV_PIX_FMT_YUVJ420P || fmt == AV_PIX_FMT_YUVJ422P || fmt == AV_PIX_FMT_YUVJ444P ||
                        fmt == AV_PIX_FMT_YUVJ440P || fmt == AV_PIX_FMT_YUVJ411P;
  if (range == AVCOL_RANGE_JPEG || (range == AVCOL_RANGE_UNSPECIFIED && jpeg_fmt)) {
    c.range = ColorRange::kFull;
  } else {
    c.range = ColorRange::kLimited;
  }
  if (loc != AVCHROMA_LOC_UNSPECIFIED) {
    c.chroma_location = loc;
  } else {
    PlanarYuv p;
    const bool is420 = planar_yuv(fmt, &p) && p.log2_ch > 0;
    c.chroma_location = is420 ? (jpeg_fmt ? AVCHROMA_LOC_CENTER : AVCHROMA_LOC_LEFT) : AVCHROMA_LOC_TOPLEFT;
  }
  return c;
}

AVColorSpace to_av_colorspace(ColorMatrix matrix) {
  switch (matrix) {
    case ColorMatrix::kBt601: return AVCOL_SPC_SMPTE170M;
    case ColorMatrix::kBt709: return AVCOL_SPC_BT709;
    case ColorMatrix::kBt2020: return AVCOL_SPC_BT2020_NCL;
  }
  return AVCOL_SPC_UNSPECIFIED;
}

bool is_direct_pixel_format(AVPixelFormat fmt) {
  return fmt == AV_PIX_FMT_RGB24 || fmt == AV_PIX_FMT_RGB48 || planar_yuv(fmt, nullptr);
}

Status FrameToRgb::convert(const AVFrame& frame, const FrameColor& color, ImageView<float> rgb) {
  const auto fmt = static_cast<AVPixelFormat>(frame.format);
  const int w = frame.width, h = frame.height;
  if (rgb.width != w || rgb.height != h || rgb.channels != 3) return internal_error("FrameToRgb: size mismatch");
  PlanarYuv p;
  if (planar_yuv(fmt, &p)) {
    if (p.depth > 8) {
      planar_to_rgb<uint16_t>(frame, p, color, rgb, cb_row_, cr_row_);
    } else {
      planar_to_rgb<uint8_t>(frame, p, color, rgb, cb_row_, cr_row_);
    }
    return {};
  }
  const uint8_t* base = nullptr;
  std::ptrdiff_t line = 0;
  bool sixteen = false;
  if (fmt == AV_PIX_FMT_RGB24 || fmt == AV_PIX_FMT_RGB48) {
    base = frame.data[0];
    line = frame.linesize[0];
    sixteen = fmt == AV_PIX_FMT_RGB48;
  } else {  // swscale to rgb48 with the stream's matrix
    sws_.reset(sws_getCachedContext(sws_.release(), w, h, fmt, w, h, AV_PIX_FMT_RGB48, kSwsFlags, nullptr, nullptr,
                                    nullptr));
    if (!sws_) return unsupported(std::string("no conversion from pixel format ") + av_get_pix_fmt_name(fmt));
    if (!is_rgb_family(fmt)) {
      const int* coef = sws_getCoefficients(sws_colorspace(color.matrix));
      sws_setColorspaceDetails(sws_.get(), coef, color.range == ColorRange::kFull ? 1 : 0, coef, 1, 0, 1 << 16,
                               1 << 16);
    }
    if (rgb48_.width() != w || rgb48_.height() != h) {
      LITESR_ASSIGN_OR_RETURN(rgb48_, Image::create(w, h, 3, PixelType::kU16));
    }
    uint8_t* dst[4] = {rgb48_.row_bytes_ptr(0), nullptr, nullptr, nullptr};
    int dst_line[4] = {static_cast<int>(rgb48_.stride() * 2), 0, 0, 0};
    sws_scale(sws_.get(), frame.data, frame.linesize, 0, h, dst, dst_line);
    base = rgb48_.row_bytes_ptr(0);
    line = rgb48_.stride() * 2;
    sixteen = true;
  }
  for (int y = 0; y < h; ++y) {
    float* out = rgb.row(y);
    if (sixteen) {
      const auto* in = reinterpret_cast<const uint16_t*>(base + y * line);
      for (int x = 0; x < 3 * w; ++x) out[x] = in[x] * (1.0f / 65535.0f);
    } else {
      const uint8_t* in = base + y * line;
      for (int x = 0; x < 3 * w; ++x) out[x] = in[x] * (1.0f / 255.0f);
    }
  }
  return {};
}

Status RgbToFrame::convert(ImageView<const float> rgb, const FrameColor& color, AVFrame& frame) {
  const auto fmt = static_cast<AVPixelFormat>(frame.format);
  const int w = frame.width, h = frame.height;
  if (rgb.width != w || rgb.height != h || rgb.channels != 3) return internal_error("RgbToFrame: size mismatch");
  PlanarYuv p;
  if (planar_yuv(fmt, &p)) {
    if (p.depth > 8) {
      rgb_to_planar<uint16_t>(rgb, p, color, frame, cb_full_, cr_full_, tmp_);
    } else {
      rgb_to_planar<uint8_t>(rgb, p, color, frame, cb_full_, cr_full_, tmp_);
    }
    return {};
  }
  if (fmt == AV_PIX_FMT_RGB24) {
    for (int y = 0; y < h; ++y) {
      const float* in = rgb.row(y);
      uint8_t* out = frame.data[0] + static_cast<std::ptrdiff_t>(y) * frame.linesize[0];
      for (int x = 0; x < 3 * w; ++x) out[x] = quantize<uint8_t>(in[x] * 255.0f, 255.0f);
    }
    return {};
  }
  if (rgb48_.width() != w || rgb48_.height() != h) {
    LITESR_ASSIGN_OR_RETURN(rgb48_, Image::create(w, h, 3, PixelType::kU16));
  }
  const bool direct48 = fmt == AV_PIX_FMT_RGB48;
  for (int y = 0; y < h; ++y) {
    const float* in = rgb.row(y);
    auto* out = direct48 ? reinterpret_cast<uint16_t*>(frame.data[0] + static_cast<std::ptrdiff_t>(y) * frame.linesize[0])
                         : reinterpret_cast<uint16_t*>(rgb48_.row_bytes_ptr(y));
    for (int x = 0; x < 3 * w; ++x) out[x] = quantize<uint16_t>(in[x] * 65535.0f, 65535.0f);
  }
  if (direct48) return {};
  sws_.reset(sws_getCachedContext(sws_.release(), w, h, AV_PIX_FMT_RGB48, w, h, fmt, kSwsFlags, nullptr, nullptr,
                                  nullptr));
  if (!sws_) return unsupported(std::string("no conversion to pixel format ") + av_get_pix_fmt_name(fmt));
  if (!is_rgb_family(fmt)) {
    const int* coef = sws_getCoefficients(sws_colorspace(color.matrix));
    sws_setColorspaceDetails(sws_.get(), coef, 1, coef, color.range == ColorRange::kFull ? 1 : 0, 0, 1 << 16, 1 << 16);
  }
  const uint8_t* src[4] = {rgb48_.row_bytes_ptr(0), nullptr, nullptr, nullptr};
  const int src_line[4] = {static_cast<int>(rgb48_.stride() * 2), 0, 0, 0};
  sws_scale(sws_.get(), src, src_line, 0, h, frame.data, frame.linesize);
  return {};
}

}  // namespace litesr::video_detail

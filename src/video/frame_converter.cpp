#include "video/frame_converter.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>

extern "C" {
#include <libavutil/pixdesc.h>
}

#include "base/worker_threads.h"
#include "video/av_plane_row.h"
#include "video/rgb_rows.h"

namespace litesr::video_detail {

bool planar_yuv(AVPixelFormat fmt, PlanarYuv* out) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
  if (d == nullptr) return false;
  constexpr uint64_t kRejected = AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM |
                                 AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_FLOAT | AV_PIX_FMT_FLAG_BE |
                                 AV_PIX_FMT_FLAG_BAYER;
  if ((d->flags & kRejected) != 0 || (d->flags & AV_PIX_FMT_FLAG_PLANAR) == 0 || d->nb_components < 3) return false;
  const int depth = d->comp[0].depth;
  if (depth < 8 || depth > 16 || d->log2_chroma_w > 2 || d->log2_chroma_h > 2) return false;
  const int bytes = depth > 8 ? 2 : 1;
  for (int c = 0; c < 3; ++c) {
    const AVComponentDescriptor& comp = d->comp[c];
    if (comp.plane != c || comp.shift != 0 || comp.offset != 0 || comp.step != bytes || comp.depth != depth) return false;
  }
  if (out != nullptr) *out = {depth, d->log2_chroma_w, d->log2_chroma_h};
  return true;
}

void chroma_offsets(AVChromaLocation loc, const PlanarYuv& p, double* ox, double* oy) {
  int xpos = 0, ypos = 0;  // 1/256 luma sample units (libavutil convention)
  if (avcodec_enum_to_chroma_pos(&xpos, &ypos, loc) < 0) xpos = 0, ypos = 128;  // left
  *ox = p.log2_cw > 0 ? xpos / 256.0 : 0.0;
  *oy = p.log2_ch > 0 ? ypos / 256.0 : 0.0;
}

namespace {

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

// Rounds half up into [0, max_code] (max_code < 2^16). Through int32: SSE2 has only signed float -> int conversion.
template <typename T>
inline T quantize(float v, float max_code) {
  v = std::clamp(v, 0.0f, max_code);
  return static_cast<T>(static_cast<int32_t>(v + 0.5f));
}

// ---- planar Y'CbCr -> R'G'B' ---------------------------------------------------------------------
// Per output row: the two chroma rows around it are blended vertically into padded float rows (cw + 2),
// upsampled horizontally to the luma width, then the 3x3 matrix writes the interleaved R'G'B' row.
// Every loop is branch-free over contiguous (or constant-stride) arrays, so the compiler vectorises it.

// Horizontal bilinear upsampling by `factor` s (1, 2, 4): luma x reads chroma floor(pos) and floor(pos) + 1,
// clamped, with weight f = pos − floor(pos), pos = (x − o)/s. s is a power of two and o (0, 0.5 or 1) a
// multiple of 1/256, so pos is exact in double and, for all x = s·i + p of one phase p, floor(pos) = i + d[p]
// and f = f[p], with d[p] in {−1, 0}: a chroma row padded with one replicated sample on each side is read
// without clamping and gives bit for bit the per-pixel clamped taps (same operands, same float f).
struct Upsampler {
  int factor = 1;
  std::array<int, 4> d{};
  std::array<float, 4> f{};
};
Upsampler make_upsampler(int factor, double offset) {
  Upsampler u;
  u.factor = factor;
  for (int p = 0; p < factor; ++p) {
    const double pos = (p - offset) / factor, fl = std::floor(pos);
    u.d[p] = static_cast<int>(fl);
    u.f[p] = static_cast<float>(pos - fl);
  }
  return u;
}

// Chroma rows r0, r1 (n samples) blended with weight f into dst[0, n), then dst[−1] = dst[0], dst[n] = dst[n − 1].
// f = 0 (every row when not subsampled vertically) gives r0 exactly: r0 >= 0 and r0 + (±0) = r0.
template <typename T>
void blend_rows(const T* __restrict r0, const T* __restrict r1, float f, int n, float* __restrict dst) {
  if (f == 0.0f) {
    for (int i = 0; i < n; ++i) dst[i] = r0[i];
  } else {
    for (int i = 0; i < n; ++i) dst[i] = r0[i] + f * (static_cast<float>(r1[i]) - r0[i]);
  }
  dst[-1] = dst[0];
  dst[n] = dst[n - 1];
}

// out[x], x < w: bilinear between v[i + d[p]] and v[i + d[p] + 1] (x = S·i + p), v padded as blend_rows leaves it.
template <int S>
void upsample_row(const float* __restrict v, int w, const Upsampler& u, float* __restrict out) {
  int d[S];
  float f[S];
  for (int p = 0; p < S; ++p) d[p] = u.d[p], f[p] = u.f[p];
  const int full = w / S;
  for (int i = 0; i < full; ++i) {
    for (int p = 0; p < S; ++p) {
      const float a = v[i + d[p]], b = v[i + d[p] + 1];
      out[S * i + p] = a + f[p] * (b - a);
    }
  }
  for (int p = 0; S * full + p < w; ++p) {
    const float a = v[full + d[p]], b = v[full + d[p] + 1];
    out[S * full + p] = a + f[p] * (b - a);
  }
}

void upsample_row(const float* v, int w, const Upsampler& u, float* out) {
  switch (u.factor) {
    case 2: return upsample_row<2>(v, w, u, out);
    case 4: return upsample_row<4>(v, w, u, out);
    default: return upsample_row<1>(v, w, u, out);
  }
}

// out[3x + c] = m[c]·(Y, Cb, Cr)[x] + o[c] for x < w; `planar` is scratch for 3·w floats.
template <typename T>
void ycbcr_row_to_rgb(const T* __restrict luma, const float* __restrict cb, const float* __restrict cr, int w,
                      const Affine& a, float* __restrict planar, float* __restrict out) {
  float* __restrict pr = planar;
  float* __restrict pg = planar + w;
  float* __restrict pb = planar + 2 * w;
  const float m00 = a.m[0][0], m01 = a.m[0][1], m02 = a.m[0][2], o0 = a.o[0];
  const float m10 = a.m[1][0], m11 = a.m[1][1], m12 = a.m[1][2], o1 = a.o[1];
  const float m20 = a.m[2][0], m21 = a.m[2][1], m22 = a.m[2][2], o2 = a.o[2];
  for (int x = 0; x < w; ++x) {
    const float yy = luma[x], u = cb[x], v = cr[x];
    pr[x] = m00 * yy + m01 * u + m02 * v + o0;
    pg[x] = m10 * yy + m11 * u + m12 * v + o1;
    pb[x] = m20 * yy + m21 * u + m22 * v + o2;
  }
  for (int x = 0; x < w; ++x) {
    out[3 * x] = pr[x];
    out[3 * x + 1] = pg[x];
    out[3 * x + 2] = pb[x];
  }
}

// `rows` is scratch: 2·(cw + 2) + 5·w floats (padded blended chroma rows, upsampled chroma rows, planar R'G'B').
template <typename T>
void planar_to_rgb(const AVFrame& f, const PlanarYuv& p, const FrameColor& color, ImageView<float> rgb,
                   std::vector<float>& rows) {
  const int w = f.width, h = f.height;
  const int sy = 1 << p.log2_ch;
  const int cw = AV_CEIL_RSHIFT(w, p.log2_cw), ch = AV_CEIL_RSHIFT(h, p.log2_ch);
  double ox = 0, oy = 0;
  chroma_offsets(color.chroma_location, p, &ox, &oy);
  const Affine a = to_affine(ycbcr_to_rgb_transform({color.matrix, color.range, p.depth}));
  const Upsampler ux = make_upsampler(1 << p.log2_cw, ox);
  rows.resize(2 * static_cast<std::size_t>(cw + 2) + 5 * static_cast<std::size_t>(w));
  float* cb_v = rows.data() + 1;  // indices −1 .. cw
  float* cr_v = cb_v + (cw + 2);
  float* cb_up = rows.data() + 2 * (cw + 2);
  float* cr_up = cb_up + w;
  float* planar = cr_up + w;
  // Not subsampled horizontally: the upsampler is the identity (f = 0), so the blended rows are used as they are.
  const float* cb_h = ux.factor == 1 ? cb_v : cb_up;
  const float* cr_h = ux.factor == 1 ? cr_v : cr_up;
  for (int y = 0; y < h; ++y) {
    const Tap yt = bilinear_tap((y - oy) / sy, ch);
    blend_rows(plane_row<const T>(f, 1, yt.i0), plane_row<const T>(f, 1, yt.i1), yt.f, cw, cb_v);
    blend_rows(plane_row<const T>(f, 2, yt.i0), plane_row<const T>(f, 2, yt.i1), yt.f, cw, cr_v);
    if (ux.factor != 1) {
      upsample_row(cb_v, w, ux, cb_up);
      upsample_row(cr_v, w, ux, cr_up);
    }
    ycbcr_row_to_rgb(plane_row<const T>(f, 0, y), cb_h, cr_h, w, a, planar, rgb.row(y));
  }
}

// ---- R'G'B' -> planar Y'CbCr ---------------------------------------------------------------------
// Chroma row j sums its vertical filter's input rows, each with the matrix rows pre-multiplied by the tap weight,
// into one float row per plane (padded by replicating the edge samples), the pass over an input row writing its
// luma too on its first use (rgb_rows.h: one read of the interleaved row, vectorised); the horizontal filter then
// decimates the sums into the plane. The arithmetic per sample (operands and order) is that of the per-pixel
// definition, so the code values do not depend on the loop structure.

// Chroma decimation along one axis: output i = Σ_k weight[k]·in[clamp(factor·i + origin + k)], k < taps.
struct Decimator {
  int factor = 1;
  int origin = 0;
  int taps = 1;
  std::array<float, 7> weight{1.0f};  // normalised; factor <= 4, so at most 7 taps
};
Decimator make_decimator(int factor, double offset) {
  Decimator d;
  d.factor = factor;
  if (factor == 1) return d;
  if (offset == 0.0) {  // co-sited: triangle of half-width `factor`, e.g. [1 2 1]/4 for factor 2
    d.taps = 2 * factor - 1;
    d.origin = -(factor - 1);
    float sum = 0;
    for (int k = 0; k < d.taps; ++k) {
      d.weight[k] = static_cast<float>(factor - std::abs(k + d.origin));
      sum += d.weight[k];
    }
    for (int k = 0; k < d.taps; ++k) d.weight[k] /= sum;
  } else {  // interstitial: box over the `factor` samples from the site on, e.g. [1 1]/2
    d.taps = factor;
    for (int k = 0; k < d.taps; ++k) d.weight[k] = 1.0f / factor;
  }
  return d;
}

// out[i] = quantize(Σ_k weight[k]·in[S·i + origin + k] + offset), i < n, summed in order of k; `in` is
// readable at every such index (padded).
template <int S, int kTaps, typename T>
void decimate_row(const float* __restrict in, int n, const Decimator& d, float offset, float max_code,
                  T* __restrict out) {
  const float* src = in + d.origin;
  float wk[kTaps];
  for (int k = 0; k < kTaps; ++k) wk[k] = d.weight[k];
  for (int i = 0; i < n; ++i) {
    float sum = wk[0] * src[S * i];
    for (int k = 1; k < kTaps; ++k) sum += wk[k] * src[S * i + k];
    out[i] = quantize<T>(sum + offset, max_code);
  }
}

template <typename T>
void decimate_row(const float* in, int n, const Decimator& d, float offset, float max_code, T* out) {
  if (d.factor == 2 && d.taps == 2) return decimate_row<2, 2>(in, n, d, offset, max_code, out);
  if (d.factor == 2 && d.taps == 3) return decimate_row<2, 3>(in, n, d, offset, max_code, out);
  if (d.factor == 4 && d.taps == 4) return decimate_row<4, 4>(in, n, d, offset, max_code, out);
  if (d.factor == 4 && d.taps == 7) return decimate_row<4, 7>(in, n, d, offset, max_code, out);
  for (int i = 0; i < n; ++i) out[i] = quantize<T>(in[i] + offset, max_code);  // factor 1: weight 1
}

// Chroma rows [j0, j1) of the frame and the luma rows from factor·j0 (0 for j0 = 0) to factor·j1 (the last luma row
// for j1 = the chroma height), so that disjoint chroma ranges write disjoint rows (a chunk also reads, but never
// writes, the rows its first window reaches above factor·j0). `chroma`: scratch for the padded Cb and Cr row sums.
template <typename T>
void rgb_to_planar(RgbRowTarget target, ImageView<const float> rgb, const PlanarYuv& p, const FrameColor& color,
                   AVFrame& f, int j0, int j1, std::vector<float>& chroma) {
  const int w = f.width, h = f.height;
  const int cw = AV_CEIL_RSHIFT(w, p.log2_cw), ch = AV_CEIL_RSHIFT(h, p.log2_ch);
  const Affine a = to_affine(rgb_to_ycbcr_transform({color.matrix, color.range, p.depth}));
  const float max_code = static_cast<float>((1 << p.depth) - 1);
  double ox = 0, oy = 0;
  chroma_offsets(color.chroma_location, p, &ox, &oy);
  const Decimator dx = make_decimator(1 << p.log2_cw, ox);
  const Decimator dy = make_decimator(1 << p.log2_ch, oy);
  // Horizontal padding: output i reads factor·i + origin + k, from origin up to factor·(cw − 1) + origin + taps − 1.
  const int pad_l = std::max(0, -dx.origin);
  const int pad_r = std::max(0, dx.factor * (cw - 1) + dx.origin + dx.taps - w);
  const std::size_t padded = static_cast<std::size_t>(pad_l) + w + pad_r;
  chroma.resize(2 * padded);
  float* cb = chroma.data() + pad_l;
  float* cr = cb + padded;
  RgbRowCoefficients k{{a.m[0][0], a.m[0][1], a.m[0][2]}, a.o[0], {}, {}};
  // This chunk's luma rows from factor·j0 up to `next` are written: a pass over row `next` writes its luma and
  // advances it (windows never start above the last one's start, so rows come in order).
  int next = j0 == 0 ? 0 : dy.factor * j0;
  auto pass = [&](int y, bool chroma_sums, bool accumulate) {
    T* luma = y == next ? plane_row<T>(f, 0, next++) : nullptr;
    uint8_t* luma8 = nullptr;
    uint16_t* luma16 = nullptr;
    if constexpr (sizeof(T) == 1) {
      luma8 = luma;
    } else {
      luma16 = luma;
    }
    rgb_row_to_ycbcr(rgb.row(y), w, k, max_code, luma8, luma16, chroma_sums ? cb : nullptr, chroma_sums ? cr : nullptr,
                     accumulate, target);
  };
  for (int j = j0; j < j1; ++j) {
    for (int t = 0; t < dy.taps; ++t) {  // vertical filter: weighted chroma of the rows around site j
      for (int c = 0; c < 3; ++c) {
        k.cb[c] = dy.weight[t] * a.m[1][c];
        k.cr[c] = dy.weight[t] * a.m[2][c];
      }
      const int y = std::clamp(dy.factor * j + dy.origin + t, 0, h - 1);
      while (next < y) pass(next, false, false);  // a row no window reads (none for these filters)
      pass(y, true, t > 0);
    }
    for (float* c : {cb, cr}) {  // replicate the edges for the horizontal filter
      std::fill(c - pad_l, c, c[0]);
      std::fill(c + w, c + w + pad_r, c[w - 1]);
    }
    decimate_row(cb, cw, dx, a.o[1], max_code, plane_row<T>(f, 1, j));
    decimate_row(cr, cw, dx, a.o[2], max_code, plane_row<T>(f, 2, j));
  }
  if (j1 == ch) {
    while (next < h) pass(next, false, false);  // luma of rows below the last chroma window (none for these filters)
  }
}

// ---- instruction sets ----------------------------------------------------------------------------
// The row loops above are plain C++ the compiler vectorises for the build's baseline (SSE2 on x86-64). With
// GCC or Clang on x86, both converters are compiled a second time for AVX2, with every helper inlined
// (`flatten`), and that copy runs when the CPU has AVX2. AVX2 without FMA: every multiply and add is still
// rounded on its own, so both copies compute the same values.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define LITESR_VIDEO_AVX2_COPY 1
template <typename T>
__attribute__((target("avx2"), flatten)) void planar_to_rgb_avx2(const AVFrame& f, const PlanarYuv& p,
                                                                  const FrameColor& color, ImageView<float> rgb,
                                                                  std::vector<float>& rows) {
  planar_to_rgb<T>(f, p, color, rgb, rows);
}
template <typename T>
__attribute__((target("avx2"), flatten)) void rgb_to_planar_avx2(ImageView<const float> rgb, const PlanarYuv& p,
                                                                 const FrameColor& color, AVFrame& f, int j0, int j1,
                                                                 std::vector<float>& chroma) {
  rgb_to_planar<T>(RgbRowTarget::kBest, rgb, p, color, f, j0, j1, chroma);
}
bool use_avx2(RowKernels kernels) {
  static const bool has_avx2 = (__builtin_cpu_init(), __builtin_cpu_supports("avx2"));
  return kernels == RowKernels::kBest && has_avx2;
}
#endif

template <typename T>
void planar_to_rgb([[maybe_unused]] RowKernels kernels, const AVFrame& f, const PlanarYuv& p, const FrameColor& color,
                   ImageView<float> rgb, std::vector<float>& rows) {
#ifdef LITESR_VIDEO_AVX2_COPY
  if (use_avx2(kernels)) return planar_to_rgb_avx2<T>(f, p, color, rgb, rows);
#endif
  planar_to_rgb<T>(f, p, color, rgb, rows);
}
template <typename T>
void rgb_to_planar(RowKernels kernels, ImageView<const float> rgb, const PlanarYuv& p, const FrameColor& color,
                   AVFrame& f, int j0, int j1, std::vector<float>& chroma) {
#ifdef LITESR_VIDEO_AVX2_COPY
  if (use_avx2(kernels)) return rgb_to_planar_avx2<T>(rgb, p, color, f, j0, j1, chroma);
#endif
  const RgbRowTarget target = kernels == RowKernels::kBest ? RgbRowTarget::kBest : RgbRowTarget::kBaseline;
  rgb_to_planar<T>(target, rgb, p, color, f, j0, j1, chroma);
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
      planar_to_rgb<uint16_t>(kernels_, frame, p, color, rgb, rows_);
    } else {
      planar_to_rgb<uint8_t>(kernels_, frame, p, color, rgb, rows_);
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

Status RgbToFrame::convert(ImageView<const float> rgb, const FrameColor& color, AVFrame& frame, int threads) {
  const auto fmt = static_cast<AVPixelFormat>(frame.format);
  const int w = frame.width, h = frame.height;
  if (rgb.width != w || rgb.height != h || rgb.channels != 3) return internal_error("RgbToFrame: size mismatch");
  PlanarYuv p;
  if (planar_yuv(fmt, &p)) {
    // Chunks of at least kMinChunkRows chroma rows, one per thread, each with its own scratch.
    constexpr int kMinChunkRows = 16;
    const int ch = AV_CEIL_RSHIFT(h, p.log2_ch);
    const int chunks = std::clamp(std::min(threads, ch / kMinChunkRows), 1, 64);
    if (static_cast<int>(chroma_.size()) < chunks) chroma_.resize(chunks);
    std::atomic<int> next{0};
    run_workers(chunks, static_cast<std::size_t>(chunks), [&] {
      for (int c = next++; c < chunks; c = next++) {
        const int j0 = static_cast<int>(static_cast<int64_t>(ch) * c / chunks);
        const int j1 = static_cast<int>(static_cast<int64_t>(ch) * (c + 1) / chunks);
        if (p.depth > 8) {
          rgb_to_planar<uint16_t>(kernels_, rgb, p, color, frame, j0, j1, chroma_[c]);
        } else {
          rgb_to_planar<uint8_t>(kernels_, rgb, p, color, frame, j0, j1, chroma_[c]);
        }
      }
    });
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

bool RgbToFrame::converts_row_groups(AVPixelFormat format, const FrameColor& color, int group) {
  PlanarYuv p;
  if (group <= 0 || !planar_yuv(format, &p)) return false;
  double ox = 0, oy = 0;
  chroma_offsets(color.chroma_location, p, &ox, &oy);
  const Decimator dy = make_decimator(1 << p.log2_ch, oy);
  return group % dy.factor == 0 && dy.origin >= 0 && dy.origin + dy.taps <= dy.factor;
}

void RgbToFrame::convert_rows(ImageView<const float> rgb, const FrameColor& color, AVFrame& frame, int y0,
                              int y1) const {
  PlanarYuv p;
  planar_yuv(static_cast<AVPixelFormat>(frame.format), &p);
  const int factor = 1 << p.log2_ch;
  const int j0 = y0 / factor, j1 = y1 == frame.height ? AV_CEIL_RSHIFT(frame.height, p.log2_ch) : y1 / factor;
  thread_local std::vector<float> chroma;  // the Cb, Cr row sums; the SR workers are long-lived threads
  if (p.depth > 8) {
    rgb_to_planar<uint16_t>(kernels_, rgb, p, color, frame, j0, j1, chroma);
  } else {
    rgb_to_planar<uint8_t>(kernels_, rgb, p, color, frame, j0, j1, chroma);
  }
}

}  // namespace litesr::video_detail

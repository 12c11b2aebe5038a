// Decoded AVFrame <-> RGB f32 (HWC, 3 channels, R'G'B' nominally in [0,1], not clamped) with the
// stream's own Y'CbCr matrix, range and chroma siting. Internal to src/video (uses FFmpeg types).
//
// Direct path (float, exact coefficients from base/color.h), for planar little-endian Y'CbCr of any
// depth 8..16 and subsampling up to 4 (yuv420p, yuv422p, yuv444p, yuv411p, yuv420p10le, yuv444p12le, yuvj420p, ...):
//   decode: chroma is upsampled bilinearly to the luma grid, honouring siting. Chroma sample (i, j)
//           sits at luma coordinates (sx·i + ox, sy·j + oy), where (sx, sy) is the subsampling factor
//           and (ox, oy) comes from AVFrame.chroma_location (left/MPEG-2, the H.264/HEVC default:
//           ox = 0, oy = 0.5; center/MPEG-1/JPEG: 0.5, 0.5; topleft: 0, 0); edges clamp.
//           Then (Y, Cb, Cr) code values -> R'G'B' with ycbcr_to_rgb_transform().
//   encode: R'G'B' -> (Y, Cb, Cr) code values at full resolution with rgb_to_ycbcr_transform(); luma is
//           rounded and clamped to [0, 2^n − 1]; chroma is low-pass filtered and decimated at the
//           same sites: an axis with offset 0 uses a triangle centred on the site, weights (s − |k|)/s²,
//           |k| < s ([1 2 1]/4 for s = 2, the transpose of the bilinear upsampler); an axis with a non-zero
//           offset (0.5; bottom siting's 1 as well) averages luma samples s·i .. s·i + s − 1 ([1 1]/2).
//           Samples beyond the edges clamp. Then rounded and clamped.
//   Arithmetic, per sample, in float (f32 coefficients m, o), so results are reproducible bit for bit:
//     decode: c = c0 + fy·(c1 − c0) for the two chroma rows, then c = c0 + fx·(c1 − c0) across, with f the
//             tap fraction; R'G'B'[r] = ((m[r][0]·Y + m[r][1]·Cb) + m[r][2]·Cr) + o[r].
//     encode: Y = ((m[0][0]·R' + m[0][1]·G') + m[0][2]·B') + o[0]; Cb = Σ_kx wx·(Σ_ky ((wy·m[1][0])·R' +
//             (wy·m[1][1])·G') + (wy·m[1][2])·B') + o[1] (vertical taps summed per column, then the
//             horizontal taps, each in order), Cr likewise; then code = (int)(clamp(v, 0, 2^n − 1) + 0.5).
//   They run as row loops (scratch rows reused, no allocation per frame of the same size). Decode: that the compiler
//   vectorises; on x86 (GCC, Clang) built twice, for the baseline ISA and for AVX2 (chosen at run time), without
//   FMA, so both round every operation alike and give identical values. Encode: one pass per input row and
//   vertical tap reads the interleaved row for its luma (first pass) and chroma terms (video/rgb_rows.h, Highway on
//   every target, no contraction), then the horizontal chroma filter (compiler-vectorised as above); in chunks
//   of rows on several threads when asked.
//   packed rgb24 / rgb48 (native endian) are read and written directly (value / (2^n − 1)).
// Everything else (nv12, p010, pal8, rgba, big-endian...) goes through swscale to/from rgb48 with the
// explicit matrix set by sws_setColorspaceDetails (16-bit intermediate, so 10-bit sources keep
// their precision).
#pragma once

#include <vector>

#include "base/color.h"
#include "base/image.h"
#include "base/status.h"
#include "video/av_handles.h"

namespace litesr::video_detail {

// How a frame's Y'CbCr is to be interpreted / written.
struct FrameColor {
  ColorMatrix matrix = ColorMatrix::kBt709;
  ColorRange range = ColorRange::kLimited;
  AVChromaLocation chroma_location = AVCHROMA_LOC_LEFT;
  bool operator==(const FrameColor&) const = default;
};

// Resolves AVFrame/AVCodecParameters tags to a FrameColor. Unspecified matrix: BT.709 for HD
// (width >= 1280 or height > 576), else BT.601 (what players do). Unspecified range: limited for
// Y'CbCr (full for yuvj*). Unspecified siting: left for 4:2:0, topleft otherwise.
FrameColor resolve_frame_color(AVColorSpace space, AVColorRange range, AVChromaLocation loc, AVPixelFormat fmt,
                               int width, int height);
// AVColorSpace for a matrix (for tagging the encoder).
AVColorSpace to_av_colorspace(ColorMatrix matrix);

// Planar little-endian Y'CbCr: 3 planes, same depth (8..16 bits), 1 or 2 bytes per sample, subsampling up to 4.
struct PlanarYuv {
  int depth = 8;
  int log2_cw = 0;  // chroma subsampling (log2) horizontally
  int log2_ch = 0;  // ... vertically
};
// True (and *out filled when given) when `fmt` is such a format.
bool planar_yuv(AVPixelFormat fmt, PlanarYuv* out);
// Chroma site offsets (ox, oy) in luma samples for a subsampled axis (0 when not subsampled): chroma sample
// (i, j) sits at luma coordinates (2^log2_cw·i + ox, 2^log2_ch·j + oy).
void chroma_offsets(AVChromaLocation loc, const PlanarYuv& p, double* ox, double* oy);

// True when the direct float path handles `fmt` (else swscale is used).
bool is_direct_pixel_format(AVPixelFormat fmt);

// Which compiled copy of the planar row loops runs: the best the CPU supports (on x86 with GCC/Clang, an AVX2
// copy when the CPU has AVX2) or the build's baseline. Both give identical values; tests and benchmarks pick.
enum class RowKernels { kBest, kBaseline };

class FrameToRgb {
 public:
  explicit FrameToRgb(RowKernels kernels = RowKernels::kBest) : kernels_(kernels) {}
  // `rgb` must be frame->width x frame->height x 3.
  Status convert(const AVFrame& frame, const FrameColor& color, ImageView<float> rgb);

 private:
  RowKernels kernels_;
  SwsPtr sws_;
  Image rgb48_;  // swscale fallback intermediate (u16, 3 channels)
  std::vector<float> rows_;  // planar path: chroma rows blended, upsampled; R'G'B' planes (2·(cw + 2) + 5·w floats)
};

class RgbToFrame {
 public:
  explicit RgbToFrame(RowKernels kernels = RowKernels::kBest) : kernels_(kernels) {}
  // `frame` has format/width/height set and buffers allocated (av_frame_get_buffer); `rgb` matches its size.
  // threads > 1: the direct planar path converts chunks of rows on up to that many threads (this one and helpers
  // started for the call, base/worker_threads.h), each writing its own rows: the same values as one thread.
  Status convert(ImageView<const float> rgb, const FrameColor& color, AVFrame& frame, int threads = 1);

  // Row groups, for converting rows as soon as they are upscaled (base/row_sink.h): whether frames of `format`
  // with `color` can be converted in groups of `group` rows each (starting at multiples of `group`; the last one
  // may end at the height) — the direct planar formats whose vertical chroma filter stays inside each chroma row's
  // own 2^log2_ch luma rows, with `group` a multiple of that: 4:2:0 with left (MPEG-2, H.264's default) or centre
  // siting, any 4:2:2 or 4:4:4; not 4:2:0 co-sited vertically (topleft: the [1 2 1] filter reaches the row above).
  static bool converts_row_groups(AVPixelFormat format, const FrameColor& color, int group);
  // Rows [y0, y1) of `rgb` into `frame` (only those rows are read; the same values as convert()). y0, y1 as above
  // for a group size converts_row_groups() accepts; `rgb` the frame's size. Calls for disjoint groups may run at
  // the same time on different threads (each thread keeps its own scratch).
  void convert_rows(ImageView<const float> rgb, const FrameColor& color, AVFrame& frame, int y0, int y1) const;

 private:
  RowKernels kernels_;
  SwsPtr sws_;
  Image rgb48_;
  // Planar path, one per chunk of rows: the Cb, Cr row sums before the horizontal filter (w + padding each).
  std::vector<std::vector<float>> chroma_;
};

}  // namespace litesr::video_detail

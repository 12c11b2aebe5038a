// Decoded AVFrame <-> RGB f32 (HWC, 3 channels, R'G'B' nominally in [0,1], not clamped) with the
// stream's own Y'CbCr matrix, range and chroma siting. Internal to src/video (uses FFmpeg types).
//
// Direct path (float, exact coefficients from base/color.h), for planar little-endian Y'CbCr of any
// depth 8..16 (yuv420p, yuv422p, yuv444p, yuv420p10le, yuv444p12le, yuvj420p, ...):
//   decode: chroma is upsampled bilinearly to the luma grid, honouring siting. Chroma sample (i, j)
//           sits at luma coordinates (sx·i + ox, sy·j + oy), where (sx, sy) is the subsampling factor
//           and (ox, oy) comes from AVFrame.chroma_location (left/MPEG-2, the H.264/HEVC default:
//           ox = 0, oy = 0.5; center/MPEG-1/JPEG: 0.5, 0.5; topleft: 0, 0); edges clamp.
//           Then (Y, Cb, Cr) code values -> R'G'B' with ycbcr_to_rgb_transform().
//   encode: R'G'B' -> (Y, Cb, Cr) code values at full resolution with rgb_to_ycbcr_transform(); luma is
//           rounded and clamped to [0, 2^n − 1]; chroma is low-pass filtered and decimated at the
//           same sites: an axis with offset 0 uses taps [1 2 1]/4 centred on the site (the transpose
//           of the bilinear upsampler), an axis with offset 0.5 averages the two luma samples
//           around the site ([1 1]/2). Then rounded and clamped.
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
};

// Resolves AVFrame/AVCodecParameters tags to a FrameColor. Unspecified matrix: BT.709 for HD
// (width >= 1280 or height > 576), else BT.601 (what players do). Unspecified range: limited for
// Y'CbCr (full for yuvj*). Unspecified siting: left for 4:2:0, topleft otherwise.
FrameColor resolve_frame_color(AVColorSpace space, AVColorRange range, AVChromaLocation loc, AVPixelFormat fmt,
                               int width, int height);
// AVColorSpace for a matrix (for tagging the encoder).
AVColorSpace to_av_colorspace(ColorMatrix matrix);

// True when the direct float path handles `fmt` (else swscale is used).
bool is_direct_pixel_format(AVPixelFormat fmt);

class FrameToRgb {
 public:
  // `rgb` must be frame->width x frame->height x 3.
  Status convert(const AVFrame& frame, const FrameColor& color, ImageView<float> rgb);

 private:
  SwsPtr sws_;
  Image rgb48_;  // swscale fallback intermediate (u16, 3 channels)
  std::vector<float> cb_row_, cr_row_;
};

class RgbToFrame {
 public:
  // `frame` has format/width/height set and buffers allocated (av_frame_get_buffer); `rgb` matches its size.
  Status convert(ImageView<const float> rgb, const FrameColor& color, AVFrame& frame);

 private:
  SwsPtr sws_;
  Image rgb48_;
  std::vector<float> cb_full_, cr_full_, tmp_;  // chroma row accumulators (w floats each)
};

}  // namespace litesr::video_detail

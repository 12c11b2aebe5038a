// Whole-image conversions between sample types and channel layouts.
//
// Sample scaling: u8 v <-> f32 v/255, u16 v <-> f32 v/65535, u8 <-> u16 by ×257 (exact both ways).
// To an integer type, f32 is clamped to [0, 1], scaled, and rounded half up: floor(v·max + 0.5),
// which is how MATLAB's im2uint8 and a saved PNG round.
#pragma once

#include "base/image.h"

namespace litesr {

Result<Image> convert_pixel_type(const Image& src, PixelType type);

// Channels [first, first + count) of `src` as a new image of the same type.
Result<Image> extract_channels(const Image& src, int first, int count);

// `a`'s channels followed by `b`'s (same size and type), e.g. RGB + A -> RGBA.
Result<Image> concat_channels(const Image& a, const Image& b);

// The w x h window of `src` with its top-left corner at (x, y), as a new image of the same type and channels;
// kInvalidArgument unless the window lies inside the image.
Result<Image> copy_window(const Image& src, int x, int y, int w, int h);

// Grey (1 channel) or grey+alpha to RGB(+A) by repeating the grey channel; other images are cloned.
Result<Image> grey_to_rgb(const Image& src);

// A float sample clamped to [0, 1], NaN to 0 (the f32 image outputs of every executor).
inline float clamp_unit(float v) { return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; }

// Rounds a [0,1] float to an integer code in [0, max_code] as described above.
inline int quantize_unit(float v, int max_code) {
  float s = v * static_cast<float>(max_code);
  if (!(s > 0.0f)) return 0;  // also maps NaN to 0
  if (s >= static_cast<float>(max_code)) return max_code;
  return static_cast<int>(s + 0.5f);
}

}  // namespace litesr

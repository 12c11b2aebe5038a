// Colour conversion between non-linear R'G'B' and Y'CbCr code values (ITU-R BT.601, BT.709, BT.2020
// non-constant luminance), full and limited ("studio", "TV") range, any bit depth 8..16.
//
// Conventions (ITU-T H.273 §8.3, BT.709 §3, BT.2020 Table 4):
//   E'y = Kr·R' + (1 − Kr − Kb)·G' + Kb·B',  E'pb = (B' − E'y) / (2·(1 − Kb)),  E'pr = (R' − E'y) / (2·(1 − Kr))
//   limited: Y = (219·E'y + 16)·2^(n−8),  Cb = (224·E'pb + 128)·2^(n−8)
//   full:    Y = (2^n − 1)·E'y,           Cb = (2^n − 1)·E'pb + 2^(n−1)
// R', G', B' are in [0, 1]; code values are unrounded doubles (the caller rounds for storage).
// The SR literature's Y (DESIGN §5) is BT.601 limited 8-bit: Y = 16 + 65.481·R + 128.553·G + 24.966·B.
#pragma once

#include <array>
#include <string_view>

#include "base/status.h"

namespace litesr {

enum class ColorMatrix { kBt601, kBt709, kBt2020 };
enum class ColorRange { kLimited, kFull };

struct YCbCrFormat {
  ColorMatrix matrix = ColorMatrix::kBt709;
  ColorRange range = ColorRange::kLimited;
  int bit_depth = 8;  // 8..16
};

struct LumaCoefficients {
  double kr;
  double kb;
};
LumaCoefficients luma_coefficients(ColorMatrix matrix);

std::string_view color_matrix_name(ColorMatrix matrix);  // "bt601", "bt709", "bt2020"
Result<ColorMatrix> parse_color_matrix(std::string_view name);
std::string_view color_range_name(ColorRange range);      // "limited", "full"
Result<ColorRange> parse_color_range(std::string_view name);

// An affine map out = M·in + offset, for bulk conversion loops that want the coefficients.
struct ColorTransform {
  std::array<std::array<double, 3>, 3> m;
  std::array<double, 3> offset;
  std::array<double, 3> apply(const std::array<double, 3>& in) const;
};

// R'G'B' in [0,1] -> (Y, Cb, Cr) code values of `format`.
ColorTransform rgb_to_ycbcr_transform(const YCbCrFormat& format);
// (Y, Cb, Cr) code values of `format` -> R'G'B' in [0,1] (unclamped).
ColorTransform ycbcr_to_rgb_transform(const YCbCrFormat& format);

std::array<double, 3> rgb_to_ycbcr(const std::array<double, 3>& rgb, const YCbCrFormat& format);
std::array<double, 3> ycbcr_to_rgb(const std::array<double, 3>& ycbcr, const YCbCrFormat& format);

// The luma used by SR papers (BT.601 limited, 0..255 scale) from R, G, B in [0, 1]; not rounded.
inline double sr_luma_255(double r, double g, double b) { return 16.0 + 65.481 * r + 128.553 * g + 24.966 * b; }

}  // namespace litesr

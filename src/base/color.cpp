#include "base/color.h"

#include <cmath>
#include <string>

namespace litesr {

LumaCoefficients luma_coefficients(ColorMatrix matrix) {
  switch (matrix) {
    case ColorMatrix::kBt601: return {0.299, 0.114};
    case ColorMatrix::kBt709: return {0.2126, 0.0722};
    case ColorMatrix::kBt2020: return {0.2627, 0.0593};
  }
  return {0.2126, 0.0722};
}

std::string_view color_matrix_name(ColorMatrix matrix) {
  switch (matrix) {
    case ColorMatrix::kBt601: return "bt601";
    case ColorMatrix::kBt709: return "bt709";
    case ColorMatrix::kBt2020: return "bt2020";
  }
  return "?";
}

Result<ColorMatrix> parse_color_matrix(std::string_view name) {
  if (name == "bt601" || name == "601") return ColorMatrix::kBt601;
  if (name == "bt709" || name == "709") return ColorMatrix::kBt709;
  if (name == "bt2020" || name == "2020") return ColorMatrix::kBt2020;
  return invalid_argument("unknown colour matrix '" + std::string(name) + "' (use bt601, bt709 or bt2020)");
}

std::string_view color_range_name(ColorRange range) {
  return range == ColorRange::kLimited ? "limited" : "full";
}

Result<ColorRange> parse_color_range(std::string_view name) {
  if (name == "limited" || name == "tv" || name == "studio") return ColorRange::kLimited;
  if (name == "full" || name == "pc" || name == "jpeg") return ColorRange::kFull;
  return invalid_argument("unknown colour range '" + std::string(name) + "' (use limited or full)");
}

std::array<double, 3> ColorTransform::apply(const std::array<double, 3>& in) const {
  std::array<double, 3> out{};
  for (int i = 0; i < 3; ++i) out[i] = m[i][0] * in[0] + m[i][1] * in[1] + m[i][2] * in[2] + offset[i];
  return out;
}

namespace {

// Scale and offset that take E'y / E'pb,pr (Y' in [0,1], Pb,Pr in [-0.5,0.5]) to code values.
struct Quantization {
  double y_scale, y_offset, c_scale, c_offset;
};

Quantization quantization(const YCbCrFormat& f) {
  const double shift = std::ldexp(1.0, f.bit_depth - 8);
  if (f.range == ColorRange::kLimited) return {219.0 * shift, 16.0 * shift, 224.0 * shift, 128.0 * shift};
  const double max_code = std::ldexp(1.0, f.bit_depth) - 1.0;
  return {max_code, 0.0, max_code, std::ldexp(1.0, f.bit_depth - 1)};
}

}  // namespace

ColorTransform rgb_to_ycbcr_transform(const YCbCrFormat& format) {
  const auto [kr, kb] = luma_coefficients(format.matrix);
  const double kg = 1.0 - kr - kb;
  const Quantization q = quantization(format);
  // Rows: E'y, E'pb, E'pr as functions of R', G', B'.
  const double ey[3] = {kr, kg, kb};
  const double epb[3] = {-kr / (2 * (1 - kb)), -kg / (2 * (1 - kb)), 0.5};
  const double epr[3] = {0.5, -kg / (2 * (1 - kr)), -kb / (2 * (1 - kr))};
  ColorTransform t{};
  for (int j = 0; j < 3; ++j) {
    t.m[0][j] = q.y_scale * ey[j];
    t.m[1][j] = q.c_scale * epb[j];
    t.m[2][j] = q.c_scale * epr[j];
  }
  t.offset = {q.y_offset, q.c_offset, q.c_offset};
  return t;
}

ColorTransform ycbcr_to_rgb_transform(const YCbCrFormat& format) {
  const auto [kr, kb] = luma_coefficients(format.matrix);
  const double kg = 1.0 - kr - kb;
  const Quantization q = quantization(format);
  // R' = Y' + 2(1-Kr)·Pr;  B' = Y' + 2(1-Kb)·Pb;  G' = (Y' - Kr·R' - Kb·B') / Kg.
  const double r_pr = 2 * (1 - kr);
  const double b_pb = 2 * (1 - kb);
  const double g_pb = -kb * b_pb / kg;
  const double g_pr = -kr * r_pr / kg;
  const double iy = 1.0 / q.y_scale;
  const double ic = 1.0 / q.c_scale;
  ColorTransform t{};
  t.m = {{{iy, 0.0, r_pr * ic}, {iy, g_pb * ic, g_pr * ic}, {iy, b_pb * ic, 0.0}}};
  for (int i = 0; i < 3; ++i) {
    t.offset[i] = -(t.m[i][0] * q.y_offset + t.m[i][1] * q.c_offset + t.m[i][2] * q.c_offset);
  }
  return t;
}

std::array<double, 3> rgb_to_ycbcr(const std::array<double, 3>& rgb, const YCbCrFormat& format) {
  return rgb_to_ycbcr_transform(format).apply(rgb);
}

std::array<double, 3> ycbcr_to_rgb(const std::array<double, 3>& ycbcr, const YCbCrFormat& format) {
  return ycbcr_to_rgb_transform(format).apply(ycbcr);
}

}  // namespace litesr

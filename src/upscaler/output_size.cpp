#include "upscaler/output_size.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/image.h"
#include "base/image_size.h"
#include "base/resample_weights.h"

namespace litesr {

Result<OutputSize> OutputSize::from_scale(double factor) {
  if (!std::isfinite(factor) || factor <= 1.0 || factor > kMaxOutputScale) {
    char text[128];
    std::snprintf(text, sizeof text, "scale %g is not a factor in (1, %g]", factor, kMaxOutputScale);
    return invalid_argument(text);
  }
  OutputSize out;
  out.scale = factor;
  return out;
}

Result<OutputSize> OutputSize::from_size(int width, int height) {
  if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide) {
    return invalid_argument("output size " + std::to_string(width) + "x" + std::to_string(height) + ": each side must be 1.." +
                            std::to_string(kMaxImageSide));
  }
  OutputSize out;
  out.width = width;
  out.height = height;
  return out;
}

Result<OutputSize> OutputSize::parse_scale(std::string_view text) {
  double factor = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, factor);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(factor)) {
    return invalid_argument("scale '" + std::string(text) + "' is not a number (e.g. 2, 1.5, 3)");
  }
  Result<OutputSize> out = from_scale(factor);
  if (!out.ok()) return invalid_argument(out.status().message() + " (to shrink an image use `litesr resize`)");
  return out;
}

Result<OutputSize> OutputSize::parse_size(std::string_view text) {
  LITESR_ASSIGN_OR_RETURN(const ImageSize size, parse_image_size(text));
  return from_size(size.width, size.height);
}

Result<std::pair<int, int>> OutputSize::for_input(int w, int h) const {
  if (width > 0 && height > 0) return std::pair<int, int>(width, height);
  if (scale <= 0) return invalid_argument("no output size given");
  LITESR_ASSIGN_OR_RETURN(const int out_w, scaled_length(w, scale));
  LITESR_ASSIGN_OR_RETURN(const int out_h, scaled_length(h, scale));
  if (out_w > kMaxImageSide || out_h > kMaxImageSide) {
    return resource_exhausted("output would exceed " + std::to_string(kMaxImageSide) + " pixels per side");
  }
  return std::pair<int, int>(out_w, out_h);
}

Result<double> OutputSize::factor_for_input(int w, int h) const {
  if (w < 1 || h < 1) return invalid_argument("input size must be at least 1x1");
  if (scale > 0) return scale;
  LITESR_ASSIGN_OR_RETURN(const auto size, for_input(w, h));
  return std::max(static_cast<double>(size.first) / w, static_cast<double>(size.second) / h);
}

std::string OutputSize::label() const {
  if (width > 0) return std::to_string(width) + "x" + std::to_string(height);
  char text[32];
  std::snprintf(text, sizeof text, "x%g", scale);
  return text;
}

}  // namespace litesr

// OutputSize: the size a user asks the upscaled image to have, when it is not the model's own scale:
// `litesr upscale -s 1.5` (any factor > 1) or `--size 1920x1080` (exact pixels). The model runs at its own
// integer scale and the MATLAB-exact bicubic resize (eval/matlab_resize.h, antialiased when it shrinks) brings
// its output to this size (ModelUpscaler; docs/upscale.md "Any output size").
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"

namespace litesr {

// Largest factor accepted (the largest shipped scale is x4; bicubic takes up to x8, the CLI's limit).
inline constexpr double kMaxOutputScale = 16.0;

struct OutputSize {
  double scale = 0;  // > 0: each side becomes ceil(side x scale) (MATLAB imresize's rule, base/resample_weights.h)
  int width = 0;     // > 0 (with height): exactly width x height pixels
  int height = 0;

  bool empty() const { return scale == 0 && width == 0 && height == 0; }
  // A factor in (1, kMaxOutputScale]. kInvalidArgument otherwise (NaN and infinities included).
  static Result<OutputSize> from_scale(double factor);
  // Exactly width x height, each side 1..kMaxImageSide. kInvalidArgument otherwise.
  static Result<OutputSize> from_size(int width, int height);
  // "1.5", "3", "2.25": a factor in (1, kMaxOutputScale]. kInvalidArgument otherwise.
  static Result<OutputSize> parse_scale(std::string_view text);
  // "1920x1080": 1..65536 per side. kInvalidArgument otherwise.
  static Result<OutputSize> parse_size(std::string_view text);
  // The output of a w x h input: the size, or the factor's size. Must not be called on an empty OutputSize.
  Result<std::pair<int, int>> for_input(int w, int h) const;
  // The largest factor this size needs on either axis for a w x h input (what the model must reach).
  Result<double> factor_for_input(int w, int h) const;
  // For file names: "x1.5", "x3", "1920x1080".
  std::string label() const;
};

}  // namespace litesr

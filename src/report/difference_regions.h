// Where to look: the square regions of an image where the SR methods differ most from each other, or from the
// ground truth, found so a report can show those crops instead of whole images.
//
// Maps, per pixel p, on the SR luma Y (BT.601, 0–255, metrics.h) of 8-bit RGB images of one size:
//   disagreement  D(p) = max_i Y_i(p) − min_i Y_i(p) over the `disagreement` members (the largest difference
//                 between any two of them at p);
//   error         E(p) = max_i |Y_i(p) − Y_hr(p)| over the `error` members (when an HR image is given);
//   detail        T(p) = |Y(p) − Y(p + (1, 0))| + |Y(p) − Y(p + (0, 1))| of the first output (used only when
//                 neither map exists: a single method and no ground truth).
// A region is a `size` x `size` window whose corner lies on a grid of `cell` pixels (a multiple of `align`,
// so an LR crop of an x`align` image starts on a whole LR pixel); its score is the window's mean of the map.
// Regions are chosen greedily, the best window first, alternating disagreement and error when both exist;
// a chosen window never overlaps an earlier one and is the best that still leaves room for the regions wanted
// after it (or for as many of them as the image can hold), and windows stay `border` pixels away from the edges
// (the pixels the metrics shave) when the image is large enough.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "base/image.h"
#include "base/status.h"

namespace litesr {

enum class RegionKind { kDisagreement, kError, kDetail };

std::string_view region_kind_name(RegionKind kind);  // "disagreement", "error", "detail"

struct RegionOptions {
  int count = 3;   // regions wanted (fewer when the image has no room for more)
  int size = 64;   // window side in output pixels; reduced (to a multiple of align) for smaller images
  int align = 1;   // corners and size are multiples of this (the SR scale)
  int border = 0;  // pixels kept away from every edge when possible
};

struct DifferenceRegion {
  int x = 0;  // top-left corner and side, output pixels
  int y = 0;
  int size = 0;
  RegionKind kind = RegionKind::kDetail;
  double score = 0;  // the window's mean of the kind's map (Y levels, 0–255 scale)
  // disagreement: the two outputs whose mean |ΔY| over the window is largest (a < b);
  // error: `a` is the output with the largest mean |Y − Y_hr| over the window, b = -1; detail: a = 0, b = -1.
  int a = 0;
  int b = -1;
  double pair_mean_abs_diff = 0;  // that pair's (or that output's error) mean |ΔY|
};

// `outputs`: u8 RGB images of one size. `disagreement` / `error`: indices into outputs (either may be empty;
// error is ignored without `hr`). `hr`: u8 grey or RGB ground truth of the same size, or nullptr.
// kInvalidArgument for mismatched sizes, non-u8 images or bad indices.
Result<std::vector<DifferenceRegion>> find_difference_regions(std::span<const Image* const> outputs,
                                                              std::span<const int> disagreement,
                                                              std::span<const int> error, const Image* hr,
                                                              const RegionOptions& options);

}  // namespace litesr

#include "report/difference_regions.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "base/color.h"

namespace litesr {
namespace {

// SR luma of pixel (x, y) of a u8 grey or RGB(A) image (grey as R = G = B).
inline double luma_at(const Image& im, int x, int y) {
  const uint8_t* p = im.view<uint8_t>().row(y) + static_cast<std::ptrdiff_t>(x) * im.channels();
  if (im.channels() <= 2) {
    const double v = p[0] / 255.0;
    return sr_luma_255(v, v, v);
  }
  return sr_luma_255(p[0] / 255.0, p[1] / 255.0, p[2] / 255.0);
}

// Sums of a per-pixel map over cells of `cell` x `cell` pixels, and their summed-area table.
struct CellMap {
  int gw = 0, gh = 0;
  std::vector<double> sum;       // [gh][gw]
  std::vector<double> integral;  // [(gh + 1)][(gw + 1)]

  void build_integral() {
    integral.assign(static_cast<std::size_t>(gw + 1) * (gh + 1), 0.0);
    for (int y = 0; y < gh; ++y) {
      double row = 0;
      for (int x = 0; x < gw; ++x) {
        row += sum[static_cast<std::size_t>(y) * gw + x];
        integral[static_cast<std::size_t>(y + 1) * (gw + 1) + x + 1] =
            integral[static_cast<std::size_t>(y) * (gw + 1) + x + 1] + row;
      }
    }
  }
  // Sum over cells [cx, cx + n) x [cy, cy + n).
  double window(int cx, int cy, int n) const {
    auto at = [&](int x, int y) { return integral[static_cast<std::size_t>(y) * (gw + 1) + x]; };
    return at(cx + n, cy + n) - at(cx, cy + n) - at(cx + n, cy) + at(cx, cy);
  }
};

bool overlaps(const DifferenceRegion& r, int x, int y, int size) {
  return x < r.x + r.size && r.x < x + size && y < r.y + r.size && r.y < y + size;
}

// The per-pixel value of `kind`'s map (see the header).
double map_value(RegionKind kind, std::span<const Image* const> outputs, std::span<const int> members, const Image* hr,
                 int x, int y) {
  switch (kind) {
    case RegionKind::kDisagreement: {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (int i : members) {
        const double v = luma_at(*outputs[i], x, y);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      return hi - lo;
    }
    case RegionKind::kError: {
      const double ref = luma_at(*hr, x, y);
      double worst = 0;
      for (int i : members) worst = std::max(worst, std::abs(luma_at(*outputs[i], x, y) - ref));
      return worst;
    }
    case RegionKind::kDetail: {
      const Image& im = *outputs[0];
      const double v = luma_at(im, x, y);
      const int xr = std::min(x + 1, im.width() - 1), yd = std::min(y + 1, im.height() - 1);
      return std::abs(v - luma_at(im, xr, y)) + std::abs(v - luma_at(im, x, yd));
    }
  }
  return 0;
}

// Mean |Y_a − Y_b| (b = -1: the HR) over a window.
double window_mean_abs_diff(const Image& a, const Image& b, int x0, int y0, int size) {
  double sum = 0;
  for (int y = y0; y < y0 + size; ++y) {
    for (int x = x0; x < x0 + size; ++x) sum += std::abs(luma_at(a, x, y) - luma_at(b, x, y));
  }
  return sum / (static_cast<double>(size) * size);
}

}  // namespace

std::string_view region_kind_name(RegionKind kind) {
  switch (kind) {
    case RegionKind::kDisagreement:
      return "disagreement";
    case RegionKind::kError:
      return "error";
    case RegionKind::kDetail:
      return "detail";
  }
  return "detail";
}

Result<std::vector<DifferenceRegion>> find_difference_regions(std::span<const Image* const> outputs,
                                                              std::span<const int> disagreement,
                                                              std::span<const int> error, const Image* hr,
                                                              const RegionOptions& options) {
  if (outputs.empty()) return invalid_argument("no images to compare");
  if (options.align < 1 || options.size < 1 || options.count < 0 || options.border < 0) {
    return invalid_argument("region options must be positive");
  }
  const int w = outputs[0]->width(), h = outputs[0]->height();
  for (const Image* im : outputs) {
    if (im == nullptr || im->type() != PixelType::kU8 || im->channels() < 3) {
      return invalid_argument("difference regions need 8-bit RGB outputs");
    }
    if (im->width() != w || im->height() != h) return invalid_argument("outputs differ in size");
  }
  if (hr != nullptr && (hr->type() != PixelType::kU8 || hr->width() != w || hr->height() != h)) {
    return invalid_argument("the HR image must be 8-bit and of the outputs' size");
  }
  for (int i : disagreement) {
    if (i < 0 || i >= static_cast<int>(outputs.size())) return invalid_argument("bad output index");
  }
  for (int i : error) {
    if (i < 0 || i >= static_cast<int>(outputs.size())) return invalid_argument("bad output index");
  }

  std::vector<RegionKind> kinds;  // the maps that exist, in the order regions alternate over them
  if (disagreement.size() >= 2) kinds.push_back(RegionKind::kDisagreement);
  if (hr != nullptr && !error.empty()) kinds.push_back(RegionKind::kError);
  if (kinds.empty()) kinds.push_back(RegionKind::kDetail);

  const int align = options.align;
  int size = std::min({options.size, w, h});
  size -= size % align;
  std::vector<DifferenceRegion> chosen;
  if (size < align || options.count == 0) return chosen;
  const int cell = align * ((4 + align - 1) / align);  // >= 4 pixels and a multiple of align
  const int gw = w / cell, gh = h / cell;
  const int n =
      std::clamp(static_cast<int>(std::lround(static_cast<double>(size) / cell)), 1, std::max(1, std::min(gw, gh)));

  std::vector<CellMap> maps(kinds.size());
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    CellMap& m = maps[k];
    m.gw = gw;
    m.gh = gh;
    m.sum.assign(static_cast<std::size_t>(gw) * gh, 0.0);
    const std::span<const int> members = kinds[k] == RegionKind::kDisagreement ? disagreement : error;
    for (int y = 0; y < gh * cell; ++y) {
      for (int x = 0; x < gw * cell; ++x) {
        m.sum[static_cast<std::size_t>(y / cell) * gw + x / cell] += map_value(kinds[k], outputs, members, hr, x, y);
      }
    }
    m.build_integral();
  }

  // Candidate corners: cell-grid positions whose size x size window fits; away from the border if possible.
  struct Corner {
    int cx, cy, x, y;
  };
  std::vector<Corner> corners, inner;
  for (int cy = 0; cy + n <= gh; ++cy) {
    for (int cx = 0; cx + n <= gw; ++cx) {
      const int x = cx * cell, y = cy * cell;
      if (x + size > w || y + size > h) continue;
      corners.push_back({cx, cy, x, y});
      const int b = options.border;
      if (x >= b && y >= b && x + size <= w - b && y + size <= h - b) inner.push_back({cx, cy, x, y});
    }
  }
  if (!inner.empty()) corners = std::move(inner);
  if (corners.empty()) corners.push_back({0, 0, 0, 0});

  // Whether `extra` more windows still fit (first fit over the corners) beside the chosen ones and `pick`.
  auto room_for = [&](const Corner& pick, int extra) {
    std::vector<DifferenceRegion> taken = chosen;
    taken.push_back({.x = pick.x, .y = pick.y, .size = size});
    for (const Corner& c : corners) {
      if (extra == 0) break;
      bool free = true;
      for (const DifferenceRegion& d : taken) free = free && !overlaps(d, c.x, c.y, size);
      if (!free) continue;
      taken.push_back({.x = c.x, .y = c.y, .size = size});
      --extra;
    }
    return extra == 0;
  };
  for (int r = 0; r < options.count; ++r) {
    const std::size_t k = static_cast<std::size_t>(r) % kinds.size();
    std::vector<std::pair<double, const Corner*>> free_corners;  // (score, corner), best first
    for (const Corner& c : corners) {
      bool free = true;
      for (const DifferenceRegion& d : chosen) free = free && !overlaps(d, c.x, c.y, size);
      if (free) free_corners.emplace_back(gw > 0 && gh > 0 ? maps[k].window(c.cx, c.cy, n) : 0.0, &c);
    }
    if (free_corners.empty()) break;  // no room left for a region that overlaps none
    std::stable_sort(free_corners.begin(), free_corners.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    // The best pick that leaves room for all the regions still wanted, else for as many of them as possible.
    const Corner* best = nullptr;
    for (int extra = options.count - r - 1; best == nullptr; --extra) {
      for (const auto& [score, c] : free_corners) {
        if (extra == 0 || room_for(*c, extra)) {
          best = c;
          break;
        }
      }
    }
    DifferenceRegion region;
    region.x = best->x;
    region.y = best->y;
    region.size = size;
    region.kind = kinds[k];
    const std::span<const int> members = kinds[k] == RegionKind::kDisagreement ? disagreement : error;
    double exact = 0;
    for (int y = region.y; y < region.y + size; ++y) {
      for (int x = region.x; x < region.x + size; ++x) exact += map_value(kinds[k], outputs, members, hr, x, y);
    }
    region.score = exact / (static_cast<double>(size) * size);
    if (kinds[k] == RegionKind::kDisagreement) {
      region.pair_mean_abs_diff = -1;
      for (std::size_t i = 0; i < disagreement.size(); ++i) {
        for (std::size_t j = i + 1; j < disagreement.size(); ++j) {
          const double d =
              window_mean_abs_diff(*outputs[disagreement[i]], *outputs[disagreement[j]], region.x, region.y, size);
          if (d > region.pair_mean_abs_diff) {
            region.pair_mean_abs_diff = d;
            region.a = std::min(disagreement[i], disagreement[j]);
            region.b = std::max(disagreement[i], disagreement[j]);
          }
        }
      }
    } else if (kinds[k] == RegionKind::kError) {
      region.pair_mean_abs_diff = -1;
      for (int i : error) {
        const double d = window_mean_abs_diff(*outputs[i], *hr, region.x, region.y, size);
        if (d > region.pair_mean_abs_diff) {
          region.pair_mean_abs_diff = d;
          region.a = i;
        }
      }
      region.b = -1;
    } else {
      region.a = 0;
      region.b = -1;
      region.pair_mean_abs_diff = region.score;
    }
    chosen.push_back(region);
  }
  return chosen;
}

}  // namespace litesr

// The direct Y'CbCr <-> R'G'B' conversions (video/frame_converter.h) against a per-pixel reference written
// here from the header's formulas: same float operations in the same order, so code values (encode) and
// floats (decode) must be equal exactly. Odd and tiny sizes, every planar subsampling (4:4:4, 4:2:2, 4:4:0,
// 4:2:0, 4:1:1, 4:1:0), 8, 10 and 16 bits, limited and full range, left / center / top-left siting, and both
// compiled copies of the row loops (RowKernels::kBest, kBaseline).
#include "video/frame_converter.h"

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/color.h"
#include "video_test_util.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace litesr::video_detail {
namespace {

struct Size {
  int w, h;
};
const Size kSizes[] = {{37, 23}, {1, 1}, {2, 3}, {5, 2}, {67, 9}};
// 16 bits too: its codes are fine enough that one rounding of a float operation more or less changes some.
const AVPixelFormat kFormats[] = {AV_PIX_FMT_YUV420P,     AV_PIX_FMT_YUV444P,     AV_PIX_FMT_YUV422P,
                                  AV_PIX_FMT_YUV440P,     AV_PIX_FMT_YUV411P,     AV_PIX_FMT_YUV410P,
                                  AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV420P16LE};
const AVChromaLocation kSitings[] = {AVCHROMA_LOC_LEFT, AVCHROMA_LOC_CENTER, AVCHROMA_LOC_TOPLEFT};
const RowKernels kKernels[] = {RowKernels::kBest, RowKernels::kBaseline};

struct Layout {
  int depth, sx, sy;  // bits; chroma subsampling factors
  double ox, oy;      // chroma site offsets in luma samples (0 on an axis that is not subsampled)
  int cw, ch;
};
Layout layout(AVPixelFormat fmt, AVChromaLocation loc, int w, int h) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
  Layout l{d->comp[0].depth, 1 << d->log2_chroma_w, 1 << d->log2_chroma_h, 0, 0, 0, 0};
  // The header's sites: left (0, 0.5), center (0.5, 0.5), top-left (0, 0).
  const double ox = loc == AVCHROMA_LOC_CENTER ? 0.5 : 0.0, oy = loc == AVCHROMA_LOC_TOPLEFT ? 0.0 : 0.5;
  l.ox = l.sx > 1 ? ox : 0.0;
  l.oy = l.sy > 1 ? oy : 0.0;
  l.cw = (w + l.sx - 1) / l.sx;
  l.ch = (h + l.sy - 1) / l.sy;
  return l;
}

struct Affine {
  float m[3][3], o[3];
};
Affine affine(const ColorTransform& t) {
  Affine a{};
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) a.m[r][c] = static_cast<float>(t.m[r][c]);
    a.o[r] = static_cast<float>(t.offset[r]);
  }
  return a;
}

// Decimation along one axis: output i = Σ_k w[k]·in[clamp(s·i + origin + k)]. Offset 0: triangle of half-width
// s, weights (s − |k − (s − 1)|)/s² ([1 2 1]/4 for s = 2); otherwise a box of s samples, 1/s each ([1 1]/2).
struct Filter {
  int origin = 0;
  std::vector<float> w{1.0f};
};
Filter filter(int s, double offset) {
  Filter f;
  if (s == 1) return f;
  f.w.clear();
  if (offset == 0.0) {
    f.origin = -(s - 1);
    for (int k = 0; k < 2 * s - 1; ++k) f.w.push_back(static_cast<float>(s - std::abs(k - (s - 1))) / (s * s));
  } else {
    f.w.assign(s, 1.0f / s);
  }
  return f;
}

// Bilinear tap at `pos` over n samples: (floor, floor + 1) clamped, weight of the second pos − floor.
struct Tap {
  int i0, i1;
  float f;
};
Tap tap(double pos, int n) {
  const double fl = std::floor(pos);
  return {std::clamp(static_cast<int>(fl), 0, n - 1), std::clamp(static_cast<int>(fl) + 1, 0, n - 1),
          static_cast<float>(pos - fl)};
}

using Planes = std::vector<std::vector<int>>;  // Y (w·h), Cb, Cr (cw·ch), row-major

// R'G'B' (w·h·3) -> code values, one output sample at a time.
Planes reference_encode(const std::vector<float>& rgb, int w, int h, const Layout& l, const FrameColor& color) {
  const Affine a = affine(rgb_to_ycbcr_transform({color.matrix, color.range, l.depth}));
  const float max_code = static_cast<float>((1 << l.depth) - 1);
  auto quantize = [&](float v) { return static_cast<int>(std::clamp(v, 0.0f, max_code) + 0.5f); };
  auto px = [&](int x, int y) { return &rgb[(static_cast<std::size_t>(y) * w + x) * 3]; };
  Planes out(3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const float* p = px(x, y);
      out[0].push_back(quantize(a.m[0][0] * p[0] + a.m[0][1] * p[1] + a.m[0][2] * p[2] + a.o[0]));
    }
  const Filter fx = filter(l.sx, l.ox), fy = filter(l.sy, l.oy);
  for (int c = 1; c <= 2; ++c)
    for (int j = 0; j < l.ch; ++j)
      for (int i = 0; i < l.cw; ++i) {
        float sum = 0;  // horizontal filter over vertically filtered columns, taps in order
        for (std::size_t kx = 0; kx < fx.w.size(); ++kx) {
          const int x = std::clamp(l.sx * i + fx.origin + static_cast<int>(kx), 0, w - 1);
          float column = 0;
          for (std::size_t ky = 0; ky < fy.w.size(); ++ky) {
            const int y = std::clamp(l.sy * j + fy.origin + static_cast<int>(ky), 0, h - 1);
            const float wy = fy.w[ky];
            const float* p = px(x, y);
            column += (wy * a.m[c][0]) * p[0] + (wy * a.m[c][1]) * p[1] + (wy * a.m[c][2]) * p[2];
          }
          sum += fx.w[kx] * column;
        }
        out[c].push_back(quantize(sum + a.o[c]));
      }
  return out;
}

// Code values -> R'G'B' (w·h·3): chroma blended vertically, then horizontally, then the matrix.
std::vector<float> reference_decode(const Planes& planes, int w, int h, const Layout& l, const FrameColor& color) {
  const Affine a = affine(ycbcr_to_rgb_transform({color.matrix, color.range, l.depth}));
  std::vector<float> rgb;
  for (int y = 0; y < h; ++y) {
    const Tap ty = tap((y - l.oy) / l.sy, l.ch);
    auto column = [&](const std::vector<int>& p, int i) {
      const int c0 = p[static_cast<std::size_t>(ty.i0) * l.cw + i], c1 = p[static_cast<std::size_t>(ty.i1) * l.cw + i];
      return c0 + ty.f * (static_cast<float>(c1) - c0);
    };
    for (int x = 0; x < w; ++x) {
      const Tap tx = tap((x - l.ox) / l.sx, l.cw);
      auto chroma = [&](const std::vector<int>& p) {
        const float v0 = column(p, tx.i0), v1 = column(p, tx.i1);
        return v0 + tx.f * (v1 - v0);
      };
      const float yy = static_cast<float>(planes[0][static_cast<std::size_t>(y) * w + x]);
      const float cb = chroma(planes[1]), cr = chroma(planes[2]);
      for (int c = 0; c < 3; ++c) rgb.push_back(a.m[c][0] * yy + a.m[c][1] * cb + a.m[c][2] * cr + a.o[c]);
    }
  }
  return rgb;
}

int sample(const AVFrame& f, int plane, int x, int y, bool wide) {
  const uint8_t* row = f.data[plane] + static_cast<std::ptrdiff_t>(y) * f.linesize[plane];
  return wide ? reinterpret_cast<const uint16_t*>(row)[x] : row[x];
}
void set_sample(AVFrame& f, int plane, int x, int y, bool wide, int v) {
  uint8_t* row = f.data[plane] + static_cast<std::ptrdiff_t>(y) * f.linesize[plane];
  if (wide) {
    reinterpret_cast<uint16_t*>(row)[x] = static_cast<uint16_t>(v);
  } else {
    row[x] = static_cast<uint8_t>(v);
  }
}

// Code values of `frame` that differ from `want` (the first three reported).
int mismatches(const AVFrame& frame, const Planes& want, Size s, const Layout& l) {
  int n = 0;
  for (int c = 0; c < 3; ++c) {
    const int pw = c == 0 ? s.w : l.cw, ph = c == 0 ? s.h : l.ch;
    for (int y = 0; y < ph; ++y)
      for (int x = 0; x < pw; ++x) {
        const int got = sample(frame, c, x, y, l.depth > 8), ref = want[c][static_cast<std::size_t>(y) * pw + x];
        if (got != ref && ++n <= 3)
          ADD_FAILURE() << "plane " << c << " (" << x << ", " << y << "): " << got << " != " << ref;
      }
  }
  return n;
}

std::string describe(AVPixelFormat fmt, Size s, AVChromaLocation loc, ColorRange range, RowKernels k) {
  return std::string(av_get_pix_fmt_name(fmt)) + " " + std::to_string(s.w) + "x" + std::to_string(s.h) + " " +
         av_chroma_location_name(loc) + " " + std::string(color_range_name(range)) +
         (k == RowKernels::kBest ? " best" : " baseline");
}

// Calls f(format, size, layout, colour, kernels) for every case of the per-pixel comparisons (formats x sizes x
// sitings x both ranges x both kernel copies), under a trace naming the case; full- and limited-range cases use
// the given matrices.
template <class F>
void for_each_case(ColorMatrix full_matrix, ColorMatrix limited_matrix, F&& f) {
  for (AVPixelFormat fmt : kFormats)
    for (Size s : kSizes)
      for (AVChromaLocation loc : kSitings)
        for (ColorRange range : {ColorRange::kLimited, ColorRange::kFull})
          for (RowKernels kernels : kKernels) {
            SCOPED_TRACE(describe(fmt, s, loc, range, kernels));
            const FrameColor color{range == ColorRange::kFull ? full_matrix : limited_matrix, range, loc};
            f(fmt, s, layout(fmt, loc, s.w, s.h), color, kernels);
          }
}

void expect_rgb_to_frame_equals_reference();

// On every Highway target the CPU runs (the row kernel, rgb_rows.h; the kBaseline copy runs the static target).
TEST(FrameConverter, RgbToFrameEqualsPerPixelReference) {
  for (const int64_t target : hwy::SupportedAndGeneratedTargets()) {
    SCOPED_TRACE(hwy::TargetName(target));
    hwy::SetSupportedTargetsForTest(target);
    expect_rgb_to_frame_equals_reference();
  }
  hwy::SetSupportedTargetsForTest(0);
}

void expect_rgb_to_frame_equals_reference() {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-0.1f, 1.1f);  // beyond [0, 1]: the clamps take part
  for_each_case(ColorMatrix::kBt601, ColorMatrix::kBt709,
                [&](AVPixelFormat fmt, Size s, const Layout& l, const FrameColor& color, RowKernels kernels) {
                  Image rgb = Image::create(s.w, s.h, 3, PixelType::kF32).value();
                  std::vector<float> flat;
                  for (int y = 0; y < s.h; ++y)
                    for (int x = 0; x < 3 * s.w; ++x) flat.push_back(rgb.view<float>().row(y)[x] = value(rng));
                  FramePtr frame = testing::allocated_frame(fmt, s.w, s.h);
                  RgbToFrame convert(kernels);
                  ASSERT_TRUE(convert.convert(std::as_const(rgb).view<float>(), color, *frame).ok());
                  EXPECT_EQ(mismatches(*frame, reference_encode(flat, s.w, s.h, l, color), s, l), 0);
                });
}

// On threads (chunks of at least 16 chroma rows, each writing its own rows): the same codes as the reference, for
// every subsampling and siting (the vertical triangle's first window of a chunk reads the row above it).
TEST(FrameConverter, RgbToFrameOnThreadsEqualsPerPixelReference) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> value(-0.1f, 1.1f);
  const Size s{23, 141};  // 4:1:0 / 4:4:0 / 4:2:0: 36 / 71 / 71 chroma rows; 4:4:4: 141
  Image rgb = Image::create(s.w, s.h, 3, PixelType::kF32).value();
  std::vector<float> flat;
  for (int y = 0; y < s.h; ++y)
    for (int x = 0; x < 3 * s.w; ++x) flat.push_back(rgb.view<float>().row(y)[x] = value(rng));
  for (AVPixelFormat fmt : kFormats)
    for (AVChromaLocation loc : kSitings)
      for (int threads : {2, 3, 8}) {
        SCOPED_TRACE(describe(fmt, s, loc, ColorRange::kLimited, RowKernels::kBest) + " " + std::to_string(threads) +
                     " threads");
        const FrameColor color{ColorMatrix::kBt709, ColorRange::kLimited, loc};
        const Layout l = layout(fmt, loc, s.w, s.h);
        FramePtr frame = testing::allocated_frame(fmt, s.w, s.h);
        RgbToFrame convert;
        ASSERT_TRUE(convert.convert(std::as_const(rgb).view<float>(), color, *frame, threads).ok());
        EXPECT_EQ(mismatches(*frame, reference_encode(flat, s.w, s.h, l, color), s, l), 0);
      }
}

// Row groups (RgbToFrame::convert_rows, for rows handed on as they are upscaled): where converts_row_groups()
// accepts a group size — vertical chroma filters inside each chroma row's own luma rows — the groups converted in
// reverse order, each from an image whose every other row is poison, give the reference's codes; vertically
// co-sited 4:2:0 (the [1 2 1] window reaches the row above) and groups that split a chroma row's rows are refused.
TEST(FrameConverter, RgbToFrameRowGroupsEqualPerPixelReference) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> value(-0.1f, 1.1f);
  const Size s{21, 37};  // odd height: the last group ends at the height
  std::vector<float> flat;
  for (int i = 0; i < 3 * s.w * s.h; ++i) flat.push_back(value(rng));
  int accepted = 0;
  for (AVPixelFormat fmt : kFormats)
    for (AVChromaLocation loc : kSitings)
      for (int group : {1, 2, 3, 4, 8}) {
        SCOPED_TRACE(describe(fmt, s, loc, ColorRange::kLimited, RowKernels::kBest) + " groups of " +
                     std::to_string(group));
        const FrameColor color{ColorMatrix::kBt709, ColorRange::kLimited, loc};
        const Layout l = layout(fmt, loc, s.w, s.h);
        const bool within = l.sy == 1 || l.oy != 0.0;  // the vertical filter stays inside a chroma row's rows
        const bool expected = within && group % l.sy == 0;
        ASSERT_EQ(RgbToFrame::converts_row_groups(fmt, color, group), expected);
        if (!expected) continue;
        ++accepted;
        FramePtr frame = testing::allocated_frame(fmt, s.w, s.h);
        const RgbToFrame convert;
        for (int y0 = (s.h - 1) / group * group; y0 >= 0; y0 -= group) {
          const int y1 = std::min(s.h, y0 + group);
          Image rgb = Image::create(s.w, s.h, 3, PixelType::kF32).value();
          for (int y = 0; y < s.h; ++y)
            for (int x = 0; x < 3 * s.w; ++x) {
              rgb.view<float>().row(y)[x] =
                  y >= y0 && y < y1 ? flat[(static_cast<std::size_t>(y) * s.w) * 3 + x] : 1e6f;
            }
          convert.convert_rows(std::as_const(rgb).view<float>(), color, *frame, y0, y1);
        }
        EXPECT_EQ(mismatches(*frame, reference_encode(flat, s.w, s.h, l, color), s, l), 0);
      }
  EXPECT_GT(accepted, 40);
}

TEST(FrameConverter, FrameToRgbEqualsPerPixelReference) {
  std::mt19937 rng(11);
  for_each_case(
      ColorMatrix::kBt2020, ColorMatrix::kBt601,
      [&](AVPixelFormat fmt, Size s, const Layout& l, const FrameColor& color, RowKernels kernels) {
        std::uniform_int_distribution<int> code(0, (1 << l.depth) - 1);
        FramePtr frame = testing::allocated_frame(fmt, s.w, s.h);
        Planes planes(3);
        for (int c = 0; c < 3; ++c) {
          const int pw = c == 0 ? s.w : l.cw, ph = c == 0 ? s.h : l.ch;
          for (int y = 0; y < ph; ++y)
            for (int x = 0; x < pw; ++x) {
              planes[c].push_back(code(rng));
              set_sample(*frame, c, x, y, l.depth > 8, planes[c].back());
            }
        }
        Image rgb = Image::create(s.w, s.h, 3, PixelType::kF32).value();
        FrameToRgb convert(kernels);
        ASSERT_TRUE(convert.convert(*frame, color, rgb.view<float>()).ok());
        const std::vector<float> want = reference_decode(planes, s.w, s.h, l, color);
        int mismatches = 0;
        for (int y = 0; y < s.h; ++y)
          for (int x = 0; x < 3 * s.w; ++x) {
            const float got = rgb.view<float>().row(y)[x], ref = want[static_cast<std::size_t>(y) * 3 * s.w + x];
            if (got != ref && ++mismatches <= 3)
              ADD_FAILURE() << "(" << x / 3 << ", " << y << ") channel " << x % 3 << ": " << got << " != " << ref;
          }
        EXPECT_EQ(mismatches, 0);
      });
}

// A frame converted twice with one converter (the scratch rows are reused) gives the same planes, also after a
// frame of another size and format.
TEST(FrameConverter, ReusedConverterGivesTheSameCodes) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> value(0.0f, 1.0f);
  Image rgb = Image::create(37, 23, 3, PixelType::kF32).value();
  for (int y = 0; y < 23; ++y)
    for (int x = 0; x < 3 * 37; ++x) rgb.view<float>().row(y)[x] = value(rng);
  Image other = Image::create(64, 8, 3, PixelType::kF32).value();
  const FrameColor color;
  RgbToFrame convert;
  FramePtr a = testing::allocated_frame(AV_PIX_FMT_YUV420P, 37, 23), b = testing::allocated_frame(AV_PIX_FMT_YUV420P, 37, 23);
  FramePtr c = testing::allocated_frame(AV_PIX_FMT_YUV444P10LE, 64, 8);
  ASSERT_TRUE(convert.convert(std::as_const(rgb).view<float>(), color, *a).ok());
  ASSERT_TRUE(convert.convert(std::as_const(other).view<float>(), color, *c).ok());
  ASSERT_TRUE(convert.convert(std::as_const(rgb).view<float>(), color, *b).ok());
  for (int p = 0; p < 3; ++p) {
    const int pw = p == 0 ? 37 : 19, ph = p == 0 ? 23 : 12;
    for (int y = 0; y < ph; ++y)
      for (int x = 0; x < pw; ++x) ASSERT_EQ(sample(*a, p, x, y, false), sample(*b, p, x, y, false)) << p << " " << x << " " << y;
  }
}

}  // namespace
}  // namespace litesr::video_detail

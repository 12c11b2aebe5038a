// Colour acceptance: a Y'CbCr clip (BT.709 / BT.601 / BT.2020, limited / full, 8 / 10 bit) upscaled with
// bicubic through the pipeline matches an independent double-precision path within 45 dB, with no
// shift of the mean colour. The reference decodes the source with the ffmpeg CLI to raw planes and
// does everything itself with its own constants (Kr, Kb written out below, not base/color.h):
// bilinear chroma upsampling at the MPEG-2 sites, Y'CbCr -> R'G'B', bicubic (a = −0.5, replicate
// borders), R'G'B' -> Y'CbCr, chroma [1 2 1]/4 horizontally and [1 1]/2 vertically, rounding.
// A second, fully external check: the mean R'G'B' of input and output as decoded by FFmpeg's own
// scaler with the tagged matrix agree (a wrong matrix or range shifts it).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "testing/test_env.h"
#include "video/frame_pipeline.h"
#include "video_test_util.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using testing::quote;
using testing::run_command;

struct ColourCase {
  const char* name;
  const char* ffmpeg_matrix;  // -colorspace / scale matrix name
  double kr, kb;
  bool full_range;
  int bits;
};

// Separable Keys bicubic (a = −0.5) with clamped borders, ×s, pixel centres aligned. T = float or double.
template <typename T>
void bicubic(const T* in, int w, int h, T* out, int s) {
  auto kernel = [](double x) {
    const double a = -0.5;
    x = std::fabs(x);
    if (x <= 1) return (a + 2) * x * x * x - (a + 3) * x * x + 1;
    if (x < 2) return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a;
    return 0.0;
  };
  const int W = w * s, H = h * s;
  std::vector<T> tmp(static_cast<std::size_t>(W) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int X = 0; X < W; ++X) {
      const double u = (X + 0.5) / s - 0.5;
      const int i0 = static_cast<int>(std::floor(u)) - 1;
      for (int c = 0; c < 3; ++c) {
        double acc = 0;
        for (int k = 0; k < 4; ++k) {
          const int i = std::clamp(i0 + k, 0, w - 1);
          acc += kernel(u - (i0 + k)) * in[(static_cast<std::size_t>(y) * w + i) * 3 + c];
        }
        tmp[(static_cast<std::size_t>(y) * W + X) * 3 + c] = static_cast<T>(acc);
      }
    }
  for (int Y = 0; Y < H; ++Y) {
    const double v = (Y + 0.5) / s - 0.5;
    const int j0 = static_cast<int>(std::floor(v)) - 1;
    for (int X = 0; X < W; ++X)
      for (int c = 0; c < 3; ++c) {
        double acc = 0;
        for (int k = 0; k < 4; ++k) {
          const int j = std::clamp(j0 + k, 0, h - 1);
          acc += kernel(v - (j0 + k)) * tmp[(static_cast<std::size_t>(j) * W + X) * 3 + c];
        }
        out[(static_cast<std::size_t>(Y) * W + X) * 3 + c] = static_cast<T>(acc);
      }
  }
}

// Raw planar 4:2:0 frame: code values as doubles.
struct Planes {
  int w = 0, h = 0;
  std::vector<double> y, cb, cr;  // w*h, (w/2)*(h/2) each
};

Planes read_raw_420(const std::string& bytes, std::size_t frame, int w, int h, int bits) {
  Planes p{w, h, {}, {}, {}};
  const int bps = bits > 8 ? 2 : 1;
  const std::size_t luma = static_cast<std::size_t>(w) * h, chroma = luma / 4;
  std::size_t off = frame * (luma + 2 * chroma) * bps;
  auto read = [&](std::vector<double>& v, std::size_t n) {
    v.resize(n);
    for (std::size_t i = 0; i < n; ++i, off += bps)
      v[i] = bps == 2 ? static_cast<uint8_t>(bytes[off]) | (static_cast<uint8_t>(bytes[off + 1]) << 8)
                      : static_cast<uint8_t>(bytes[off]);
  };
  read(p.y, luma);
  read(p.cb, chroma);
  read(p.cr, chroma);
  return p;
}

struct Coding {  // code value = scale · E' + offset
  double ys, yo, cs, co, max;
};
Coding coding(const ColourCase& c) {
  const double m = std::ldexp(1.0, c.bits - 8), n = std::ldexp(1.0, c.bits) - 1;
  if (c.full_range) return {n, 0, n, std::ldexp(1.0, c.bits - 1), n};
  return {219 * m, 16 * m, 224 * m, 128 * m, n};
}

// The reference path described at the top of the file.
Planes reference_upscale(const Planes& src, const ColourCase& c, int s) {
  const Coding k = coding(c);
  const double kg = 1 - c.kr - c.kb;
  const int w = src.w, h = src.h, cw = w / 2, ch = h / 2;
  std::vector<double> rgb(static_cast<std::size_t>(w) * h * 3);
  auto chroma_at = [&](const std::vector<double>& p, int x, int y) {
    const double u = x / 2.0, v = (y - 0.5) / 2.0;  // left siting: sites at (2i, 2j + 0.5)
    const int i0 = static_cast<int>(std::floor(u)), j0 = static_cast<int>(std::floor(v));
    const double fu = u - i0, fv = v - j0;
    auto at = [&](int i, int j) { return p[static_cast<std::size_t>(std::clamp(j, 0, ch - 1)) * cw + std::clamp(i, 0, cw - 1)]; };
    return (1 - fv) * ((1 - fu) * at(i0, j0) + fu * at(i0 + 1, j0)) + fv * ((1 - fu) * at(i0, j0 + 1) + fu * at(i0 + 1, j0 + 1));
  };
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double ey = (src.y[static_cast<std::size_t>(y) * w + x] - k.yo) / k.ys;
      const double pb = (chroma_at(src.cb, x, y) - k.co) / k.cs, pr = (chroma_at(src.cr, x, y) - k.co) / k.cs;
      const double r = ey + 2 * (1 - c.kr) * pr, b = ey + 2 * (1 - c.kb) * pb;
      const double g = (ey - c.kr * r - c.kb * b) / kg;
      double* o = &rgb[(static_cast<std::size_t>(y) * w + x) * 3];
      o[0] = r, o[1] = g, o[2] = b;
    }
  const int W = w * s, H = h * s;
  std::vector<double> up(static_cast<std::size_t>(W) * H * 3);
  bicubic(rgb.data(), w, h, up.data(), s);
  Planes out{W, H, std::vector<double>(static_cast<std::size_t>(W) * H), {}, {}};
  std::vector<double> cbf(out.y.size()), crf(out.y.size());
  auto q = [&](double v) { return std::round(std::clamp(v, 0.0, k.max)); };
  for (std::size_t i = 0; i < out.y.size(); ++i) {
    const double r = up[3 * i], g = up[3 * i + 1], b = up[3 * i + 2];
    const double ey = c.kr * r + kg * g + c.kb * b;
    out.y[i] = q(k.ys * ey + k.yo);
    cbf[i] = k.cs * (b - ey) / (2 * (1 - c.kb)) + k.co;
    crf[i] = k.cs * (r - ey) / (2 * (1 - c.kr)) + k.co;
  }
  const int CW = W / 2, CH = H / 2;
  for (const auto* pair : {&cbf, &crf}) {
    std::vector<double>& dst = pair == &cbf ? out.cb : out.cr;
    dst.resize(static_cast<std::size_t>(CW) * CH);
    auto at = [&](int x, int y) { return (*pair)[static_cast<std::size_t>(y) * W + std::clamp(x, 0, W - 1)]; };
    for (int j = 0; j < CH; ++j)
      for (int i = 0; i < CW; ++i) {
        double acc = 0;
        for (int y : {2 * j, 2 * j + 1}) acc += 0.5 * (0.25 * at(2 * i - 1, y) + 0.5 * at(2 * i, y) + 0.25 * at(2 * i + 1, y));
        dst[static_cast<std::size_t>(j) * CW + i] = q(acc);
      }
  }
  return out;
}

double psnr(const std::vector<double>& a, const std::vector<double>& b, double peak) {
  double se = 0;
  for (std::size_t i = 0; i < a.size(); ++i) se += (a[i] - b[i]) * (a[i] - b[i]);
  const double mse = se / a.size();
  return mse == 0 ? 200.0 : 10 * std::log10(peak * peak / mse);
}
double mean(const std::vector<double>& a) {
  double s = 0;
  for (double v : a) s += v;
  return s / a.size();
}

// Mean R', G', B' (0..1) over a file, decoded and converted by FFmpeg with explicit matrix/range.
std::array<double, 3> ffmpeg_mean_rgb(const fs::path& file, const ColourCase& c) {
  const std::string range = c.full_range ? "pc" : "tv";
  const auto r = run_command("ffmpeg -v error -i " + quote(file) + " -vf 'scale=in_color_matrix=" + c.ffmpeg_matrix +
                             ":in_range=" + range + ":flags=bicubic+accurate_rnd+full_chroma_int,format=rgb48le' "
                             "-f rawvideo - 2>/dev/null");
  std::array<double, 3> m{0, 0, 0};
  const std::size_t n = r.output.size() / 6;
  for (std::size_t i = 0; i < n; ++i)
    for (int ch = 0; ch < 3; ++ch) {
      const std::size_t o = i * 6 + ch * 2;
      m[ch] += (static_cast<uint8_t>(r.output[o]) | (static_cast<uint8_t>(r.output[o + 1]) << 8)) / 65535.0;
    }
  for (double& v : m) v /= std::max<std::size_t>(n, 1);
  return m;
}

class ColourRoundTrip : public ::testing::TestWithParam<ColourCase> {};

TEST_P(ColourRoundTrip, BicubicMatchesDoublePrecisionReference) {
  const ColourCase c = GetParam();
  testing::TempDir dir;
  const int w = 96, h = 64, s = 2, frames = 3;
  const std::string pix = c.bits > 8 ? "yuv420p10le" : "yuv420p";
  const std::string range = c.full_range ? "pc" : "tv";
  const fs::path src = dir / "src.mkv";
  // A soft test pattern (blurred so bicubic over/undershoot stays mostly inside the gamut).
  ASSERT_EQ(run_command("ffmpeg -v error -f lavfi -i testsrc2=size=96x64:rate=10 -frames:v 3 -vf 'gblur=sigma=1.5,"
                        "scale=out_color_matrix=" + std::string(c.ffmpeg_matrix) + ":out_range=" + range +
                        ",format=" + pix + "' -c:v ffv1 -colorspace " + c.ffmpeg_matrix + " -color_range " + range +
                        " -color_primaries bt709 -color_trc bt709 " + quote(src)).exit_code, 0);
  Upscaler u;
  u.scale = s;
  u.frame = [&](ImageView<const float> lr, ImageView<float> sr) {
    std::vector<float> in(static_cast<std::size_t>(lr.width) * lr.height * 3), out(static_cast<std::size_t>(sr.width) * sr.height * 3);
    for (int y = 0; y < lr.height; ++y) std::memcpy(&in[static_cast<std::size_t>(y) * lr.width * 3], lr.row(y), lr.width * 3 * sizeof(float));
    bicubic(in.data(), lr.width, lr.height, out.data(), s);
    for (int y = 0; y < sr.height; ++y) std::memcpy(sr.row(y), &out[static_cast<std::size_t>(y) * sr.width * 3], sr.width * 3 * sizeof(float));
    return Status();
  };
  VideoJobOptions o = testing::ffv1_job(src, dir / "out.mkv");
  Result<VideoJobStats> st = run_video_job(o, u);
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  // Bit depth, matrix and range are kept and tagged.
  EXPECT_EQ(testing::probe_value(dir / "out.mkv", "stream=pix_fmt,color_space,color_range"),
            pix + "\n" + range + "\n" + c.ffmpeg_matrix);  // ffprobe's order

  const auto raw_in = run_command("ffmpeg -v error -i " + quote(src) + " -f rawvideo - 2>/dev/null").output;
  const auto raw_out = run_command("ffmpeg -v error -i " + quote(dir / "out.mkv") + " -f rawvideo - 2>/dev/null").output;
  const double peak = std::ldexp(1.0, c.bits) - 1;
  for (int f = 0; f < frames; ++f) {
    const Planes ref = reference_upscale(read_raw_420(raw_in, f, w, h, c.bits), c, s);
    const Planes got = read_raw_420(raw_out, f, w * s, h * s, c.bits);
    EXPECT_GE(psnr(ref.y, got.y, peak), 45.0) << c.name << " frame " << f;
    EXPECT_GE(psnr(ref.cb, got.cb, peak), 45.0) << c.name << " frame " << f;
    EXPECT_GE(psnr(ref.cr, got.cr, peak), 45.0) << c.name << " frame " << f;
    const double unit = std::ldexp(1.0, c.bits - 8);  // one 8-bit code value
    EXPECT_NEAR(mean(ref.y), mean(got.y), 0.1 * unit) << c.name;
    EXPECT_NEAR(mean(ref.cb), mean(got.cb), 0.1 * unit) << c.name;
    EXPECT_NEAR(mean(ref.cr), mean(got.cr), 0.1 * unit) << c.name;
  }
  const auto m_in = ffmpeg_mean_rgb(src, c), m_out = ffmpeg_mean_rgb(dir / "out.mkv", c);
  for (int ch = 0; ch < 3; ++ch) EXPECT_NEAR(m_in[ch], m_out[ch], 0.003) << c.name << " channel " << ch;
}

INSTANTIATE_TEST_SUITE_P(
    Matrices, ColourRoundTrip,
    ::testing::Values(ColourCase{"bt709_limited_10bit", "bt709", 0.2126, 0.0722, false, 10},
                      ColourCase{"bt601_limited_8bit", "smpte170m", 0.299, 0.114, false, 8},
                      ColourCase{"bt601_limited_10bit", "smpte170m", 0.299, 0.114, false, 10},
                      ColourCase{"bt601_full_8bit", "smpte170m", 0.299, 0.114, true, 8},
                      ColourCase{"bt2020_limited_10bit", "bt2020nc", 0.2627, 0.0593, false, 10}),
    [](const ::testing::TestParamInfo<ColourCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace litesr

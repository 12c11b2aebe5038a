// PixelShuffle stores and RGB deinterleave (kernel_pixel_shuffle.h) against their references, for every
// ISA: PyTorch's PixelShuffle order, exact u8 rounding at .5 boundaries, clamping, NaN, the skip add.
#include "runtime/kernel_pixel_shuffle.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "base/image_ops.h"
#include "runtime/kernel_dispatch.h"
#include "testing/isa_loop.h"

namespace litesr {
namespace {

using litesr::testing::IsaLoop;

const std::vector<int> kWidths = {1, 2, 3, 7, 15, 16, 17, 33, 1000, 1283};

// Values that exercise quantisation: random in [-0.2, 1.2], exact k/255 and (k + 0.5)/255 boundaries,
// and the specials.
std::vector<float> tricky_values(size_t n, std::mt19937& rng) {
  std::vector<float> special = {-1.0f, -0.0f, 0.0f, 1.0f, 1.5f, 1e30f, -1e30f,
                                std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                                -std::numeric_limits<float>::infinity(), 1.0f / 255.0f, 254.5f / 255.0f};
  std::uniform_real_distribution<float> u(-0.2f, 1.2f);
  std::uniform_int_distribution<int> k(0, 255), pick(0, 3);
  std::vector<float> v(n);
  for (float& x : v) {
    switch (pick(rng)) {
      case 0: x = u(rng); break;
      case 1: x = (static_cast<float>(k(rng)) + 0.5f) / 255.0f; break;
      case 2: x = static_cast<float>(k(rng)) / 255.0f; break;
      default: x = special[static_cast<size_t>(k(rng)) % special.size()]; break;
    }
  }
  return v;
}

struct Planes {
  Planes(int count, size_t len, std::mt19937& rng) {
    for (int i = 0; i < count; ++i) data.push_back(tricky_values(len, rng));
    for (auto& d : data) ptrs.push_back(d.data());
  }
  std::vector<std::vector<float>> data;
  std::vector<const float*> ptrs;
};

void check_shuffle(int width, int s, bool with_skip, uint32_t seed) {
  SCOPED_TRACE("width " + std::to_string(width) + " scale " + std::to_string(s) + " skip " + std::to_string(with_skip));
  std::mt19937 rng(seed);
  Planes rows(3 * s * s, static_cast<size_t>(width), rng);
  Planes skip(3 * s, static_cast<size_t>(width) * s, rng);
  for (auto& d : skip.data) {
    for (float& v : d) v = std::isfinite(v) ? v * 0.25f : v;
  }
  const float* const* skip_p = with_skip ? skip.ptrs.data() : nullptr;
  const size_t hr_len = static_cast<size_t>(width) * s * 3;
  std::vector<std::vector<uint8_t>> got(s, std::vector<uint8_t>(hr_len + 8, 77)), want(s, std::vector<uint8_t>(hr_len));
  std::vector<std::vector<float>> gotf(s, std::vector<float>(hr_len + 8, -7.0f)), wantf(s, std::vector<float>(hr_len));
  std::vector<uint8_t*> got_p, want_p;
  std::vector<float*> gotf_p, wantf_p;
  for (int i = 0; i < s; ++i) {
    got_p.push_back(got[i].data());
    want_p.push_back(want[i].data());
    gotf_p.push_back(gotf[i].data());
    wantf_p.push_back(wantf[i].data());
  }
  pixel_shuffle_store_u8_rows(rows.ptrs.data(), width, s, skip_p, got_p.data());
  pixel_shuffle_store_u8_rows_ref(rows.ptrs.data(), width, s, skip_p, want_p.data());
  pixel_shuffle_store_f32_rows(rows.ptrs.data(), width, s, skip_p, gotf_p.data());
  pixel_shuffle_store_f32_rows_ref(rows.ptrs.data(), width, s, skip_p, wantf_p.data());
  for (int i = 0; i < s; ++i) {
    for (size_t k = 0; k < hr_len; ++k) {
      ASSERT_EQ(got[i][k], want[i][k]) << "row " << i << " index " << k;
      const float a = gotf[i][k], b = wantf[i][k];
      ASSERT_EQ(a, b) << "f32 row " << i << " index " << k;
      ASSERT_TRUE(a >= 0.0f && a <= 1.0f) << "f32 store clamps to [0, 1], NaN to 0: " << a;
    }
    for (size_t k = hr_len; k < hr_len + 8; ++k) {
      ASSERT_EQ(got[i][k], 77) << "u8 wrote past the row";
      ASSERT_EQ(gotf[i][k], -7.0f) << "f32 wrote past the row";
    }
  }
}

TEST(KernelPixelShuffle, MatchesReferenceAllScalesWidthsIsas) {
  IsaLoop isas;
  isas.run([&] {
    uint32_t seed = 1;
    for (int s : {1, 2, 3, 4, 5}) {
      for (int width : kWidths) {
        check_shuffle(width, s, false, seed++);
        check_shuffle(width, s, true, seed++);
      }
    }
  });
}

// The reference itself: PyTorch order out[c, h*s+i, w*s+j] = in[c*s*s + i*s + j, h, w], and quantize_unit.
TEST(KernelPixelShuffle, ReferenceOrderAndRounding) {
  const int s = 2, width = 2;
  std::vector<std::vector<float>> rows(12, std::vector<float>(width));
  for (int ch = 0; ch < 12; ++ch) {
    for (int x = 0; x < width; ++x) rows[ch][x] = static_cast<float>(ch * 10 + x) / 255.0f;
  }
  std::vector<const float*> rp;
  for (auto& r : rows) rp.push_back(r.data());
  std::vector<std::vector<uint8_t>> out(s, std::vector<uint8_t>(width * s * 3));
  std::vector<uint8_t*> op = {out[0].data(), out[1].data()};
  IsaLoop isas;
  isas.run([&] {
    pixel_shuffle_store_u8_rows(rp.data(), width, s, nullptr, op.data());
    for (int i = 0; i < s; ++i) {
      for (int x = 0; x < width; ++x) {
        for (int j = 0; j < s; ++j) {
          for (int c = 0; c < 3; ++c) {
            EXPECT_EQ(out[i][(x * s + j) * 3 + c], (c * s * s + i * s + j) * 10 + x);
          }
        }
      }
    }
  });
}

TEST(KernelPixelShuffle, RoundsHalfUpAtExactBoundariesAndClamps) {
  // For every code k find a float v with v * 255 == k + 0.5 exactly (in float): must store k + 1.
  std::vector<float> values, expected;
  for (int k = 0; k < 255; ++k) {
    float v = (static_cast<float>(k) + 0.5f) / 255.0f;
    for (int step = 0; step < 64 && v * 255.0f != static_cast<float>(k) + 0.5f; ++step) {
      v = std::nextafter(v, v * 255.0f < static_cast<float>(k) + 0.5f ? 2.0f : -2.0f);
    }
    if (v * 255.0f != static_cast<float>(k) + 0.5f) continue;
    values.push_back(v);
    expected.push_back(static_cast<float>(k + 1));
  }
  ASSERT_GT(values.size(), 200u);
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (auto [v, e] : std::vector<std::pair<float, float>>{
           {-1.0f, 0}, {-0.0f, 0}, {0.0f, 0}, {1.0f, 255}, {1.5f, 255}, {nan, 0}, {inf, 255}, {-inf, 0},
           {0.2f / 255.0f, 0}, {0.49f / 255.0f, 0}, {254.49f / 255.0f, 254}}) {
    values.push_back(v);
    expected.push_back(e);
  }
  const int width = static_cast<int>(values.size());
  IsaLoop isas;
  isas.run([&] {
    std::vector<const float*> rows = {values.data(), values.data(), values.data()};
    std::vector<uint8_t> out(static_cast<size_t>(width) * 3);
    uint8_t* op = out.data();
    pixel_shuffle_store_u8_rows(rows.data(), width, 1, nullptr, &op);
    for (int x = 0; x < width; ++x) {
      ASSERT_EQ(out[x * 3 + 1], static_cast<int>(expected[x])) << "v = " << values[x];
      ASSERT_EQ(out[x * 3 + 1], quantize_unit(values[x], 255));
    }
  });
}

TEST(KernelDeinterleave, MatchesReferenceAllWidthsIsas) {
  IsaLoop isas;
  isas.run([&] {
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int width : kWidths) {
      SCOPED_TRACE("width " + std::to_string(width));
      std::vector<uint8_t> rgb(static_cast<size_t>(width) * 3);
      for (auto& b : rgb) b = static_cast<uint8_t>(byte(rng));
      rgb[0] = 255;
      std::vector<float> rgbf(rgb.size());
      for (size_t k = 0; k < rgb.size(); ++k) rgbf[k] = static_cast<float>(rgb[k]) * 0.37f - 3.0f;
      std::vector<std::vector<float>> got(3, std::vector<float>(width + 4, -9.0f)), want(3, std::vector<float>(width));
      std::vector<float*> gp = {got[0].data(), got[1].data(), got[2].data()};
      std::vector<float*> wp = {want[0].data(), want[1].data(), want[2].data()};
      deinterleave_rgb_u8_to_planar_f32(rgb.data(), width, gp.data());
      deinterleave_rgb_u8_to_planar_f32_ref(rgb.data(), width, wp.data());
      for (int c = 0; c < 3; ++c) {
        for (int x = 0; x < width; ++x) ASSERT_EQ(got[c][x], want[c][x]) << c << " " << x;
        ASSERT_EQ(got[c][width], -9.0f);
      }
      EXPECT_EQ(got[0][0], 1.0f);
      deinterleave_rgb_f32_to_planar_f32(rgbf.data(), width, gp.data());
      deinterleave_rgb_f32_to_planar_f32_ref(rgbf.data(), width, wp.data());
      for (int c = 0; c < 3; ++c) {
        for (int x = 0; x < width; ++x) ASSERT_EQ(got[c][x], want[c][x]) << c << " " << x;
        ASSERT_EQ(got[c][width], -9.0f);
      }
    }
  });
}

// The planar interleave (a pixel shuffle's output rows at intermediate resolutions) equals the reference for
// every r, width and ISA, and writes nothing past width·r.
TEST(KernelInterleaveRows, MatchesReferenceAllFactorsWidthsIsas) {
  IsaLoop isas;
  isas.run([&] {
    std::mt19937 rng(6);
    std::uniform_real_distribution<float> u(-2.0f, 2.0f);
    for (int r = 1; r <= 5; ++r) {
      for (int width : kWidths) {
        SCOPED_TRACE("r " + std::to_string(r) + ", width " + std::to_string(width));
        std::vector<std::vector<float>> in(r, std::vector<float>(width));
        std::vector<const float*> ptrs;
        for (auto& row : in) {
          for (float& v : row) v = u(rng);
          ptrs.push_back(row.data());
        }
        std::vector<float> got(static_cast<size_t>(width) * r + 4, -9.0f), want(static_cast<size_t>(width) * r);
        interleave_rows_f32(ptrs.data(), width, r, got.data());
        interleave_rows_f32_ref(ptrs.data(), width, r, want.data());
        for (size_t k = 0; k < want.size(); ++k) ASSERT_EQ(got[k], want[k]) << k;
        ASSERT_EQ(got[want.size()], -9.0f);
        if (width > 0) {
          ASSERT_EQ(want[static_cast<size_t>(r) - 1], in[r - 1][0]);
        }
      }
    }
  });
}

}  // namespace
}  // namespace litesr

// quant/reference_ops.h reductions and rearrangements: global mean (TFLite MEAN), pixel shuffle, concat.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "quant/reference_ops.h"
#include "quant_test_util.h"

namespace litesr {
namespace {

using quant_test::ErrorStats;
using quant_test::lsb_error;
using quant_test::random_map;
using quant_test::real_of;

QuantizedMap plane_of(int h, int w, std::vector<int8_t> values, QuantParams p) {
  QuantizedMap m = QuantizedMap::zeros(1, h, w, p);
  m.data = std::move(values);
  return m;
}

TEST(Int8GlobalMean, GoldenRoundingOfTheIntegerDivision) {
  const QuantParams unit{1.0f, 0};
  // Σ = 11 over n = 4: (11 + 2) / 4 = 3 (2.75 → 3); negative: (−11 − 2) / 4 = −3.
  EXPECT_EQ(global_mean_int8(plane_of(2, 2, {1, 2, 3, 5}, unit), unit)->data, (std::vector<int8_t>{3}));
  EXPECT_EQ(global_mean_int8(plane_of(2, 2, {-1, -2, -3, -5}, unit), unit)->data, (std::vector<int8_t>{-3}));
  // Ties round away from zero: 1.5 → 2, −1.5 → −2.
  EXPECT_EQ(global_mean_int8(plane_of(1, 2, {1, 2}, unit), unit)->data, (std::vector<int8_t>{2}));
  EXPECT_EQ(global_mean_int8(plane_of(1, 2, {-1, -2}, unit), unit)->data, (std::vector<int8_t>{-2}));
  // Zero points on both sides: input zp 10, output zp −5, scale 0.5 → 0.25: mean real 0.5 · (12 − 10) = 1 → 4 − 5.
  EXPECT_EQ(global_mean_int8(plane_of(1, 3, {11, 12, 13}, {0.5f, 10}), {0.25f, -5})->data, (std::vector<int8_t>{-1}));
}

TEST(Int8GlobalMean, RandomPlanesWithinOneLsb) {
  std::mt19937 rng(31);
  const int sizes[][2] = {{16, 16}, {7, 9}, {1, 1}, {45, 80}, {3, 200}};
  for (const auto& size : sizes) {
    for (int set = 0; set < 4; ++set) {
      const QuantParams in = quant_test::random_params(rng, 0.005f, 0.2f, -100, 100);
      // Squeeze-excite pooling: outputs in a narrower range than the input (M > 1: a left shift) or wider.
      const QuantParams out = quant_test::random_params(rng, 0.25f * in.scale, 2.0f * in.scale, -50, 50);
      QuantizedMap x = random_map(8, size[0], size[1], in, rng);
      const Result<QuantizedMap> y = global_mean_int8(x, out);
      ASSERT_TRUE(y.ok()) << y.status().to_string();
      ASSERT_EQ(y->height, 1);
      ASSERT_EQ(y->width, 1);
      ErrorStats stats;
      for (int c = 0; c < x.channels; ++c) {
        double sum = 0.0;
        for (std::size_t i = 0; i < x.plane_size(); ++i) sum += real_of(x.plane(c)[i], in);
        stats.add(lsb_error(y->data[c], sum / x.plane_size(), out));
      }
      EXPECT_LE(stats.max_abs, 1.0) << size[0] << "x" << size[1];
    }
  }
}

TEST(Int8GlobalMean, RefusesPlanesWhoseSumCouldOverflow) {
  // max|q − zp| · n · 2^shift must stay below 2^31: 128 · 1.13 M pixels · 2^5 (M = 16) does not; M = 1/2 fits.
  const QuantizedMap big = QuantizedMap::zeros(1, 1024, 1100, {1.0f, 0});
  EXPECT_EQ(global_mean_int8(big, {0.0625f, 0}).status().code(), StatusCode::kUnsupported);
  EXPECT_TRUE(global_mean_int8(big, {2.0f, 0}).ok());
}

TEST(Int8PixelShuffle, RearrangesAndKeepsParams) {
  QuantizedMap x = QuantizedMap::zeros(4, 1, 1, {0.3f, 7});
  x.data = {1, 2, 3, 4};
  const Result<QuantizedMap> y = pixel_shuffle_int8(x, 2);
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(y->channels, 1);
  EXPECT_EQ(y->height, 2);
  EXPECT_EQ(y->width, 2);
  EXPECT_EQ(y->params, x.params);
  EXPECT_EQ(y->data, (std::vector<int8_t>{1, 2, 3, 4}));  // out[0, i, j] = in[i·2 + j]
  // 3 channels x3 on a 2x3 map: out[c, h·3 + i, w·3 + j] = in[c·9 + i·3 + j, h, w].
  std::mt19937 rng(32);
  const QuantizedMap z = random_map(27, 2, 3, {0.1f, 0}, rng);
  const QuantizedMap s = pixel_shuffle_int8(z, 3).value();
  ASSERT_EQ(s.channels, 3);
  for (int c = 0; c < 3; ++c)
    for (int h = 0; h < 2; ++h)
      for (int w = 0; w < 3; ++w)
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) ASSERT_EQ(s.at(c, h * 3 + i, w * 3 + j), z.at(c * 9 + i * 3 + j, h, w));
  EXPECT_EQ(pixel_shuffle_int8(x, 3).status().code(), StatusCode::kInvalidArgument);  // 4 channels, r² = 9
}

TEST(Int8Concat, CopiesMatchingInputsAndRequantizesTheOthers) {
  QuantizedMap a = QuantizedMap::zeros(1, 1, 2, {0.25f, 0});
  a.data = {1, 2};
  QuantizedMap b = QuantizedMap::zeros(1, 1, 2, {0.5f, 0});
  b.data = {3, -4};
  const Result<QuantizedMap> y = concat_int8({&a, &b}, {0.25f, 0});
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(y->channels, 2);
  EXPECT_EQ(y->data, (std::vector<int8_t>{1, 2, 6, -8}));
  // Random: inputs with the output's params are bit-identical, the others within one LSB.
  std::mt19937 rng(33);
  const QuantParams out{0.05f, 3};
  const QuantizedMap same = random_map(3, 4, 5, out, rng);
  const QuantizedMap other = random_map(2, 4, 5, {0.02f, -40}, rng);
  const QuantizedMap z = concat_int8({&same, &other, &same}, out).value();
  ASSERT_EQ(z.channels, 8);
  for (std::size_t i = 0; i < same.size(); ++i) {
    ASSERT_EQ(z.data[i], same.data[i]);
    ASSERT_EQ(z.data[same.size() + other.size() + i], same.data[i]);
  }
  for (std::size_t i = 0; i < other.size(); ++i) {
    ASSERT_LE(std::fabs(lsb_error(z.data[same.size() + i], real_of(other.data[i], other.params), out)), 1.0);
  }
  const QuantizedMap wrong_size = QuantizedMap::zeros(1, 2, 2, out);
  EXPECT_EQ(concat_int8({&same, &wrong_size}, out).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(concat_int8({}, out).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace litesr

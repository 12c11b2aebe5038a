#include "base/resample_weights.h"

#include <cmath>

#include <gtest/gtest.h>

namespace litesr {
namespace {

TEST(ResampleWeights, KeysKernelValues) {
  EXPECT_DOUBLE_EQ(keys_cubic(0.0, -0.5), 1.0);
  EXPECT_DOUBLE_EQ(keys_cubic(1.0, -0.5), 0.0);
  EXPECT_DOUBLE_EQ(keys_cubic(2.0, -0.5), 0.0);
  EXPECT_DOUBLE_EQ(keys_cubic(2.5, -0.5), 0.0);
  EXPECT_DOUBLE_EQ(keys_cubic(-0.5, -0.5), keys_cubic(0.5, -0.5));
  EXPECT_DOUBLE_EQ(keys_cubic(0.5, -0.5), 0.5625);      // 1.5/8 - 2.5/4 + 1
  EXPECT_DOUBLE_EQ(keys_cubic(1.5, -0.5), -0.0625);     // -0.5·3.375 + 2.5·2.25 - 6 + 2
  EXPECT_DOUBLE_EQ(keys_cubic(1.5, -0.75), -0.09375);   // a·(3.375 - 11.25 + 12 - 4)
}

// seeds_facts.md §4.3: MATLAB x1/4: 16 taps, identical for every output, output k uses 4k-9 … 4k+6.
TEST(ResampleWeights, MatlabQuarterDownscaleTable) {
  auto t = compute_resample_weights(64, 16, 0.25, {});
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  ASSERT_EQ(t->taps, 16);
  const double expected[8] = {-0.001708984375, -0.010986328125, -0.018310546875, -0.011962890625,
                              0.022705078125,  0.097412109375,  0.181884765625,  0.240966796875};
  for (int o = 0; o < 16; ++o) {
    for (int k = 0; k < 8; ++k) {
      EXPECT_NEAR(t->weights(o)[k], expected[k], 1e-12) << "output " << o << " tap " << k;
      EXPECT_NEAR(t->weights(o)[15 - k], expected[k], 1e-12);
    }
  }
  // Interior output k = 5 (1-based) reads inputs 11 … 26 (1-based) = 10 … 25 (0-based).
  for (int j = 0; j < 16; ++j) EXPECT_EQ(t->indices(4)[j], 10 + j);
}

TEST(ResampleWeights, MatlabX4UpscalePhases) {
  auto t = compute_resample_weights(8, 32, 4.0, {});
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->taps, 4);
  const double p0[4] = {-0.0439453125, 0.3896484375, 0.7275390625, -0.0732421875};
  const double p1[4] = {-0.0068359375, 0.0908203125, 0.9638671875, -0.0478515625};
  const int m = 2;  // outputs 4m+1 … 4m+4 (1-based) = 8 … 11 (0-based)
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(t->weights(4 * m)[k], p0[k], 1e-12);
    EXPECT_NEAR(t->weights(4 * m + 1)[k], p1[k], 1e-12);
    EXPECT_NEAR(t->weights(4 * m + 2)[k], p1[3 - k], 1e-12);
    EXPECT_NEAR(t->weights(4 * m + 3)[k], p0[3 - k], 1e-12);
    // 1-based inputs m-1 … m+2 and m … m+3 → 0-based m-2 … m+1 and m-1 … m+2.
    EXPECT_EQ(t->indices(4 * m)[k], m - 2 + k);
    EXPECT_EQ(t->indices(4 * m + 1)[k], m - 2 + k);
    EXPECT_EQ(t->indices(4 * m + 2)[k], m - 1 + k);
    EXPECT_EQ(t->indices(4 * m + 3)[k], m - 1 + k);
  }
}

TEST(ResampleWeights, PytorchKernelX2) {
  // a = -0.75, no antialias: x2 upsampling phase t = 0.25 has the textbook PyTorch weights.
  ResampleWeightsOptions o;
  o.a = -0.75;
  o.antialias = false;
  o.border = BorderMode::kReplicate;
  auto t = compute_resample_weights(10, 20, 2.0, o);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->taps, 4);
  // Output 5 (0-based) samples u = 2.25 (0-based): inputs 1..4 with weights for offsets 1.25, .25, .75, 1.75.
  const double w[4] = {-0.10546875, 0.87890625, 0.26171875, -0.03515625};
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(t->weights(5)[k], w[k], 1e-12);
    EXPECT_EQ(t->indices(5)[k], 1 + k);
  }
}

TEST(ResampleWeights, RowsSumToOneAndIndicesInRange) {
  for (BorderMode b : {BorderMode::kReplicate, BorderMode::kSymmetric, BorderMode::kReflect, BorderMode::kCircular}) {
    for (auto [in, out] : {std::pair{7, 3}, {5, 17}, {3, 1}, {1, 4}, {100, 33}, {13, 13}}) {
      const double scale = static_cast<double>(out) / in;
      auto t = compute_resample_weights(in, out, scale, {-0.5, true, b});
      ASSERT_TRUE(t.ok());
      for (int o = 0; o < out; ++o) {
        double sum = 0;
        for (int k = 0; k < t->taps; ++k) {
          sum += t->weights(o)[k];
          EXPECT_GE(t->indices(o)[k], 0);
          EXPECT_LT(t->indices(o)[k], in);
        }
        EXPECT_NEAR(sum, 1.0, 1e-12);
      }
    }
  }
}

TEST(ResampleWeights, IdentityScaleIsIdentity) {
  auto t = compute_resample_weights(9, 9, 1.0, {});
  ASSERT_TRUE(t.ok());
  for (int o = 0; o < 9; ++o) {
    for (int k = 0; k < t->taps; ++k) {
      const double expected = t->indices(o)[k] == o ? 1.0 : 0.0;
      if (t->weights(o)[k] != 0.0) {
        EXPECT_DOUBLE_EQ(t->weights(o)[k], expected);
      }
    }
  }
}

TEST(ResampleWeights, NoAntialiasKeepsFourTapKernel) {
  ResampleWeightsOptions o;
  o.antialias = false;
  auto t = compute_resample_weights(16, 4, 0.25, o);
  ASSERT_TRUE(t.ok());
  EXPECT_LE(t->taps, 6);
}

TEST(ResampleWeights, BorderIndexMapping) {
  // n = 4: indices -3 … 6.
  const int rep[] = {0, 0, 0, 0, 1, 2, 3, 3, 3, 3};
  const int sym[] = {2, 1, 0, 0, 1, 2, 3, 3, 2, 1};
  const int ref[] = {3, 2, 1, 0, 1, 2, 3, 2, 1, 0};
  const int cir[] = {1, 2, 3, 0, 1, 2, 3, 0, 1, 2};
  for (int i = -3; i <= 6; ++i) {
    EXPECT_EQ(map_border_index(i, 4, BorderMode::kReplicate), rep[i + 3]) << i;
    EXPECT_EQ(map_border_index(i, 4, BorderMode::kSymmetric), sym[i + 3]) << i;
    EXPECT_EQ(map_border_index(i, 4, BorderMode::kReflect), ref[i + 3]) << i;
    EXPECT_EQ(map_border_index(i, 4, BorderMode::kCircular), cir[i + 3]) << i;
  }
  // Far away and length 1.
  EXPECT_EQ(map_border_index(-9, 4, BorderMode::kSymmetric), 0);  // period 8: -9 ≡ -1 → 0
  for (BorderMode b : {BorderMode::kReplicate, BorderMode::kSymmetric, BorderMode::kReflect, BorderMode::kCircular}) {
    EXPECT_EQ(map_border_index(-5, 1, b), 0);
    EXPECT_EQ(map_border_index(7, 1, b), 0);
  }
}

TEST(ResampleWeights, BorderNames) {
  for (BorderMode b : {BorderMode::kReplicate, BorderMode::kSymmetric, BorderMode::kReflect, BorderMode::kCircular}) {
    auto parsed = parse_border_mode(border_mode_name(b));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, b);
  }
  auto bad = parse_border_mode("mirror");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("mirror"), std::string::npos);
}

TEST(ResampleWeights, RejectsBadArguments) {
  EXPECT_EQ(compute_resample_weights(0, 4, 1.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(compute_resample_weights(4, 0, 1.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(compute_resample_weights(4, 4, 0.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(compute_resample_weights(4, 4, -2.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(compute_resample_weights(4, 4, std::nan("")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(compute_resample_weights(4, 1, 1e-9).status().code(), StatusCode::kResourceExhausted);
}

TEST(ResampleWeights, ScaledLength) {
  EXPECT_EQ(*scaled_length(255, 1.0 / 3.0), 85);
  EXPECT_EQ(*scaled_length(256, 1.0 / 3.0), 86);  // ceil(85.33)
  EXPECT_EQ(*scaled_length(7, 0.5), 4);
  EXPECT_EQ(*scaled_length(85, 3.0), 255);
  EXPECT_EQ(*scaled_length(10, 0.1), 1);
  EXPECT_FALSE(scaled_length(0, 2.0).ok());
  EXPECT_FALSE(scaled_length(5, 0.0).ok());
  EXPECT_FALSE(scaled_length(5, std::nan("")).ok());
}

// A shift moves every sampling position by that many input samples: at scale 1 a shift of 0.5 reads halfway between
// neighbours (the cubic's symmetric half-sample weights), and an integer shift is a pure index offset.
TEST(ResampleWeights, ShiftMovesEverySamplingPosition) {
  ResampleWeightsOptions o;
  o.border = BorderMode::kReplicate;
  o.shift = 1.0;
  const ResampleWeights whole = compute_resample_weights(8, 8, 1.0, o).value();
  for (int x = 0; x < 7; ++x) {
    double at = 0;
    for (int t = 0; t < whole.taps; ++t) at += whole.weights(x)[t] * whole.indices(x)[t];
    EXPECT_NEAR(at, x + 1, 1e-12) << x;
  }
  o.shift = 0.5;
  const ResampleWeights half = compute_resample_weights(8, 8, 1.0, o).value();
  double at = 0;
  for (int t = 0; t < half.taps; ++t) at += half.weights(3)[t] * half.indices(3)[t];
  EXPECT_NEAR(at, 3.5, 1e-12);
  o.shift = 4.5;
  EXPECT_FALSE(compute_resample_weights(8, 8, 1.0, o).ok());
  o.shift = std::nan("");
  EXPECT_FALSE(compute_resample_weights(8, 8, 1.0, o).ok());
}

}  // namespace
}  // namespace litesr

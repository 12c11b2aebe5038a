// quant/float_requantization.h: wherever the float form says "sure", it equals requantize_accumulator, at every
// output level's threshold (the accumulators where rounding decides), at the branch point of negative accumulators
// and at the int32 ends, for every right shift and zero point; and it is sure almost everywhere else.
#include "quant/float_requantization.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace litesr {
namespace {

constexpr int32_t kAccMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kAccMax = std::numeric_limits<int32_t>::max();

// The smallest accumulator whose requantized value is >= level (requantize_accumulator is nondecreasing in it), or
// nothing if none is.
std::optional<int32_t> threshold(int32_t level, QuantizedMultiplier m, int32_t zp, ActivationRange range) {
  if (requantize_accumulator(kAccMax, m, zp, range) < level) return std::nullopt;
  int64_t lo = kAccMin, hi = kAccMax;  // answer in [lo, hi]
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (requantize_accumulator(static_cast<int32_t>(mid), m, zp, range) >= level) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return static_cast<int32_t>(lo);
}

TEST(FloatRequantization, SureLanesEqualTheFixedPointArithmeticAtEveryThreshold) {
  std::mt19937 rng(20261206);
  int configs = 0;
  int64_t sure = 0, checked = 0, sure_random = 0, random = 0;
  for (int shift = -31; shift <= 4; ++shift) {
    for (int32_t mantissa : {0, int32_t{1} << 30, (int32_t{1} << 30) + 1, 1518500250, 2000000001, kAccMax}) {
      for (int32_t zp : {-128, -37, 0, 127}) {
        for (const ActivationRange range : {ActivationRange{}, ActivationRange{zp, 127}, ActivationRange{-50, 60}}) {
          if (range.min > range.max) continue;
          const QuantizedMultiplier m{mantissa, shift};
          const std::optional<FloatRequant> f = float_requant_of(m, zp, range);
          if (shift >= 0) {
            EXPECT_FALSE(f.has_value()) << "shift " << shift;
            continue;
          }
          ASSERT_TRUE(f.has_value());
          ++configs;
          std::vector<int32_t> accumulators;
          const auto around = [&](int64_t a, int reach) {
            for (int64_t v = a - reach; v <= a + reach; ++v) {
              if (v >= kAccMin && v <= kAccMax) accumulators.push_back(static_cast<int32_t>(v));
            }
          };
          for (int32_t level = range.min + 1; level <= range.max; ++level) {
            if (const std::optional<int32_t> t = threshold(level, m, zp, range)) around(*t, 3);
          }
          around(0, 4);  // the negative branch starts at −1 or −2
          around(kAccMin + 4, 4);
          around(kAccMax - 4, 4);
          for (int32_t a : accumulators) {
            const FloatRequantResult got = float_requantize(a, *f);
            if (!got.sure) continue;
            ++sure;
            const int32_t want = requantize_accumulator(a, m, zp, range);
            ASSERT_EQ(std::clamp(got.floor, range.min, range.max), want)
                << "accumulator " << a << " mantissa " << mantissa << " shift " << shift << " zp " << zp << " range ["
                << range.min << ", " << range.max << "]";
          }
          checked += static_cast<int64_t>(accumulators.size());
          // Accumulators spread over the levels' span (and a little beyond) are almost all sure, for a mantissa
          // that is not a power of two (whose products land on integers often) and a span well inside int32.
          if (mantissa < 1518500250 || shift < -20) continue;
          const std::optional<int32_t> first = threshold(range.min + 1, m, zp, range);
          const std::optional<int32_t> last = threshold(range.max, m, zp, range);
          if (!first || !last) continue;  // a single level
          const int64_t t_lo = *first, t_hi = *last;
          std::uniform_int_distribution<int64_t> spread(std::max<int64_t>(kAccMin, t_lo - (t_hi - t_lo) / 8),
                                                        std::min<int64_t>(kAccMax, t_hi + (t_hi - t_lo) / 8));
          for (int i = 0; i < 200; ++i) {
            const int32_t a = static_cast<int32_t>(spread(rng));
            const FloatRequantResult got = float_requantize(a, *f);
            ++random;
            if (!got.sure) continue;
            ++sure_random;
            ASSERT_EQ(std::clamp(got.floor, range.min, range.max), requantize_accumulator(a, m, zp, range))
                << "accumulator " << a << " mantissa " << mantissa << " shift " << shift << " zp " << zp;
          }
        }
      }
    }
  }
  EXPECT_EQ(configs, 31 * 6 * 4 * 3);
  // At a threshold y* is just above an integer, so where S < 2^−11 the first 2^−11 / S accumulators past it are
  // unsure by design: about half of these neighbours. Spread accumulators are unsure ~2^−10 of the time.
  EXPECT_GT(static_cast<double>(sure) / static_cast<double>(checked), 0.4) << sure << " of " << checked;
  EXPECT_GT(static_cast<double>(sure_random) / static_cast<double>(random), 0.99) << sure_random << " of " << random;
}

// The per-lane select of the negative branch is skipped only where it cannot matter (ReLU-fused outputs, zp −128),
// and is kept where it does (a zero point in the middle of the range).
TEST(FloatRequantization, TheNegativeBranchIsSkippedOnlyWhereEveryNegativeAccumulatorClamps) {
  const QuantizedMultiplier m{1518500250, -9};
  EXPECT_FALSE(float_requant_of(m, -128, {})->piecewise);
  EXPECT_FALSE(float_requant_of(m, 5, {5, 127})->piecewise);
  EXPECT_TRUE(float_requant_of(m, 5, {})->piecewise);
  EXPECT_FALSE(float_requant_of({0, -9}, 5, {})->piecewise);  // a zero multiplier: zp for every accumulator
}

}  // namespace
}  // namespace litesr

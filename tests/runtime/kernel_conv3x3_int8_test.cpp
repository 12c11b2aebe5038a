// The INT8 3x3 conv row kernel (runtime/kernel_conv3x3_int8.h) against the scalar oracle conv2d_int8
// (quant/reference_ops.h), integers equal bit for bit, on every path this CPU runs (the others are skipped with a
// message): random weights, inputs, zero points, multipliers from tiny to large, ReLU/ReLU6 clamps, widths 1..70.
// Rows carry random canary bytes beyond their zero-point halo (a kernel that reads them would differ) and outputs
// sentinels around [0, width) (a kernel that writes outside would be caught).
#include "runtime/kernel_conv3x3_int8.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "quant/reference_ops.h"
#include "runtime/kernel_conv.h"
#include "runtime/kernel_dispatch.h"
#include "testing/isa_loop.h"

namespace litesr {
namespace {

constexpr int kGuardBytes = 64;  // bytes beyond the halo on each side of a row: canaries (inputs) / sentinels (outputs)
constexpr int8_t kSentinelByte = 0x5A;
constexpr Int8ConvPath kPaths[] = {Int8ConvPath::kScalar, Int8ConvPath::kAvx2, Int8ConvPath::kAvxVnni,
                                   Int8ConvPath::kAvx512Vnni};

// A random int8 conv problem: input map C x H x W, quantized conv, output params and activation, plus the
// packed kernel weights built from the same integers.
struct Problem {
  QuantizedMap input;
  QuantizedConv2d conv;
  QuantParams output;
  FusedActivation activation = FusedActivation::kNone;
  PackedConvInt8 packed;
};

// Returns false when conv2d_int8 rejects the drawn parameters (overflow guard), so the caller redraws.
bool make_problem(std::mt19937& rng, int c, int o, int h, int w, Problem& pr) {
  std::uniform_int_distribution<int> q8(-128, 127);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  const auto pow2 = [&](double lo, double hi) { return static_cast<float>(std::exp2(lo + (hi - lo) * u01(rng))); };
  const float in_scale = pow2(-8, 0);
  pr.input = QuantizedMap::zeros(c, h, w, QuantParams{in_scale, q8(rng)});
  for (int8_t& v : pr.input.data) v = static_cast<int8_t>(q8(rng));
  pr.conv.in_channels = c;
  pr.conv.out_channels = o;
  pr.conv.kernel = 3;
  pr.conv.groups = 1;
  pr.conv.weight.resize(static_cast<size_t>(o) * c * 9);
  // Mostly the symmetric range; sometimes only extreme weights (the largest |products|, −128 included).
  const bool extremes = u01(rng) < 0.15;
  for (int8_t& v : pr.conv.weight) {
    v = static_cast<int8_t>(extremes ? (u01(rng) < 0.5 ? -128 : 127) : std::uniform_int_distribution<int>(-127, 127)(rng));
  }
  pr.conv.weight_scales.resize(static_cast<size_t>(o));
  for (float& s : pr.conv.weight_scales) s = pow2(-10, -2);
  pr.conv.bias_input_scale = in_scale;
  if (u01(rng) < 0.85) {
    pr.conv.bias.resize(static_cast<size_t>(o));
    for (int32_t& b : pr.conv.bias) b = std::uniform_int_distribution<int32_t>(-300000, 300000)(rng);
  }
  // Output scale from 2^-20 to 2^8: multipliers from ~2^-26 (right shifts of ~26, outputs at the zero point) to
  // ~2^18 (left shifts that saturate), both extremes included.
  pr.output = QuantParams{pow2(-20, 8), q8(rng)};
  const double a = u01(rng);
  pr.activation = a < 0.4 ? FusedActivation::kNone : a < 0.7 ? FusedActivation::kRelu : FusedActivation::kRelu6;
  const Result<std::vector<QuantizedMultiplier>> m =
      conv2d_output_multipliers(in_scale, pr.conv.weight_scales, pr.output.scale);
  const Result<ActivationRange> range = activation_range(pr.activation, pr.output);
  if (!m.ok() || !range.ok()) return false;
  Result<PackedConvInt8> packed = pack_conv3x3_int8(pr.conv.weight, pr.conv.bias, c, o, pr.input.params.zero_point,
                                                    m.value(), pr.output.zero_point, range.value());
  EXPECT_TRUE(packed.ok()) << packed.status().message();
  if (!packed.ok()) return false;
  pr.packed = std::move(packed).value();
  return true;
}

// Planar padded rows of a map: for each channel rows y = −1 .. H (the outer two all zp_in), each with a zp_in halo
// at x = −1 and x = W and random canaries beyond.
struct PaddedInput {
  PaddedInput(const QuantizedMap& map, std::mt19937& rng) : c(map.channels), h(map.height), w(map.width) {
    stride = static_cast<size_t>(w) + 2 + 2 * kGuardBytes;
    data.resize(static_cast<size_t>(c) * (h + 2) * stride);
    std::uniform_int_distribution<int> q8(-128, 127);
    for (int8_t& v : data) v = static_cast<int8_t>(q8(rng));
    const int8_t zp = static_cast<int8_t>(map.params.zero_point);
    for (int ci = 0; ci < c; ++ci) {
      for (int y = -1; y <= h; ++y) {
        int8_t* p = row(ci, y);
        p[-1] = zp;
        p[w] = zp;
        for (int x = 0; x < w; ++x) p[x] = (y < 0 || y >= h) ? zp : map.at(ci, y, x);
      }
    }
  }
  int8_t* row(int ci, int y) {
    return data.data() + (static_cast<size_t>(ci) * (h + 2) + (y + 1)) * stride + kGuardBytes + 1;
  }
  // in_rows for output row y: [c * 3 + ky] = row y − 1 + ky.
  std::vector<const int8_t*> rows_for(int y) {
    std::vector<const int8_t*> r;
    for (int ci = 0; ci < c; ++ci) {
      for (int ky = 0; ky < 3; ++ky) r.push_back(row(ci, y - 1 + ky));
    }
    return r;
  }
  int c, h, w;
  size_t stride = 0;
  std::vector<int8_t> data;
};

// Runs `kernel(in_rows, out_rows)` for every output row and compares with `expected` bit for bit, checking the
// output sentinels. Returns the number of mismatching values (reported with their first location).
template <class Kernel>
int compare_rows(PaddedInput& in, const QuantizedMap& expected, Kernel&& kernel) {
  const int o = expected.channels, h = expected.height, w = expected.width;
  const size_t stride = static_cast<size_t>(w) + 2 * kGuardBytes;
  std::vector<int8_t> out(static_cast<size_t>(o) * stride);
  int mismatches = 0;
  for (int y = 0; y < h; ++y) {
    std::fill(out.begin(), out.end(), kSentinelByte);
    std::vector<int8_t*> out_rows;
    for (int oc = 0; oc < o; ++oc) out_rows.push_back(out.data() + oc * stride + kGuardBytes);
    const std::vector<const int8_t*> in_rows = in.rows_for(y);
    kernel(in_rows.data(), out_rows.data());
    for (int oc = 0; oc < o; ++oc) {
      for (int x = -kGuardBytes; x < w + kGuardBytes; ++x) {
        const int8_t got = out_rows[oc][x];
        const int8_t want = (x < 0 || x >= w) ? kSentinelByte : expected.at(oc, y, x);
        if (got != want && mismatches++ == 0) {
          ADD_FAILURE() << "first mismatch at o=" << oc << " y=" << y << " x=" << x << " (width " << w
                        << "): got " << int{got} << ", want " << int{want};
        }
      }
    }
  }
  return mismatches;
}

std::vector<Int8ConvPath> runnable_paths() {
  std::vector<Int8ConvPath> paths;
  for (Int8ConvPath p : kPaths) {
    if (int8_path_supported(p)) {
      paths.push_back(p);
    } else {
      std::printf("[  SKIP    ] int8 path %s: this CPU cannot run it\n", std::string(int8_path_name(p)).c_str());
    }
  }
  return paths;
}

TEST(KernelConv3x3Int8, PathsMatchConv2dInt8BitForBit) {
  std::mt19937 rng(20261203);
  const std::vector<Int8ConvPath> paths = runnable_paths();
  ASSERT_FALSE(paths.empty());
  std::vector<int> cases(4, 0);
  int saturated_high = 0, at_zero_point = 0;  // outputs that hit the clamp top / equal zp_out (large / tiny scales)
  for (int c : {1, 3, 6, 8, 13, 72}) {  // 72: more tap groups than the AVX-512 strip buffer (C > 64: block path)
    for (int o : {1, 6, 12, 48}) {
      for (int w = 1; w <= 70; w += c > 64 ? 23 : 1) {
        Problem pr;
        int tries = 0;
        while (!make_problem(rng, c, o, 3, w, pr)) ASSERT_LT(++tries, 20) << "conv2d_int8 kept rejecting parameters";
        const Result<QuantizedMap> ref = conv2d_int8(pr.input, pr.conv, pr.output, pr.activation);
        ASSERT_TRUE(ref.ok()) << ref.status().message();
        for (int8_t v : ref.value().data) {
          saturated_high += v == pr.packed.range.max;
          at_zero_point += v == pr.output.zero_point;
        }
        PaddedInput in(pr.input, rng);
        for (Int8ConvPath path : paths) {
          SCOPED_TRACE("path " + std::string(int8_path_name(path)) + " C=" + std::to_string(c) + " O=" +
                       std::to_string(o) + " W=" + std::to_string(w));
          const int bad = compare_rows(in, ref.value(), [&](const int8_t* const* rows, int8_t* const* out) {
            EXPECT_EQ(conv3x3_int8_rows_on(path, pr.packed, rows, w, out), path);
          });
          ASSERT_EQ(bad, 0);
          ++cases[static_cast<size_t>(path)];
        }
      }
    }
  }
  for (Int8ConvPath path : paths) {
    std::printf("int8 path %-10s: %d problems bit-exact\n", std::string(int8_path_name(path)).c_str(),
                cases[static_cast<size_t>(path)]);
  }
  // The draws must reach both ends of the multiplier range, or the shift logic went untested.
  EXPECT_GT(saturated_high, 1000);
  EXPECT_GT(at_zero_point, 1000);
}

// The depthwise kernel (depthwise3x3_int8_rows_on: one one-channel pack per channel) against conv2d_int8 with
// groups = C, on every path: channel counts 1 .. 33, widths around the 16-pixel vectors, scales from outputs at the
// zero point to saturated ones, and ReLU clamps (the draws of make_problem, per channel).
TEST(DepthwiseConv3x3Int8, PathsMatchConv2dInt8BitForBit) {
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<int> q8(-128, 127), w8(-127, 127);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  const auto pow2 = [&](double lo, double hi) { return static_cast<float>(std::exp2(lo + (hi - lo) * u01(rng))); };
  int cases = 0;
  for (int c : {1, 2, 5, 32, 33}) {
    for (int w : {1, 2, 15, 16, 17, 31, 32, 33, 47, 62, 63, 64, 65, 70, 127, 128, 129}) {
      const float in_scale = pow2(-8, 0);
      QuantizedMap input = QuantizedMap::zeros(c, 4, w, QuantParams{in_scale, q8(rng)});
      for (int8_t& v : input.data) v = static_cast<int8_t>(q8(rng));
      QuantizedConv2d conv;
      conv.in_channels = conv.out_channels = conv.groups = c;
      conv.kernel = 3;
      conv.weight.resize(static_cast<size_t>(c) * 9);
      for (int8_t& v : conv.weight) v = static_cast<int8_t>(u01(rng) < 0.1 ? -128 : w8(rng));
      conv.weight_scales.resize(static_cast<size_t>(c));
      for (float& sc : conv.weight_scales) sc = pow2(-10, -2);
      conv.bias_input_scale = in_scale;
      conv.bias.resize(static_cast<size_t>(c));
      for (int32_t& b : conv.bias) b = std::uniform_int_distribution<int32_t>(-30000, 30000)(rng);
      const QuantParams output{pow2(-14, 2), q8(rng)};
      const FusedActivation activation = u01(rng) < 0.5 ? FusedActivation::kNone : FusedActivation::kRelu;
      const std::vector<QuantizedMultiplier> m =
          conv2d_output_multipliers(in_scale, conv.weight_scales, output.scale).value();
      const ActivationRange range = activation_range(activation, output).value();
      std::vector<PackedConvInt8> per_channel;
      for (int ch = 0; ch < c; ++ch) {
        const std::span<const int8_t> wc(conv.weight.data() + ch * 9, 9);
        per_channel.push_back(pack_conv3x3_int8(wc, std::span<const int32_t>(&conv.bias[ch], 1), 1, 1,
                                                input.params.zero_point, std::span(&m[ch], 1), output.zero_point, range)
                                  .value());
      }
      const QuantizedMap ref = conv2d_int8(input, conv, output, activation).value();
      PaddedInput in(input, rng);
      for (Int8ConvPath path : runnable_paths()) {
        SCOPED_TRACE("path " + std::string(int8_path_name(path)) + " C=" + std::to_string(c) +
                     " W=" + std::to_string(w));
        const int bad = compare_rows(in, ref, [&](const int8_t* const* rows, int8_t* const* out) {
          EXPECT_EQ(depthwise3x3_int8_rows_on(path, per_channel, rows, w, out), path);
        });
        ASSERT_EQ(bad, 0);
        ++cases;
      }
    }
  }
  EXPECT_GE(cases, 5 * 11);
}

// The 1x1 kernel (pack_conv1x1_int8, conv1x1_int8_rows_on): the same draws with a 1x1 kernel, on every path (each
// runs its own SIMD loop except AVX-512 past its strip buffer, which runs the scalar loop and says so), channel
// counts around the 4-channel groups and past the strip buffer, widths around the 8- and 16-pixel vectors.
TEST(KernelConv1x1Int8, PathsMatchConv2dInt8BitForBit) {
  std::mt19937 rng(20261205);
  const std::vector<Int8ConvPath> paths = runnable_paths();
  for (int c : {1, 3, 4, 5, 8, 16, 32, 577}) {  // 577: more 4-channel groups than the strip buffer holds
    for (int o : {1, 3, 8, 9, 32}) {
      for (int w : {1, 2, 15, 16, 17, 31, 32, 33, 64, 70}) {
        Problem pr;
        int tries = 0;
        while (!make_problem(rng, c, o, 2, w, pr)) ASSERT_LT(++tries, 20) << "conv2d_int8 kept rejecting parameters";
        // The same integers as a 1x1 conv: the drawn 3x3 weights' centre taps.
        QuantizedConv2d one = pr.conv;
        one.kernel = 1;
        one.weight.resize(static_cast<size_t>(o) * c);
        for (size_t i = 0; i < one.weight.size(); ++i) one.weight[i] = pr.conv.weight[i * 9 + 4];
        const Result<QuantizedMap> ref = conv2d_int8(pr.input, one, pr.output, pr.activation);
        if (!ref.ok()) continue;  // the overflow guard (C = 577 with extreme weights)
        const PackedConvInt8 packed =
            pack_conv1x1_int8(
                one.weight, one.bias, c, o, pr.input.params.zero_point,
                conv2d_output_multipliers(pr.input.params.scale, one.weight_scales, pr.output.scale).value(),
                pr.output.zero_point, pr.packed.range)
                .value();
        PaddedInput in(pr.input, rng);
        for (Int8ConvPath path : paths) {
          SCOPED_TRACE("path " + std::string(int8_path_name(path)) + " C=" + std::to_string(c) +
                       " O=" + std::to_string(o) + " W=" + std::to_string(w));
          const int bad = compare_rows(in, ref.value(), [&](const int8_t* const* rows, int8_t* const* out) {
            std::vector<const int8_t*> centre(c);
            for (int ci = 0; ci < c; ++ci) centre[ci] = rows[ci * 3 + 1];  // row y of each channel
            const Int8ConvPath ran = conv1x1_int8_rows_on(path, packed, centre.data(), w, out);
            EXPECT_EQ(ran, path == Int8ConvPath::kAvx512Vnni && c > 576 ? Int8ConvPath::kScalar : path);
          });
          ASSERT_EQ(bad, 0);
        }
      }
    }
  }
}

// Every right shift TFLite allows and left shifts up to 8, the mantissa's ends, zero points at the int8 ends and a
// ReLU-like clamp: the SIMD requantization (its rounding constants, the output zero point folded into them, or added
// after right shifts past 22) equals requantize_accumulator on accumulators spread over ±2^21 (a 1x1 conv of two
// channels whose output channels' biases carry the spread; inputs and weights at their extremes add ±2^16).
TEST(KernelConv1x1Int8, EveryShiftAndZeroPointMatchesRequantizeAccumulator) {
  std::mt19937 rng(20261206);
  std::uniform_int_distribution<int> q8(-128, 127);
  constexpr int kC = 2, kO = 8, kW = 37;
  const std::vector<int8_t> weight = {127, -128, -128, 127, 127, 127, -128, -128,
                                      1,   -1,   0,    127, -7,  3,   64,   -64};  // [O][C]
  int checked = 0;
  for (int shift = -31; shift <= 8; ++shift) {
    for (int32_t mantissa : {int32_t{1} << 30, (int32_t{1} << 30) + 1, 1518500250, INT32_MAX}) {
      for (int32_t zp_out : {-128, 0, 127}) {
        for (const ActivationRange range : {ActivationRange{}, ActivationRange{zp_out, 127}}) {
          const int32_t zp_in = q8(rng);
          std::vector<int32_t> bias(kO);
          for (int32_t& b : bias) b = std::uniform_int_distribution<int32_t>(-(1 << 21), 1 << 21)(rng);
          const std::vector<QuantizedMultiplier> m(kO, QuantizedMultiplier{mantissa, shift});
          const PackedConvInt8 packed = pack_conv1x1_int8(weight, bias, kC, kO, zp_in, m, zp_out, range).value();
          std::vector<int8_t> rows(kC * kW);
          for (int8_t& v : rows)
            v = static_cast<int8_t>(std::uniform_int_distribution<int>(0, 2)(rng) == 0 ? q8(rng)
                                    : std::uniform_int_distribution<int>(0, 1)(rng)    ? 127
                                                                                       : -128);
          const int8_t* in[kC] = {rows.data(), rows.data() + kW};
          std::vector<int8_t> want(kO * kW);
          for (int o = 0; o < kO; ++o) {
            for (int x = 0; x < kW; ++x) {
              int32_t acc = bias[o];
              for (int c = 0; c < kC; ++c) acc += weight[o * kC + c] * (in[c][x] - zp_in);
              want[o * kW + x] = requantize_accumulator(acc, m[o], zp_out, range);
            }
          }
          for (Int8ConvPath path : runnable_paths()) {
            std::vector<int8_t> got(kO * kW, kSentinelByte);
            int8_t* out[kO];
            for (int o = 0; o < kO; ++o) out[o] = got.data() + o * kW;
            conv1x1_int8_rows_on(path, packed, in, kW, out);
            ASSERT_EQ(got, want) << int8_path_name(path) << " shift " << shift << " mantissa " << mantissa << " zp_out "
                                 << zp_out << " range min " << range.min;
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 40 * 4 * 3 * 2);
}

// Every output level's threshold (the accumulators where rounding decides, where the AVX-512 epilogue's float form
// is unsure and falls back to the integer arithmetic) through a 1x1 conv with one input channel and weight 1, so that
// output channel o at pixel x accumulates bias[o] + q[x] for q = −128 .. 127: channel o's bias is threshold o, and
// three more channels cover 0 (the negative branch's start) and the int32 ends.
TEST(KernelConv1x1Int8, EveryThresholdOfEveryLevelMatchesRequantizeAccumulator) {
  constexpr int32_t kAccMin = std::numeric_limits<int32_t>::min(), kAccMax = std::numeric_limits<int32_t>::max();
  constexpr int kW = 256;
  std::vector<int8_t> row(kW);
  for (int x = 0; x < kW; ++x) row[x] = static_cast<int8_t>(x - 128);
  const int8_t* in[1] = {row.data()};
  int configs = 0;
  for (int shift : {-31, -24, -20, -15, -12, -9, -7, -5, -3, -2, -1}) {
    for (int32_t mantissa : {int32_t{1} << 30, (int32_t{1} << 30) + 1, 1518500250, kAccMax}) {
      for (int32_t zp_out : {-128, -37, 0, 127}) {
        for (const ActivationRange range :
             {ActivationRange{}, ActivationRange{zp_out, 127}, ActivationRange{-50, 60}}) {
          const QuantizedMultiplier m{mantissa, shift};
          const auto value = [&](int64_t a) {
            return requantize_accumulator(static_cast<int32_t>(a), m, zp_out, range);
          };
          std::vector<int32_t> bias = {0, kAccMin + 128, kAccMax - 127};
          for (int32_t level = range.min + 1; level <= range.max; ++level) {
            if (value(kAccMax) < level) break;
            int64_t lo = kAccMin, hi = kAccMax;  // the smallest accumulator reaching `level`
            while (lo < hi) {
              const int64_t mid = lo + (hi - lo) / 2;
              if (value(mid) >= level) {
                hi = mid;
              } else {
                lo = mid + 1;
              }
            }
            bias.push_back(static_cast<int32_t>(std::clamp<int64_t>(lo, kAccMin + 128, kAccMax - 127)));
          }
          const int cout = static_cast<int>(bias.size());
          const std::vector<int8_t> weight(cout, 1);
          const std::vector<QuantizedMultiplier> multipliers(cout, m);
          const PackedConvInt8 packed = pack_conv1x1_int8(weight, bias, 1, cout, 0, multipliers, zp_out, range).value();
          std::vector<int8_t> want(static_cast<size_t>(cout) * kW);
          for (int o = 0; o < cout; ++o) {
            for (int x = 0; x < kW; ++x) want[o * kW + x] = value(int64_t{bias[o]} + row[x]);
          }
          for (Int8ConvPath path : runnable_paths()) {
            std::vector<int8_t> got(want.size(), kSentinelByte);
            std::vector<int8_t*> out(cout);
            for (int o = 0; o < cout; ++o) out[o] = got.data() + o * kW;
            conv1x1_int8_rows_on(path, packed, in, kW, out.data());
            ASSERT_EQ(got, want) << int8_path_name(path) << " shift " << shift << " mantissa " << mantissa << " zp_out "
                                 << zp_out << " range [" << range.min << ", " << range.max << "]";
          }
          ++configs;
        }
      }
    }
  }
  EXPECT_EQ(configs, 11 * 4 * 4 * 3);
}

// The float form of the requantization is exact whatever rounding mode the calling program set: its constants are
// rounded to nearest at pack time, AVX-512 fixes the rounding in each instruction, and AVX2 falls back to the integer
// arithmetic unless MXCSR rounds to nearest.
TEST(KernelConv1x1Int8, ExactUnderEveryRoundingMode) {
  constexpr int kC = 3, kO = 8, kW = 67;
  std::mt19937 rng(17);
  std::uniform_int_distribution<int> q8(-128, 127), w8(-127, 127);
  std::vector<int8_t> weight(kO * kC), rows(kC * kW);
  for (int8_t& v : weight) v = static_cast<int8_t>(w8(rng));
  for (int8_t& v : rows) v = static_cast<int8_t>(q8(rng));
  std::vector<int32_t> bias(kO);
  for (int32_t& b : bias) b = std::uniform_int_distribution<int32_t>(-20000, 20000)(rng);
  const std::vector<QuantizedMultiplier> m(kO, quantize_multiplier(0.00731));
  const int32_t zp_in = 9, zp_out = -17;
  const int8_t* in[kC] = {rows.data(), rows.data() + kW, rows.data() + 2 * kW};
  std::vector<int8_t> want(kO * kW);
  for (int o = 0; o < kO; ++o) {
    for (int x = 0; x < kW; ++x) {
      int32_t acc = bias[o];
      for (int c = 0; c < kC; ++c) acc += weight[o * kC + c] * (in[c][x] - zp_in);
      want[o * kW + x] = requantize_accumulator(acc, m[o], zp_out, ActivationRange{});
    }
  }
  const int saved = std::fegetround();
  for (int mode : {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
    ASSERT_EQ(std::fesetround(mode), 0);
    // Packed under the mode too (the float form's constants are rounded to nearest regardless).
    const PackedConvInt8 packed = pack_conv1x1_int8(weight, bias, kC, kO, zp_in, m, zp_out, ActivationRange{}).value();
    ASSERT_FALSE(packed.float_requant.empty());
    for (Int8ConvPath path : runnable_paths()) {
      std::vector<int8_t> got(want.size(), kSentinelByte);
      int8_t* out[kO];
      for (int o = 0; o < kO; ++o) out[o] = got.data() + o * kW;
      conv1x1_int8_rows_on(path, packed, in, kW, out);
      EXPECT_EQ(got, want) << int8_path_name(path) << " rounding mode " << mode;
    }
  }
  std::fesetround(saved);
}

// The tap-list filter row (the INT8 bicubic skip's phase filters) on every path against the formula.
TEST(TapFilterInt8Row, PathsMatchTheFormula) {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> q8(-128, 127), w8(-127, 127), shift(-12, 2);
  for (int w : {1, 7, 16, 17, 40, 100}) {
    for (int trial = 0; trial < 20; ++trial) {
      constexpr int kRows = 5, kReach = 2;
      std::vector<std::vector<int8_t>> data(kRows, std::vector<int8_t>(w + 2 * kReach));
      for (auto& row : data) {
        for (int8_t& v : row) v = static_cast<int8_t>(q8(rng));
      }
      std::vector<const int8_t*> rows;
      for (auto& row : data) rows.push_back(row.data() + kReach);
      std::vector<Int8Tap> taps;
      for (int t = 0; t < 1 + trial % 16; ++t) taps.push_back({t % kRows, t % 5 - kReach, w8(rng)});
      const QuantizedMultiplier m{static_cast<int32_t>((1u << 30) + rng() % (1u << 30)), shift(rng)};
      const int32_t zp_in = q8(rng), zp_out = q8(rng);
      std::vector<int8_t> want(w);
      for (int x = 0; x < w; ++x) {
        int32_t acc = 0;
        for (const Int8Tap& t : taps) acc += t.w * (rows[t.row][x + t.dx] - zp_in);
        want[x] = requantize_accumulator(acc, m, zp_out, {});
      }
      for (Int8ConvPath path : runnable_paths()) {
        std::vector<int8_t> got(w + 16, kSentinelByte);
        EXPECT_EQ(tap_filter_int8_row_on(path, taps, rows.data(), w, zp_in, m, zp_out, got.data()), path);
        EXPECT_EQ(std::vector<int8_t>(got.begin(), got.begin() + w), want) << int8_path_name(path) << " w " << w;
        EXPECT_EQ(got[w], kSentinelByte);  // nothing written past the row
      }
    }
  }
}

// The residual add row on every path against add_int8_element: random parameters (input scales from equal to far
// apart, output scales that make M_out tiny or near 1), a ReLU clamp, every input pair, lengths around 16, and an
// output aliasing an input (the executor adds a third addend in place).
TEST(AddInt8Row, PathsMatchTheElementFunction) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<double> u01(0.0, 1.0);
  std::uniform_int_distribution<int> q8(-128, 127);
  const auto pow2 = [&](double lo, double hi) { return static_cast<float>(std::exp2(lo + (hi - lo) * u01(rng))); };
  std::vector<int8_t> a(256 * 256), b(256 * 256);
  for (int i = 0; i < 256 * 256; ++i) {  // every pair of bit patterns
    a[i] = static_cast<int8_t>(i >> 8);
    b[i] = static_cast<int8_t>(i & 0xFF);
  }
  int checked = 0, linear = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const QuantParams pa{pow2(-9, -2), q8(rng)}, pb{pow2(-9, -2), q8(rng)};
    const QuantParams po{std::max(pa.scale, pb.scale) * pow2(-1, 4), q8(rng)};
    const Result<AddParams> params =
        make_add_params(pa, pb, po, trial % 3 == 0 ? FusedActivation::kRelu : FusedActivation::kNone);
    if (!params.ok()) continue;  // M_out >= 1: TFLite rejects it too
    std::vector<int8_t> want(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) want[i] = add_int8_element(a[i], b[i], *params);
    const PackedAddInt8 packed = pack_add_int8(*params);
    linear += packed.linear;
    for (Int8ConvPath path : runnable_paths()) {
      for (int n : {1, 15, 16, 17, 65536}) {
        std::vector<int8_t> got(n + 1, kSentinelByte);
        EXPECT_EQ(add_int8_row_on(path, packed, a.data(), b.data(), n, got.data()), path);
        ASSERT_TRUE(std::equal(got.begin(), got.begin() + n, want.begin())) << int8_path_name(path) << " n " << n;
        EXPECT_EQ(got[n], kSentinelByte);
      }
      std::vector<int8_t> in_place(a.begin(), a.begin() + 100);
      add_int8_row_on(path, packed, in_place.data(), b.data(), 100, in_place.data());
      EXPECT_TRUE(std::equal(in_place.begin(), in_place.end(), want.begin())) << int8_path_name(path);
    }
    ++checked;
  }
  EXPECT_GT(checked, 30);
  EXPECT_EQ(linear, checked);  // every drawn add has the linear form (its AVX-512 path ran)
}

// pack_add_int8's linear form of each input's rescaling equals MBQM((q − zp) · 2^20, M) on every q, for input
// multipliers from 2^-30 to nearly 1; and the AVX-512 add computes with it exactly where a unit of the rescaled sum
// shows in the output: hand-made parameters whose rescalings are a few hundred units and whose output multiplier is
// a quarter (make_add_params' are ~2^20 units per output step, where an error in the fixes would rarely show).
TEST(AddInt8Row, LinearFormIsExactWhereEveryUnitShows) {
  std::mt19937 rng(20261206);
  std::uniform_int_distribution<int> q8(-128, 127);
  std::uniform_int_distribution<int32_t> mantissa((int32_t{1} << 30), INT32_MAX);
  int with_fixes = 0;
  for (int trial = 0; trial < 200; ++trial) {
    AddParams p;
    p.input1_offset = -q8(rng);
    p.input2_offset = -q8(rng);
    p.output_offset = q8(rng);
    const bool rows = trial % 10 == 0;  // every pair of inputs through the rows on a tenth of the trials, whose
                                        // rescalings are within ±400 units (right shifts of 20 and 21)
    p.input1_multiplier = {mantissa(rng), rows ? -20 : -std::uniform_int_distribution<int>(0, 30)(rng)};
    p.input2_multiplier = {mantissa(rng), rows ? -21 : -std::uniform_int_distribution<int>(0, 30)(rng)};
    p.output_multiplier = {int32_t{1} << 30, -1};
    const PackedAddInt8 packed = pack_add_int8(p);
    ASSERT_TRUE(packed.linear) << "trial " << trial;
    for (int i = 0; i < 2; ++i) {
      const int32_t offset = i == 0 ? p.input1_offset : p.input2_offset;
      const QuantizedMultiplier m = i == 0 ? p.input1_multiplier : p.input2_multiplier;
      bool nonzero = false;
      for (int q = -128; q <= 127; ++q) {
        const PackedAddInt8::Linear& l = packed.input[i];
        const int8_t fix = packed.fix[i][static_cast<uint8_t>(q)];
        nonzero |= fix != 0;
        ASSERT_EQ(((q * l.slope + l.offset) >> l.shift) + fix,
                  multiply_by_quantized_multiplier((offset + q) * (1 << p.left_shift), m))
            << "trial " << trial << " input " << i << " q " << q;
      }
      with_fixes += nonzero;
    }
    if (!rows) continue;
    std::vector<int8_t> a(256 * 256), b(256 * 256), want(256 * 256);
    for (int i = 0; i < 256 * 256; ++i) {
      a[i] = static_cast<int8_t>(i >> 8);
      b[i] = static_cast<int8_t>(i & 0xFF);
      want[i] = add_int8_element(a[i], b[i], p);
    }
    for (Int8ConvPath path : runnable_paths()) {
      std::vector<int8_t> got(a.size());
      add_int8_row_on(path, packed, a.data(), b.data(), static_cast<int>(a.size()), got.data());
      ASSERT_EQ(got, want) << int8_path_name(path) << " trial " << trial;
    }
  }
  EXPECT_GT(with_fixes, 100);  // the fixes are exercised, not all zero
}

// Without bias, with zero points at the int8 extremes and inputs at the extremes: the folded constants' edges.
TEST(KernelConv3x3Int8, ExtremeZeroPointsAndInputs) {
  std::mt19937 rng(7);
  const std::vector<Int8ConvPath> paths = runnable_paths();
  for (int zp_in : {-128, 127, 0}) {
    for (int w : {1, 15, 16, 17, 33}) {
      Problem pr;
      while (!make_problem(rng, 6, 6, 4, w, pr)) {
      }
      pr.conv.bias.clear();
      pr.input.params.zero_point = zp_in;
      for (int8_t& v : pr.input.data) v = static_cast<int8_t>(std::uniform_int_distribution<int>(0, 1)(rng) ? 127 : -128);
      const std::vector<QuantizedMultiplier> m =
          conv2d_output_multipliers(pr.input.params.scale, pr.conv.weight_scales, pr.output.scale).value();
      pr.packed = pack_conv3x3_int8(pr.conv.weight, {}, 6, 6, zp_in, m, pr.output.zero_point,
                                    activation_range(pr.activation, pr.output).value())
                      .value();
      const Result<QuantizedMap> ref = conv2d_int8(pr.input, pr.conv, pr.output, pr.activation);
      ASSERT_TRUE(ref.ok()) << ref.status().message();
      PaddedInput in(pr.input, rng);
      for (Int8ConvPath path : paths) {
        SCOPED_TRACE("path " + std::string(int8_path_name(path)) + " zp_in=" + std::to_string(zp_in));
        EXPECT_EQ(compare_rows(in, ref.value(),
                               [&](const int8_t* const* rows, int8_t* const* out) {
                                 conv3x3_int8_rows_on(path, pr.packed, rows, w, out);
                               }),
                  0);
      }
    }
  }
}

// The dispatched entry point follows the thread's ISA (every ISA this CPU runs) and matches the oracle.
TEST(KernelConv3x3Int8, DispatchFollowsThreadIsa) {
  std::mt19937 rng(11);
  Problem pr;
  while (!make_problem(rng, 6, 12, 3, 37, pr)) {
  }
  const QuantizedMap ref = conv2d_int8(pr.input, pr.conv, pr.output, pr.activation).value();
  PaddedInput in(pr.input, rng);
  testing::IsaLoop isas;
  isas.run([&](const std::string& isa) {
    const Int8ConvPath want = int8_path_for(KernelIsa::current());
    EXPECT_TRUE(int8_path_supported(want));
    if (isa.rfind("avx3", 0) != 0 && isa != "avx2") {
      EXPECT_EQ(want, Int8ConvPath::kScalar);
    }
    EXPECT_EQ(compare_rows(in, ref,
                           [&](const int8_t* const* rows, int8_t* const* out) {
                             EXPECT_EQ(conv3x3_int8_rows(pr.packed, rows, 37, out), want);
                           }),
              0);
  });
}

// On a CPU with AVX512-VNNI and VBMI the default (best-ISA) dispatch must really run the AVX-512 VNNI path.
TEST(KernelConv3x3Int8, Avx512VnniPathRunsWhereTheCpuHasIt) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool cpu = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vbmi") &&
                   __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  if (!cpu) GTEST_SKIP() << "this CPU lacks AVX512-VNNI/VBMI";
  EXPECT_TRUE(int8_path_supported(Int8ConvPath::kAvx512Vnni));
  // The int8 dispatch follows the thread's KernelIsa: the AVX-512 path runs under an avx3 target only (sanitizer
  // builds compile fewer Highway targets: their best may be avx2, whose int8 path is AVX-VNNI).
  if (KernelIsa::best().name().rfind("avx3", 0) != 0) {
    GTEST_SKIP() << "this build's best kernel ISA is " << KernelIsa::best().name() << ", not avx3";
  }
  std::mt19937 rng(3);
  Problem pr;
  while (!make_problem(rng, 3, 6, 3, 20, pr)) {
  }
  PaddedInput in(pr.input, rng);
  std::vector<int8_t> out(6 * 20);
  std::vector<int8_t*> out_rows;
  for (int o = 0; o < 6; ++o) out_rows.push_back(out.data() + o * 20);
  EXPECT_EQ(conv3x3_int8_rows(pr.packed, in.rows_for(1).data(), 20, out_rows.data()), Int8ConvPath::kAvx512Vnni);
#else
  GTEST_SKIP() << "not x86-64";
#endif
}

TEST(KernelConv3x3Int8, PackRejectsBadArguments) {
  const std::vector<int8_t> w(2 * 3 * 9, 1);
  const std::vector<QuantizedMultiplier> m(2, QuantizedMultiplier{1 << 30, -3});
  EXPECT_TRUE(pack_conv3x3_int8(w, {}, 3, 2, 0, m, 0, {}).ok());
  EXPECT_FALSE(pack_conv3x3_int8(w, {}, 2, 2, 0, m, 0, {}).ok());                          // weight size
  EXPECT_FALSE(pack_conv3x3_int8(w, std::vector<int32_t>(3), 3, 2, 0, m, 0, {}).ok());     // bias size
  EXPECT_FALSE(pack_conv3x3_int8(w, {}, 3, 2, 128, m, 0, {}).ok());                        // zp_in
  EXPECT_FALSE(pack_conv3x3_int8(w, {}, 3, 2, 0, m, 0, ActivationRange{10, 5}).ok());      // range
  const std::vector<QuantizedMultiplier> bad(2, QuantizedMultiplier{1 << 29, 0});
  EXPECT_FALSE(pack_conv3x3_int8(w, {}, 3, 2, 0, bad, 0, {}).ok());                        // mantissa
}

}  // namespace
}  // namespace litesr

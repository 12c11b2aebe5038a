// The INT8 3x3 conv row kernel (runtime/kernel_conv3x3_int8.h) against the scalar oracle conv2d_int8
// (quant/reference_ops.h), integers equal bit for bit, on every path this CPU runs (the others are skipped with a
// message): random weights, inputs, zero points, multipliers from tiny to large, ReLU/ReLU6 clamps, widths 1..70.
// Rows carry random canary bytes beyond their zero-point halo (a kernel that reads them would differ) and outputs
// sentinels around [0, width) (a kernel that writes outside would be caught).
#include "runtime/kernel_conv3x3_int8.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "quant/reference_ops.h"
#include "runtime/kernel_conv.h"
#include "runtime/kernel_dispatch.h"
#include "testing/isa_loop.h"

namespace litesr {
namespace {

constexpr int kGuard = 64;  // bytes beyond the halo on each side of a row: canaries (inputs) / sentinels (outputs)
constexpr int8_t kSentinel = 0x5A;
constexpr Int8ConvPath kPaths[] = {Int8ConvPath::kScalar, Int8ConvPath::kAvx2, Int8ConvPath::kAvxVnni,
                                   Int8ConvPath::kAvx512Vnni};

// A random int8 conv problem: input map C x H x W, quantized conv, output params and activation, plus the
// packed kernel weights built from the same integers.
struct Problem {
  QuantizedMap input;
  QuantizedConv2d conv;
  QuantParams output;
  FusedActivation activation = FusedActivation::kNone;
  PackedConv3x3Int8 packed;
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
  Result<PackedConv3x3Int8> packed = pack_conv3x3_int8(pr.conv.weight, pr.conv.bias, c, o, pr.input.params.zero_point,
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
    stride = static_cast<size_t>(w) + 2 + 2 * kGuard;
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
  int8_t* row(int ci, int y) { return data.data() + (static_cast<size_t>(ci) * (h + 2) + (y + 1)) * stride + kGuard + 1; }
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
  const size_t stride = static_cast<size_t>(w) + 2 * kGuard;
  std::vector<int8_t> out(static_cast<size_t>(o) * stride);
  int mismatches = 0;
  for (int y = 0; y < h; ++y) {
    std::fill(out.begin(), out.end(), kSentinel);
    std::vector<int8_t*> out_rows;
    for (int oc = 0; oc < o; ++oc) out_rows.push_back(out.data() + oc * stride + kGuard);
    const std::vector<const int8_t*> in_rows = in.rows_for(y);
    kernel(in_rows.data(), out_rows.data());
    for (int oc = 0; oc < o; ++oc) {
      for (int x = -kGuard; x < w + kGuard; ++x) {
        const int8_t got = out_rows[oc][x];
        const int8_t want = (x < 0 || x >= w) ? kSentinel : expected.at(oc, y, x);
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
  for (int c : {1, 3, 6, 8, 13}) {
    for (int o : {1, 6, 12, 48}) {
      for (int w = 1; w <= 70; ++w) {
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

// Timing, not a test (speed goals live in bench/): disabled; run with --gtest_also_run_disabled_tests
// --gtest_filter='*SpeedVsFloat*'. Until it moves to bench/ it is how the 1.25x / 2.1x figures were measured.
// Speed: the dispatched int8 kernel (and every other int8 path this CPU runs) against the dispatched float 3x3
// kernel on the same shape and row count, best of 5 runs of 2000 rows each (200 for the non-dispatched int8 paths); prints ns/row and float/int8. ELSR's
// conv2 (C = 6, O = 6, W = 320) and a wider layer (C = O = 32) where the per-output requantization weighs less.
// The timed outputs of every path are checked against the scalar path's (so every timed kernel is a correct one).
constexpr int kRows = 2000;  // rows per timed run

void time_int8_vs_float(int channels_in, int channels_out, int width) {
  std::mt19937 rng(5);
  Problem pr;
  while (!make_problem(rng, channels_in, channels_out, 3, width, pr)) {
  }
  PaddedInput in(pr.input, rng);
  const std::vector<const int8_t*> rows8 = in.rows_for(1);
  const size_t plane = static_cast<size_t>(width);
  std::vector<int8_t> out8(channels_out * plane), out8_scalar(channels_out * plane);
  std::vector<int8_t*> orows8, orows8s;
  for (int o = 0; o < channels_out; ++o) {
    orows8.push_back(out8.data() + o * plane);
    orows8s.push_back(out8_scalar.data() + o * plane);
  }
  conv3x3_int8_rows_on(Int8ConvPath::kScalar, pr.packed, rows8.data(), width, orows8s.data());
  // Float: same shape, rows with a zero halo.
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> wf(static_cast<size_t>(channels_out) * channels_in * 9), bias(channels_out);
  for (float& v : wf) v = u(rng);
  for (float& v : bias) v = u(rng);
  const PackedConv pf = pack_conv3x3_f32(wf, channels_in, channels_out).value();
  const size_t fstride = plane + 2 + 30;
  std::vector<float> inf(channels_in * 3 * fstride, 0.0f), outf(channels_out * fstride, 0.0f);
  std::vector<const float*> frows;
  std::vector<float*> forows;
  for (int r = 0; r < channels_in * 3; ++r) {
    float* p = inf.data() + r * fstride + 16;
    for (int x = 0; x < width; ++x) p[x] = u(rng);
    frows.push_back(p);
  }
  for (int o = 0; o < channels_out; ++o) forows.push_back(outf.data() + o * fstride + 16);
  Epilogue ep;
  ep.bias = bias.data();
  ep.activation = Activation::kRelu;

  const auto best_ns = [](auto&& body, int rows = kRows) {
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < rows; ++i) body();
      const auto t1 = std::chrono::steady_clock::now();
      best = std::min(best, std::chrono::duration<double, std::nano>(t1 - t0).count() / rows);
    }
    return best;
  };
  const double nsf = best_ns([&] { conv3x3_f32_rows(pf, frows.data(), width, ep, forows.data()); });
  // The float kernel on AVX2 too, the fair comparison for the 256-bit int8 paths.
  double nsf_avx2 = 0.0;
  if (const Result<KernelIsa> avx2 = KernelIsa::named("avx2"); avx2.ok()) {
    const ThreadIsaScope scope(avx2.value());
    nsf_avx2 = best_ns([&] { conv3x3_f32_rows(pf, frows.data(), width, ep, forows.data()); });
  }
  Int8ConvPath ran = Int8ConvPath::kScalar;
  const double ns8 = best_ns([&] { ran = conv3x3_int8_rows(pr.packed, rows8.data(), width, orows8.data()); });
  EXPECT_EQ(out8, out8_scalar);
  std::printf("conv3x3 C=%d O=%d W=%d, one row: float [%s] %.0f ns; int8 [%s, dispatched] %.0f ns: float/int8 = %.2fx\n",
              channels_in, channels_out, width, active_isa().c_str(), nsf, std::string(int8_path_name(ran)).c_str(),
              ns8, nsf / ns8);
  for (Int8ConvPath path : kPaths) {
    if (!int8_path_supported(path) || path == ran) continue;
    std::fill(out8.begin(), out8.end(), int8_t{0});
    // The slower paths with a tenth of the rows (this is a unit test too).
    const double ns =
        best_ns([&] { conv3x3_int8_rows_on(path, pr.packed, rows8.data(), width, orows8.data()); }, kRows / 10);
    EXPECT_EQ(out8, out8_scalar) << int8_path_name(path);
    std::printf("    int8 [%s] %.0f ns: float/int8 = %.2fx (float [avx2] %.0f ns: %.2fx)\n",
                std::string(int8_path_name(path)).c_str(), ns, nsf / ns, nsf_avx2, nsf_avx2 / ns);
  }
}

TEST(KernelConv3x3Int8, DISABLED_SpeedVsFloatElsrConv2) { time_int8_vs_float(6, 6, 320); }
TEST(KernelConv3x3Int8, DISABLED_SpeedVsFloatWideLayer) { time_int8_vs_float(32, 32, 320); }

}  // namespace
}  // namespace litesr

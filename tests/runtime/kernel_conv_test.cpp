// The Highway conv kernels (kernel_conv.h) against their plain-loop references, for every ISA this CPU
// runs: odd widths and remainders, every output-channel block specialisation, every epilogue.
#include "runtime/kernel_conv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "runtime/kernel_dispatch.h"
#include "testing/isa_loop.h"
#include "testing/random_floats.h"

namespace litesr {
namespace {

using litesr::testing::IsaLoop;

constexpr int kGuard = 32;  // floats beyond the halo on each side: NaN canaries (inputs) / sentinels (outputs)
constexpr float kSentinel = -12345.0f;
const std::vector<int> kWidths = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 48, 64, 100, 1000, 1283};

// `count` rows of `width` values with a zero halo at x = -1 and x = width and `fill` beyond it.
struct Rows {
  Rows(int count, int width, float fill) : width(width), stride(width + 2 + 2 * kGuard) {
    data.assign(static_cast<size_t>(count) * stride, fill);
    for (int i = 0; i < count; ++i) {
      float* p = &data[static_cast<size_t>(i) * stride + kGuard + 1];
      p[-1] = 0.0f;
      p[width] = 0.0f;
      ptrs.push_back(p);
    }
  }
  void randomize(std::mt19937& rng, float lo, float hi) {
    std::uniform_real_distribution<float> u(lo, hi);
    for (float* p : ptrs) std::generate(p, p + width, [&] { return u(rng); });
  }
  std::vector<const float*> cptrs() const { return {ptrs.begin(), ptrs.end()}; }
  int width;
  size_t stride;
  std::vector<float> data;
  std::vector<float*> ptrs;
};

using Kernel = void (*)(const PackedConv&, const float* const*, int, const Epilogue&, float* const*);

struct Setup {
  ConvKind kind;
  int cin, cout;
};

int in_rows_per_channel(ConvKind k) { return k == ConvKind::kConv1x1 ? 1 : 3; }

Result<PackedConv> pack(ConvKind kind, const std::vector<float>& w, int cin, int cout) {
  switch (kind) {
    case ConvKind::kConv3x3: return pack_conv3x3_f32(w, cin, cout);
    case ConvKind::kConv1x1: return pack_conv1x1_f32(w, cin, cout);
    case ConvKind::kDwConv3x3: return pack_dwconv3x3_f32(w, cout);
  }
  return internal_error("kind");
}

Kernel opt_kernel(ConvKind k) {
  return k == ConvKind::kConv3x3 ? conv3x3_f32_rows : k == ConvKind::kConv1x1 ? conv1x1_f32_rows : dwconv3x3_f32_rows;
}
Kernel ref_kernel(ConvKind k) {
  return k == ConvKind::kConv3x3   ? conv3x3_f32_rows_ref
         : k == ConvKind::kConv1x1 ? conv1x1_f32_rows_ref
                                   : dwconv3x3_f32_rows_ref;
}

// Runs the optimized kernel and the reference on the same random data and compares:
// |opt - ref| <= 1e-5 * max(1, magnitude), magnitude = the same conv on |w|, |x|, |bias|, |residual|.
// Also checks that nothing outside [0, width) of the outputs was written and that the kernel read no
// input beyond the halo (NaN canaries there would poison the output).
void check_conv(ConvKind kind, int cin, int cout, int width, Activation act, bool bias_on, bool residual_on,
                uint32_t seed, const std::vector<uint16_t>* tap_sets = nullptr) {
  SCOPED_TRACE("cin " + std::to_string(cin) + " cout " + std::to_string(cout) + " width " +
               std::to_string(width) + " act " + std::to_string(static_cast<int>(act)) + " bias " +
               std::to_string(bias_on) + " residual " + std::to_string(residual_on));
  std::mt19937 rng(seed);
  const int taps = kind == ConvKind::kConv1x1 ? 1 : 9;
  const int wcin = kind == ConvKind::kDwConv3x3 ? 1 : cin;
  std::vector<float> w = testing::random_floats(static_cast<size_t>(cout) * wcin * taps, rng, -0.5f, 0.5f);
  if (tap_sets != nullptr) {  // output channel co reads only the taps in (*tap_sets)[co % size]
    for (int co = 0; co < cout; ++co) {
      const unsigned set = (*tap_sets)[static_cast<size_t>(co) % tap_sets->size()];
      for (int i = 0; i < wcin * taps; ++i) {
        if ((set >> (i % taps) & 1u) == 0) w[static_cast<size_t>(co) * wcin * taps + i] = 0.0f;
      }
    }
  }
  std::vector<float> bias = testing::random_floats(cout, rng, -0.5f, 0.5f);
  std::vector<float> slopes = testing::random_floats(cout, rng, 0.0f, 0.5f);
  Result<PackedConv> packed = pack(kind, w, cin, cout);
  ASSERT_TRUE(packed.ok()) << packed.status().to_string();
  if (tap_sets != nullptr) {
    ASSERT_FALSE(packed->order.empty()) << "the zero taps were not found";
  }

  const float nan = std::numeric_limits<float>::quiet_NaN();
  Rows in(cin * in_rows_per_channel(kind), width, nan), res(cout, width, nan);
  in.randomize(rng, -1.0f, 1.0f);
  res.randomize(rng, -1.0f, 1.0f);
  Rows out(cout, width, kSentinel), expect(cout, width, kSentinel), mag(cout, width, 0.0f);
  const std::vector<const float*> in_p = in.cptrs(), res_p = res.cptrs();

  Epilogue ep;
  ep.bias = bias_on ? bias.data() : nullptr;
  ep.activation = act;
  ep.slope = 0.2f;
  ep.slopes = slopes.data();
  ep.residual = residual_on ? res_p.data() : nullptr;
  opt_kernel(kind)(*packed, in_p.data(), width, ep, out.ptrs.data());
  ref_kernel(kind)(*packed, in_p.data(), width, ep, expect.ptrs.data());

  // Magnitude: the reference on absolute values (halo stays 0; canaries replaced by 0).
  std::vector<float> wa(w.size()), ba(bias.size());
  std::transform(w.begin(), w.end(), wa.begin(), [](float v) { return std::fabs(v); });
  std::transform(bias.begin(), bias.end(), ba.begin(), [](float v) { return std::fabs(v); });
  Rows in_abs(cin * in_rows_per_channel(kind), width, 0.0f), res_abs(cout, width, 0.0f);
  for (size_t r = 0; r < in.ptrs.size(); ++r) {
    for (int x = 0; x < width; ++x) in_abs.ptrs[r][x] = std::fabs(in.ptrs[r][x]);
  }
  for (int c = 0; c < cout; ++c) {
    for (int x = 0; x < width; ++x) res_abs.ptrs[c][x] = std::fabs(res.ptrs[c][x]);
  }
  PackedConv abs_w = *pack(kind, wa, cin, cout);
  const std::vector<const float*> in_abs_p = in_abs.cptrs(), res_abs_p = res_abs.cptrs();
  Epilogue ep_abs;
  ep_abs.bias = ba.data();
  ep_abs.residual = res_abs_p.data();
  ref_kernel(kind)(abs_w, in_abs_p.data(), width, ep_abs, mag.ptrs.data());

  int failures = 0;
  for (int c = 0; c < cout && failures < 5; ++c) {
    for (int x = 0; x < width && failures < 5; ++x) {
      const float got = out.ptrs[c][x], want = expect.ptrs[c][x];
      const float tol = 1e-5f * std::max(1.0f, mag.ptrs[c][x]);
      if (!(std::fabs(got - want) <= tol)) {
        ADD_FAILURE() << "channel " << c << " x " << x << ": got " << got << " want " << want << " tol " << tol;
        ++failures;
      }
    }
    // Outside [0, width): untouched.
    const float* row = out.ptrs[c];
    for (int x = -1 - kGuard; x < 0; ++x) {
      if (row[x] != (x == -1 ? 0.0f : kSentinel)) {
        ADD_FAILURE() << "channel " << c << " wrote x = " << x;
        ++failures;
        break;
      }
    }
    for (int x = width; x < width + 1 + kGuard; ++x) {
      if (row[x] != (x == width ? 0.0f : kSentinel)) {
        ADD_FAILURE() << "channel " << c << " wrote x = " << x;
        ++failures;
        break;
      }
    }
  }
}

// Every cout 1..17 (all block specialisations and splits), the zoo's shapes, large counts.
const std::vector<std::pair<int, int>> kDenseShapes = {
    {3, 6},  {6, 6},  {6, 12}, {6, 27}, {6, 48},  {3, 8},  {8, 8},  {8, 48}, {62, 8}, {16, 32},
    {32, 16}, {32, 64}, {64, 3}, {2, 1}, {2, 2},  {2, 3},  {2, 4},  {2, 5},  {2, 7},  {2, 9},
    {2, 10}, {2, 11}, {2, 13}, {2, 14}, {2, 15}, {2, 16}, {2, 17}, {1, 6},  {5, 24}, {9, 36}};

TEST(KernelConv3x3, MatchesReferenceAllShapesWidthsIsas) {
  IsaLoop isas;
  isas.run([&](const std::string&) {
    uint32_t seed = 1;
    for (auto [cin, cout] : kDenseShapes) {
      for (int width : kWidths) check_conv(ConvKind::kConv3x3, cin, cout, width, Activation::kNone, true, false, seed++);
    }
  });
}

TEST(KernelConv3x3, EpilogueVariants) {
  IsaLoop isas;
  isas.run([&](const std::string&) {
    uint32_t seed = 100;
    for (Activation act : {Activation::kNone, Activation::kRelu, Activation::kLeakyRelu, Activation::kPrelu,
                           Activation::kTanh}) {
      for (bool bias : {false, true}) {
        for (bool residual : {false, true}) {
          for (auto [cin, cout] : std::vector<std::pair<int, int>>{{6, 6}, {8, 8}, {6, 27}, {3, 5}}) {
            for (int width : {1, 7, 17, 33, 320}) {
              check_conv(ConvKind::kConv3x3, cin, cout, width, act, bias, residual, seed++);
            }
          }
        }
      }
    }
  });
}

// Output channels that read different subsets of the taps (PackedConv::order): the phases of a conv_transpose2d
// 9x9 / stride 4 lowered to a 3x3 conv (phase 0 of a dimension reads offsets −1, 0, +1, phases 1-3 read 0, +1), random
// subsets and an all-zero channel. The reordered kernel, which skips each block's zero taps, equals the reference
// on every ISA and width, with every epilogue (bias, PReLU slopes and residual rows follow the channels).
TEST(KernelConv3x3, ZeroTapsAreSkippedAndMatchTheReference) {
  std::vector<uint16_t> deconv;  // channel i·4 + j: phase (i, j)
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      const unsigned rows = i == 0 ? 7u : 6u, cols = j == 0 ? 7u : 6u;  // bit k: offset k − 1
      uint16_t set = 0;
      for (int ky = 0; ky < 3; ++ky) {
        for (int kx = 0; kx < 3; ++kx) {
          if ((rows >> ky & 1u) != 0 && (cols >> kx & 1u) != 0) set |= static_cast<uint16_t>(1u << (ky * 3 + kx));
        }
      }
      deconv.push_back(set);
    }
  }
  const std::vector<uint16_t> mixed = {0x1FF, 0x010, 0x000, 0x0DB, 0x1B0, 0x010, 0x049, 0x124, 0x038};
  IsaLoop isas;
  isas.run([&](const std::string&) {
    uint32_t seed = 300;
    for (const std::vector<uint16_t>* sets : std::vector<const std::vector<uint16_t>*>{&deconv, &mixed}) {
      for (auto [cin, cout] : std::vector<std::pair<int, int>>{{56, 16}, {56, 48}, {12, 9}, {12, 23}, {3, 9}}) {
        for (int width : {1, 7, 17, 33, 320}) {
          check_conv(ConvKind::kConv3x3, cin, cout, width, Activation::kNone, true, false, seed++, sets);
        }
      }
      for (Activation act : {Activation::kPrelu, Activation::kLeakyRelu}) {
        check_conv(ConvKind::kConv3x3, 56, 16, 45, act, true, true, seed++, sets);
        check_conv(ConvKind::kConv3x3, 12, 9, 45, act, false, true, seed++, sets);
      }
    }
  });
}

TEST(KernelConv1x1, MatchesReferenceAllShapesWidthsIsas) {
  IsaLoop isas;
  isas.run([&](const std::string&) {
    uint32_t seed = 1000;
    std::vector<std::pair<int, int>> shapes = kDenseShapes;
    shapes.insert(shapes.end(), {{72, 144}, {144, 72}, {3, 32}, {128, 3}});
    for (auto [cin, cout] : shapes) {
      for (int width : kWidths) check_conv(ConvKind::kConv1x1, cin, cout, width, Activation::kNone, true, false, seed++);
    }
  });
}

TEST(KernelConv1x1, EpilogueVariants) {
  IsaLoop isas;
  isas.run([&](const std::string&) {
    uint32_t seed = 2000;
    for (Activation act : {Activation::kNone, Activation::kRelu, Activation::kLeakyRelu, Activation::kPrelu,
                           Activation::kTanh}) {
      for (bool residual : {false, true}) {
        for (int width : {1, 3, 15, 17, 333}) {
          check_conv(ConvKind::kConv1x1, 16, 32, width, act, true, residual, seed++);
          check_conv(ConvKind::kConv1x1, 32, 7, width, act, false, residual, seed++);
        }
      }
    }
  });
}

TEST(KernelDwConv3x3, MatchesReferenceAllWidthsEpiloguesIsas) {
  IsaLoop isas;
  isas.run([&](const std::string&) {
    uint32_t seed = 3000;
    for (int ch : {1, 3, 8, 32, 144}) {
      for (int width : kWidths) check_conv(ConvKind::kDwConv3x3, ch, ch, width, Activation::kLeakyRelu, true, false, seed++);
    }
    for (Activation act : {Activation::kNone, Activation::kRelu, Activation::kLeakyRelu, Activation::kPrelu,
                           Activation::kTanh}) {
      for (bool residual : {false, true}) {
        for (int width : {1, 2, 17, 65}) check_conv(ConvKind::kDwConv3x3, 8, 8, width, act, false, residual, seed++);
      }
    }
  });
}

// A 1x1 image through the whole row interface: rows above/below are the shared zero row.
TEST(KernelConv3x3, OnePixelImageUsesOnlyTheCentreTap) {
  IsaLoop isas;
  isas.run([&](const std::string&) {
    std::vector<float> w(2 * 9);
    for (int i = 0; i < 18; ++i) w[i] = static_cast<float>(i + 1);
    PackedConv p = *pack_conv3x3_f32(w, 2, 1);
    float zero[3] = {0, 0, 0}, a[3] = {0, 2.0f, 0}, b[3] = {0, -1.0f, 0};
    const float* in[6] = {zero + 1, a + 1, zero + 1, zero + 1, b + 1, zero + 1};
    float out[3] = {7, 7, 7};
    float* out_p[1] = {out + 1};
    conv3x3_f32_rows(p, in, 1, Epilogue{}, out_p);
    EXPECT_FLOAT_EQ(out[1], 2.0f * 5 + -1.0f * 14);  // centre taps w[4], w[13]
    EXPECT_EQ(out[0], 7.0f);
    EXPECT_EQ(out[2], 7.0f);
  });
}

// scale_conv_inputs: the conv with input-scaled weights equals the conv on input-scaled rows (the
// squeeze-excite fold of the band executor), for every kind, through the optimized and reference kernels;
// the 6 -> 20 conv3x3 on 70-pixel rows is packed and run as Winograd F(4,3) (its U weights scaled too).
TEST(KernelConv, ScaledInputWeightsEqualScaledInputs) {
  struct Case {
    ConvKind kind;
    int cin, cout, width;
  };
  IsaLoop isas;
  isas.run([](const std::string&) {
    for (const Case& tc : {Case{ConvKind::kConv1x1, 7, 5, 37}, Case{ConvKind::kConv3x3, 7, 5, 37},
                           Case{ConvKind::kDwConv3x3, 7, 7, 37}, Case{ConvKind::kConv3x3, 6, 20, 70}}) {
      const ConvKind kind = tc.kind;
      const int cin = tc.cin, cout = tc.cout, width = tc.width;
      const int taps = kind == ConvKind::kConv1x1 ? 1 : 9, wcin = kind == ConvKind::kDwConv3x3 ? 1 : cin;
      std::mt19937 rng(5);
      const std::vector<float> w = testing::random_floats(static_cast<size_t>(cout) * wcin * taps, rng, -0.5f, 0.5f);
      const std::vector<float> gates = testing::random_floats(cin, rng, 0.0f, 1.0f);
      const PackedConv base = *pack(kind, w, cin, cout);
      PackedConv scaled = base;
      scale_conv_inputs(base, gates.data(), scaled);
      Rows in(cin * in_rows_per_channel(kind), width, 0.0f), gated(cin * in_rows_per_channel(kind), width, 0.0f);
      in.randomize(rng, -1.0f, 1.0f);
      for (size_t r = 0; r < in.ptrs.size(); ++r) {
        const float g = gates[r / in_rows_per_channel(kind)];
        for (int x = 0; x < width; ++x) gated.ptrs[r][x] = in.ptrs[r][x] * g;
      }
      const std::vector<const float*> in_p = in.cptrs(), gated_p = gated.cptrs();
      for (Kernel kernel : {opt_kernel(kind), ref_kernel(kind)}) {
        Rows a(cout, width, 0.0f), b(cout, width, 0.0f);
        kernel(scaled, in_p.data(), width, Epilogue{}, a.ptrs.data());
        kernel(base, gated_p.data(), width, Epilogue{}, b.ptrs.data());
        for (int c = 0; c < cout; ++c) {
          for (int x = 0; x < width; ++x) ASSERT_NEAR(a.ptrs[c][x], b.ptrs[c][x], 1e-5f) << c << " " << x;
        }
      }
      EXPECT_NE(scaled.packed, base.packed);
      if (!base.winograd.empty()) {
        EXPECT_NE(scaled.winograd, base.winograd);
      }
    }
  });
}

TEST(KernelConv, PackRejectsBadShapes) {
  std::vector<float> w(10);
  EXPECT_EQ(pack_conv3x3_f32(w, 1, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(pack_conv1x1_f32(w, 0, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(pack_dwconv3x3_f32(w, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(pack_conv1x1_f32(w, 2, 5).ok());
}

TEST(KernelConv, PackedLayouts) {
  std::vector<float> w(2 * 3 * 9);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i);
  PackedConv p = *pack_conv3x3_f32(w, 3, 2);  // [co=2][ci=3][9]
  // packed [ci][t][co]: ci = 1, t = 4, co = 1 -> weight[(1*3 + 1)*9 + 4]
  EXPECT_EQ(p.packed[(1 * 9 + 4) * 2 + 1], w[(1 * 3 + 1) * 9 + 4]);
  EXPECT_EQ(p.weight, w);
}

}  // namespace
}  // namespace litesr

// The reference executor's convolutions (computed a row at a time) equal their textbook definition — one output at
// a time, bias then each in-image tap's product added in (input channel, ky, kx) order — bit for bit, for every
// kernel size, stride, padding and grouping the graphs use, on images smaller than the kernel too.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "runtime/program.h"
#include "runtime/reference_executor.h"
#include "testing/random_floats.h"

namespace litesr {
namespace {

// PyTorch Conv2d, one output at a time: bias, then w · in over the taps inside the image in (ci, ky, kx) order.
FeatureMap textbook_conv2d(const Step& s, const FeatureMap& in, int out_h, int out_w) {
  const Node& n = s.node;
  const int k = n.kernel, pad = n.padding, st = n.stride, groups = n.groups;
  const int cout = static_cast<int>(s.bias.size()), cin_g = in.channels / groups, cout_g = cout / groups;
  FeatureMap out = FeatureMap::zeros(cout, out_h, out_w);
  for (int o = 0; o < cout; ++o) {
    const float* w = s.weight.data() + static_cast<std::size_t>(o) * cin_g * k * k;
    for (int y = 0; y < out_h; ++y) {
      for (int x = 0; x < out_w; ++x) {
        float acc = s.bias[o];
        for (int ci = 0; ci < cin_g; ++ci) {
          for (int ky = 0; ky < k; ++ky) {
            const int iy = y * st + ky - pad;
            if (iy < 0 || iy >= in.height) continue;
            for (int kx = 0; kx < k; ++kx) {
              const int ix = x * st + kx - pad;
              if (ix < 0 || ix >= in.width) continue;
              acc += w[(ci * k + ky) * k + kx] * in.at(o / cout_g * cin_g + ci, iy, ix);
            }
          }
        }
        out.at(o, y, x) = acc;
      }
    }
  }
  return out;
}

// PyTorch ConvTranspose2d, one output at a time: bias, then in · W over oy = iy·stride − pad + ky (likewise x)
// in (i, ky, kx) order.
FeatureMap textbook_conv_transpose2d(const Step& s, const FeatureMap& in, int out_h, int out_w) {
  const Node& n = s.node;
  const int k = n.kernel, pad = n.padding, st = n.stride, cout = static_cast<int>(s.bias.size());
  FeatureMap out = FeatureMap::zeros(cout, out_h, out_w);
  for (int o = 0; o < cout; ++o) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        float acc = s.bias[o];
        for (int i = 0; i < in.channels; ++i) {
          const float* w = s.weight.data() + (static_cast<std::size_t>(i) * cout + o) * k * k;
          for (int ky = 0; ky < k; ++ky) {
            const int ty = oy + pad - ky;
            if (ty < 0 || ty % st != 0 || ty / st >= in.height) continue;
            for (int kx = 0; kx < k; ++kx) {
              const int tx = ox + pad - kx;
              if (tx < 0 || tx % st != 0 || tx / st >= in.width) continue;
              acc += w[ky * k + kx] * in.at(i, ty / st, tx / st);
            }
          }
        }
        out.at(o, oy, ox) = acc;
      }
    }
  }
  return out;
}

bool bitwise_equal(const FeatureMap& a, const FeatureMap& b) {
  return a.channels == b.channels && a.height == b.height && a.width == b.width &&
         std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) == 0;
}

struct ConvCase {
  int kernel, stride, padding, groups, cin, cout;
};

TEST(ReferenceExecutorConv, Conv2dEqualsItsTextbookDefinitionBitForBit) {
  std::mt19937 rng(7);
  const ConvCase cases[] = {
      {1, 1, 0, 1, 5, 3}, {3, 1, 1, 1, 4, 6}, {5, 1, 2, 1, 3, 2}, {9, 1, 4, 1, 1, 2},  // "same" convs
      {3, 2, 1, 1, 3, 4}, {3, 3, 0, 1, 2, 2}, {4, 2, 1, 1, 2, 3}, {1, 2, 0, 1, 3, 3},  // strided
      {3, 1, 1, 6, 6, 6}, {3, 1, 1, 2, 4, 6}, {3, 1, 0, 1, 2, 2}, {5, 1, 4, 1, 2, 1},  // groups, padding
  };
  const int sizes[][2] = {{1, 1}, {2, 3}, {7, 5}, {16, 9}, {33, 4}};
  for (const ConvCase& c : cases) {
    for (const auto& [h, w] : sizes) {
      const int out_h = (h + 2 * c.padding - c.kernel) / c.stride + 1;
      const int out_w = (w + 2 * c.padding - c.kernel) / c.stride + 1;
      if (out_h < 1 || out_w < 1) continue;
      SCOPED_TRACE(::testing::Message() << "k" << c.kernel << " s" << c.stride << " p" << c.padding << " g" << c.groups
                                        << " " << c.cin << "->" << c.cout << " on " << w << "x" << h);
      Step s;
      s.node.op = OpKind::kConv2d;
      s.node.kernel = c.kernel;
      s.node.stride = c.stride;
      s.node.padding = c.padding;
      s.node.groups = c.groups;
      s.weight = testing::random_floats(static_cast<std::size_t>(c.cout) * (c.cin / c.groups) * c.kernel * c.kernel,
                                        rng, -1.0f, 1.0f);
      s.bias = testing::random_floats(static_cast<std::size_t>(c.cout), rng, -1.0f, 1.0f);
      FeatureMap in = FeatureMap::zeros(c.cin, h, w);
      in.data = testing::random_floats(in.data.size(), rng, -1.0f, 1.0f);
      FeatureMap out = FeatureMap::zeros(c.cout, out_h, out_w);
      const FeatureMap* ins[] = {&in};
      run_step_reference(s, ins, out, nullptr, nullptr, {});
      EXPECT_TRUE(bitwise_equal(out, textbook_conv2d(s, in, out_h, out_w)));
    }
  }
}

TEST(ReferenceExecutorConv, ConvTranspose2dEqualsItsTextbookDefinitionBitForBit) {
  std::mt19937 rng(8);
  // (kernel, stride, padding, output padding): FSRCNN's 9x9 stride-4 deconv and other k + op = s + 2p shapes.
  const int cases[][4] = {{9, 4, 3, 1}, {9, 3, 3, 0}, {9, 2, 4, 1}, {4, 2, 1, 0}, {3, 1, 1, 0}, {2, 2, 0, 0}};
  const int sizes[][2] = {{1, 1}, {2, 3}, {6, 5}, {9, 12}};
  for (const auto& [k, st, pad, op] : cases) {
    for (const auto& [h, w] : sizes) {
      SCOPED_TRACE(::testing::Message() << "k" << k << " s" << st << " p" << pad << " on " << w << "x" << h);
      const int cin = 3, cout = 2;
      const int out_h = (h - 1) * st - 2 * pad + k + op, out_w = (w - 1) * st - 2 * pad + k + op;
      Step s;
      s.node.op = OpKind::kConvTranspose2d;
      s.node.kernel = k;
      s.node.stride = st;
      s.node.padding = pad;
      s.node.output_padding = op;
      s.weight =
          testing::random_floats(static_cast<std::size_t>(cin) * cout * k * k, rng, -1.0f, 1.0f);  // [cin, cout, k, k]
      s.bias = testing::random_floats(static_cast<std::size_t>(cout), rng, -1.0f, 1.0f);
      FeatureMap in = FeatureMap::zeros(cin, h, w);
      in.data = testing::random_floats(in.data.size(), rng, -1.0f, 1.0f);
      FeatureMap out = FeatureMap::zeros(cout, out_h, out_w);
      const FeatureMap* ins[] = {&in};
      run_step_reference(s, ins, out, nullptr, nullptr, {});
      EXPECT_TRUE(bitwise_equal(out, textbook_conv_transpose2d(s, in, out_h, out_w)));
    }
  }
}

}  // namespace
}  // namespace litesr

// Weight packing and the reference (plain-loop) conv kernels: the ground truth for the Highway kernels.
#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <string>

#include "runtime/kernel_conv.h"

namespace litesr {
namespace {

Status check_sizes(std::span<const float> weight, int cin, int cout, size_t per_pair, const char* what) {
  if (cin <= 0 || cout <= 0) {
    return invalid_argument(std::string(what) + ": channel counts must be positive (cin " +
                            std::to_string(cin) + ", cout " + std::to_string(cout) + ")");
  }
  const size_t expected = static_cast<size_t>(cin) * static_cast<size_t>(cout) * per_pair;
  if (weight.size() != expected) {
    return invalid_argument(std::string(what) + ": weight has " + std::to_string(weight.size()) +
                            " values, expected " + std::to_string(expected));
  }
  return Status();
}

}  // namespace

Result<PackedConv> pack_conv3x3_f32(std::span<const float> weight, int cin, int cout) {
  LITESR_RETURN_IF_ERROR(check_sizes(weight, cin, cout, 9, "conv3x3"));
  PackedConv p;
  p.kind = ConvKind::kConv3x3;
  p.cin = cin;
  p.cout = cout;
  p.weight.assign(weight.begin(), weight.end());
  p.packed.resize(weight.size());
  // [cout][cin][9] -> [cin][9][cout]
  for (int co = 0; co < cout; ++co) {
    for (int ci = 0; ci < cin; ++ci) {
      for (int t = 0; t < 9; ++t) {
        p.packed[(static_cast<size_t>(ci) * 9 + t) * cout + co] = weight[(static_cast<size_t>(co) * cin + ci) * 9 + t];
      }
    }
  }
  if (!(cin <= kWinogradMaxCin && cout >= kWinogradMinCout) && cout <= kMaxOrderedCout) {
    // Each output channel's tap set (PackedConv::order): the taps with a nonzero weight for some input channel.
    std::vector<uint16_t> taps(static_cast<size_t>(cout), 0);
    int total = 0;
    for (int co = 0; co < cout; ++co) {
      for (int ci = 0; ci < cin; ++ci) {
        for (int t = 0; t < 9; ++t) {
          if (weight[(static_cast<size_t>(co) * cin + ci) * 9 + t] != 0.0f) taps[co] |= static_cast<uint16_t>(1u << t);
        }
      }
      total += std::popcount(static_cast<unsigned>(taps[co]));
    }
    if (5 * total <= 4 * 9 * cout) {  // at least a fifth of the FMAs are by zero
      p.order.resize(static_cast<size_t>(cout));
      std::iota(p.order.begin(), p.order.end(), 0);
      std::stable_sort(p.order.begin(), p.order.end(), [&](int a, int b) {
        const int na = std::popcount(static_cast<unsigned>(taps[a])),
                  nb = std::popcount(static_cast<unsigned>(taps[b]));
        return na != nb ? na < nb : taps[a] < taps[b];
      });
      unsigned block_taps = 0;
      for (int i = 0; i < cout; ++i) {
        const int co = p.order[i];
        p.taps.push_back(taps[co]);
        // A block grows while its taps stay within the new channel's (fewest taps first: a subset or a new block).
        const bool grows = !p.blocks.empty() && p.blocks.back() < 8 && (block_taps | taps[co]) == taps[co];
        if (grows) {
          ++p.blocks.back();
        } else {
          p.blocks.push_back(1);
        }
        block_taps = grows ? block_taps | taps[co] : taps[co];
        for (int ci = 0; ci < cin; ++ci) {
          for (int t = 0; t < 9; ++t) {
            p.packed[(static_cast<size_t>(ci) * 9 + t) * cout + i] =
                weight[(static_cast<size_t>(co) * cin + ci) * 9 + t];
          }
        }
      }
    }
  }
  if (cin <= kWinogradMaxCin && cout >= kWinogradMinCout) {
    // U = G g for the 3 taps g of each (co, ci, ky); G of F(4,3) (Lavin & Gray 2016), in double, rounded once.
    static constexpr double kG[6][3] = {{1.0 / 4, 0, 0},           {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                        {-1.0 / 6, 1.0 / 6, -1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                        {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
    p.winograd.resize(static_cast<size_t>(cin) * 3 * 6 * cout);
    for (int co = 0; co < cout; ++co) {
      for (int ci = 0; ci < cin; ++ci) {
        for (int ky = 0; ky < 3; ++ky) {
          const float* g = &weight[((static_cast<size_t>(co) * cin + ci) * 3 + ky) * 3];
          for (int k = 0; k < 6; ++k) {
            const double u = kG[k][0] * g[0] + kG[k][1] * g[1] + kG[k][2] * g[2];
            p.winograd[((static_cast<size_t>(ci) * 3 + ky) * 6 + k) * cout + co] = static_cast<float>(u);
          }
        }
      }
    }
  }
  return p;
}

Result<PackedConv> pack_conv1x1_f32(std::span<const float> weight, int cin, int cout) {
  LITESR_RETURN_IF_ERROR(check_sizes(weight, cin, cout, 1, "conv1x1"));
  PackedConv p;
  p.kind = ConvKind::kConv1x1;
  p.cin = cin;
  p.cout = cout;
  p.weight.assign(weight.begin(), weight.end());
  p.packed.resize(weight.size());
  // [cout][cin] -> [cin][cout]
  for (int co = 0; co < cout; ++co) {
    for (int ci = 0; ci < cin; ++ci) {
      p.packed[static_cast<size_t>(ci) * cout + co] = weight[static_cast<size_t>(co) * cin + ci];
    }
  }
  return p;
}

Result<PackedConv> pack_dwconv3x3_f32(std::span<const float> weight, int channels) {
  LITESR_RETURN_IF_ERROR(check_sizes(weight, 1, channels, 9, "dwconv3x3"));
  PackedConv p;
  p.kind = ConvKind::kDwConv3x3;
  p.cin = channels;
  p.cout = channels;
  p.weight.assign(weight.begin(), weight.end());
  p.packed = p.weight;  // [c][9] already
  return p;
}

void scale_conv_inputs(const PackedConv& base, const float* scale, PackedConv& out) {
  const int taps = base.kind == ConvKind::kConv1x1 ? 1 : 9;
  if (base.kind == ConvKind::kDwConv3x3) {  // [c][9] in both layouts: input channel = output channel
    for (int c = 0; c < base.cout; ++c) {
      for (int t = 0; t < 9; ++t) {
        const size_t i = static_cast<size_t>(c) * 9 + t;
        out.weight[i] = base.weight[i] * scale[c];
        out.packed[i] = base.packed[i] * scale[c];
      }
    }
    return;
  }
  for (int co = 0; co < base.cout; ++co) {  // PyTorch layout [cout][cin][taps]
    for (int ci = 0; ci < base.cin; ++ci) {
      for (int t = 0; t < taps; ++t) {
        const size_t i = (static_cast<size_t>(co) * base.cin + ci) * taps + t;
        out.weight[i] = base.weight[i] * scale[ci];
      }
    }
  }
  const size_t block = static_cast<size_t>(taps) * base.cout;  // packed [cin][taps][cout]
  for (int ci = 0; ci < base.cin; ++ci) {
    for (size_t j = 0; j < block; ++j) out.packed[ci * block + j] = base.packed[ci * block + j] * scale[ci];
  }
  if (!base.winograd.empty()) {  // [cin][3][6][cout]: U = G g is linear in the taps g
    const size_t wblock = static_cast<size_t>(3) * 6 * base.cout;
    for (int ci = 0; ci < base.cin; ++ci) {
      for (size_t j = 0; j < wblock; ++j) out.winograd[ci * wblock + j] = base.winograd[ci * wblock + j] * scale[ci];
    }
  }
}

float apply_epilogue_ref(const Epilogue& ep, int co, int x, float sum) {
  float v = sum + (ep.bias != nullptr ? ep.bias[co] : 0.0f);
  switch (ep.activation) {
    case Activation::kNone: break;
    case Activation::kRelu: v = v > 0.0f ? v : 0.0f; break;
    case Activation::kLeakyRelu: v = v < 0.0f ? v * ep.slope : v; break;
    case Activation::kPrelu: v = v < 0.0f ? v * ep.slopes[co] : v; break;
    case Activation::kTanh: v = std::tanh(v); break;
  }
  if (ep.residual != nullptr) v += ep.residual[co][x];
  return v;
}

void conv3x3_f32_rows_ref(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                          float* const* out_rows) {
  for (int co = 0; co < w.cout; ++co) {
    for (int x = 0; x < width; ++x) {
      float sum = 0.0f;
      for (int ci = 0; ci < w.cin; ++ci) {
        const float* k = &w.weight[(static_cast<size_t>(co) * w.cin + ci) * 9];
        for (int ky = 0; ky < 3; ++ky) {
          const float* row = in_rows[ci * 3 + ky];
          for (int kx = 0; kx < 3; ++kx) sum += k[ky * 3 + kx] * row[x + kx - 1];  // row[-1], row[width]: halo
        }
      }
      out_rows[co][x] = apply_epilogue_ref(ep, co, x, sum);
    }
  }
}

void conv1x1_f32_rows_ref(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                          float* const* out_rows) {
  for (int co = 0; co < w.cout; ++co) {
    for (int x = 0; x < width; ++x) {
      float sum = 0.0f;
      for (int ci = 0; ci < w.cin; ++ci) sum += w.weight[static_cast<size_t>(co) * w.cin + ci] * in_rows[ci][x];
      out_rows[co][x] = apply_epilogue_ref(ep, co, x, sum);
    }
  }
}

void dwconv3x3_f32_rows_ref(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                            float* const* out_rows) {
  for (int c = 0; c < w.cout; ++c) {
    const float* k = &w.weight[static_cast<size_t>(c) * 9];
    for (int x = 0; x < width; ++x) {
      float sum = 0.0f;
      for (int ky = 0; ky < 3; ++ky) {
        const float* row = in_rows[c * 3 + ky];
        for (int kx = 0; kx < 3; ++kx) sum += k[ky * 3 + kx] * row[x + kx - 1];
      }
      out_rows[c][x] = apply_epilogue_ref(ep, c, x, sum);
    }
  }
}

}  // namespace litesr

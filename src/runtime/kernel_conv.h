// Convolution kernels of the inference runtime: one output row, all output channels, per call.
//
// ROW LAYOUT (the contract between these kernels and the band executor)
//   Feature maps are *planar rows*: every channel's row of a band is its own contiguous float array, and
//   kernels receive one pointer per (channel, row). A row pointer `p` addresses x = 0:
//     - p[0 .. width-1] hold the values;
//     - p[-1] and p[width] are readable and hold the padding value 0 (the "halo"), so 3x3 kernels with
//       padding 1 read x-1 and x+1 without edge branches. Rows above/below the image (y = -1, y = H)
//       are passed as a pointer to a zero row of the same width (with halo);
//     - output rows are written on [0, width) only: kernels never touch the halo, so the caller zeroes
//       the halos once when it allocates a buffer and they stay 0 forever;
//     - no alignment is required (all loads/stores are unaligned); for speed make x = 0 64-byte aligned
//       (i.e. allocate rows at 64-byte alignment + one halo float) and space rows >= width + 2 apart;
//     - outputs must not alias inputs or residual rows (the last vector of a row is recomputed with an
//       overlapping window when width is not a multiple of the vector length).
//   Multi-row inputs are given as a flat array of row pointers, channel-major:
//     3x3 kernels:  in_rows[ci * 3 + ky] = row y - 1 + ky of input channel ci   (cin * 3 pointers)
//     1x1 kernels:  in_rows[ci]          = row y of input channel ci             (cin pointers)
//     outputs:      out_rows[co]         = row y of output channel co            (cout pointers)
//
// EPILOGUE ORDER (fused into the store of every conv kernel), per output channel co and pixel x:
//     v = sum + bias[co]                      (bias may be null: 0)
//     v = act(v)                              none | relu | leaky_relu(slope) | prelu(slopes[co]) | tanh
//     v = v + residual[co][x]                 (residual may be null) — after the activation, as in ELSR's
//                                             `conv3(...) + f1` and EVSRNet's `x + conv2(ReLU(conv1(x)))`
//     out[co][x] = v
//   leaky_relu / prelu: v < 0 ? v * slope : v.  tanh: Highway's vector tanh (<= 4 ulp, |err| < 1e-6).
//
// WEIGHTS are given in PyTorch layout and repacked ONCE by pack_*() at prepare time (never in run()):
//   conv3x3: [cout, cin, 3, 3] -> packed [cin][9][cout] (cout innermost: the kernel broadcasts a block of
//            consecutive output channels' weights for one tap);
//   conv1x1: [cout, cin, 1, 1] -> packed [cin][cout];
//   dwconv3x3: [c, 1, 3, 3]    -> packed [c][9] (unchanged).
//
// ISA: the optimized kernels are compiled for every Highway target (see kernel_dispatch.h) and dispatched
// at run time; the `_ref` kernels are plain loops over the PyTorch-layout weights, the ground truth in tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"

namespace litesr {

enum class ConvKind { kConv3x3, kConv1x1, kDwConv3x3 };

// Weights of one convolution, in the layout the optimized kernels want plus the original layout.
struct PackedConv {
  ConvKind kind = ConvKind::kConv3x3;
  int cin = 0;   // input channels (for depthwise: = cout)
  int cout = 0;  // output channels
  std::vector<float> weight;  // PyTorch layout [cout, cin/groups, k, k] (read by the _ref kernels)
  std::vector<float> packed;  // kernel layout (see the file comment)
  // conv3x3 with cin <= kWinogradMaxCin and cout >= kWinogradMinCout only: Winograd F(4,3) weights along x,
  // U = G g per (ci, ky) and output channel, [cin * 3][6][cout] (kernel_conv3x3_winograd-inl.h); empty otherwise.
  std::vector<float> winograd;
  // conv3x3 without Winograd, when its output channels read different subsets of the 9 taps — a lowered
  // conv_transpose2d (FSRCNN's 9x9 stride-4 deconv: each output phase reads 4, 6 or 9 of them, the weights of the
  // others are exactly 0 for every input channel) — and skipping the zero taps saves >= 20 % of the FMAs: `order`
  // lists the output channels grouped by tap set, fewest taps first (the order the kernel blocks them in; `packed`
  // holds them in this order), and `taps[i]` is the tap set of channel order[i] (bit ky·3 + kx). Empty otherwise.
  // Skipping a w = 0 term changes a sum only where an input is inf or NaN (0·inf) or by the sign of a zero.
  std::vector<int> order;
  std::vector<uint16_t> taps;
  // With `order`: the kernel's blocks of output channels, in order, sizes 1..8 (kMaxCoBlock of a 32-register ISA;
  // the kernel splits a larger one for smaller ISAs): consecutive channels while their tap sets are subsets of the
  // last one's, so a block's taps are its last channel's.
  std::vector<uint8_t> blocks;
};

// The most output channels a conv3x3 gets `order` for (the kernel permutes its epilogue on the stack).
inline constexpr int kMaxOrderedCout = 256;

// Which conv3x3 layers run as Winograd F(4,3) along x: few input channels (the transformed input of one row
// chunk stays in L1, and fewer sums of transformed values keep the rounding small: <= 4.5e-7 against LibTorch
// in the parity tests) and many output channels (the input transform is shared by all of them): ELSR's and
// EVSRNet's last convs (6 or 8 -> 3 s^2 for s >= 3).
inline constexpr int kWinogradMaxCin = 8;
inline constexpr int kWinogradMinCout = 16;

enum class Activation { kNone, kRelu, kLeakyRelu, kPrelu, kTanh };

// What happens to a conv's sums before they are stored (order: bias, activation, residual; see above).
struct Epilogue {
  const float* bias = nullptr;              // [cout] or null (no bias)
  Activation activation = Activation::kNone;
  float slope = 0.0f;                       // kLeakyRelu: negative slope (e.g. 0.2)
  const float* slopes = nullptr;            // kPrelu: [cout] per-channel slopes
  const float* const* residual = nullptr;   // [cout] rows added after the activation, or null
};

// Packing (prepare time). `weight` is PyTorch layout; sizes are checked.
Result<PackedConv> pack_conv3x3_f32(std::span<const float> weight, int cin, int cout);
Result<PackedConv> pack_conv1x1_f32(std::span<const float> weight, int cin, int cout);
Result<PackedConv> pack_dwconv3x3_f32(std::span<const float> weight, int channels);

// `out` = `base` with every weight that reads input channel ci multiplied by scale[ci] (both layouts), so that
// conv(x) with `out` equals conv(x · scale) with `base`: how a squeeze-excite's gates fold into the conv that
// reads the gated map. `out` must already be a same-shaped copy of `base` (run time: nothing is allocated).
void scale_conv_inputs(const PackedConv& base, const float* scale, PackedConv& out);

// Dense 3x3 conv, stride 1, padding 1: out_rows[co][x] for x in [0, width), one output row y.
// in_rows: [cin * 3] (rows y-1, y, y+1 per channel, with halo); out_rows: [cout].
// Output channels are processed in register blocks of up to 8 (AVX-512/NEON) or 6 (AVX2/SSE4) channels,
// specialised at compile time; cin is a run-time loop around a fully unrolled 9-tap body. Layers packed with
// Winograd weights (w.winograd) run as F(4,3) along x instead when the row is at least 4 vectors wide.
void conv3x3_f32_rows(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                      float* const* out_rows);
void conv3x3_f32_rows_ref(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                          float* const* out_rows);

// Dense 1x1 conv (groups = 1): in_rows: [cin] (no halo needed); out_rows: [cout].
void conv1x1_f32_rows(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                      float* const* out_rows);
void conv1x1_f32_rows_ref(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                          float* const* out_rows);

// Depthwise 3x3 conv (groups = channels), stride 1, padding 1: in_rows: [c * 3] (with halo); out_rows: [c].
void dwconv3x3_f32_rows(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                        float* const* out_rows);
void dwconv3x3_f32_rows_ref(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                            float* const* out_rows);

// The optimized kernel for w.kind (conv3x3_f32_rows, conv1x1_f32_rows or dwconv3x3_f32_rows; in_rows as
// that kernel reads them).
inline void conv_f32_rows(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                          float* const* out_rows) {
  switch (w.kind) {
    case ConvKind::kConv3x3: conv3x3_f32_rows(w, in_rows, width, ep, out_rows); break;
    case ConvKind::kConv1x1: conv1x1_f32_rows(w, in_rows, width, ep, out_rows); break;
    case ConvKind::kDwConv3x3: dwconv3x3_f32_rows(w, in_rows, width, ep, out_rows); break;
  }
}

// The reference definition of the Epilogue for the value `sum` of output channel `co` at pixel x:
// bias, activation (tanh = std::tanh), then ep.residual[co][x] when ep.residual is set.
float apply_epilogue_ref(const Epilogue& ep, int co, int x, float sum);

}  // namespace litesr

// conv3x3 by Winograd F(4,3) along x (Lavin & Gray 2016, 1-D): the narrow-input, wide-output convs of the
// x4 tails (ELSR conv4 6->48, EVSRNet's 8->48) with half the multiplies of direct convolution.
//
// For one output row y and a tile of 4 output pixels x0+4t .. x0+4t+3, each of the cin*3 input rows
// (channel ci, row y-1+ky) contributes d_j = in[x0 + 4t - 1 + j], j = 0..5 (padding 1 included):
//   V = B^T d                    (6 values; B^T below)
//   M_k += U[ci][ky][k][co] V_k  (U = G g, g = the 3 taps of that row; packed by pack_conv3x3_f32)
//   y = A^T M                    (4 outputs per tile and output channel)
// Lanes are tiles: one vector of N lanes covers 4N pixels, loaded with LoadInterleaved4 (lane t gets
// in[x0+4t-1 .. x0+4t+2] and in[x0+4t+3 .. x0+4t+4]) and stored with StoreInterleaved4. Per output pixel and
// output channel: 27 FMAs (3 rows x cin x 6 / 4) instead of 54 for cin = 6. Rounding differs from the
// direct kernel by a few ulps (tests bound it against the reference); results depend only on the width (the
// chunk origin), so bands and threads give identical rows. Included once per target by kernel_conv3x3.cpp.
#if defined(LITESR_RUNTIME_KERNEL_CONV3X3_WINOGRAD_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef LITESR_RUNTIME_KERNEL_CONV3X3_WINOGRAD_INL_H_
#undef LITESR_RUNTIME_KERNEL_CONV3X3_WINOGRAD_INL_H_
#else
#define LITESR_RUNTIME_KERNEL_CONV3X3_WINOGRAD_INL_H_
#endif

#include <hwy/highway.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "runtime/kernel_conv.h"
#include "runtime/kernel_simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {

// Input transform of one row for the Tb tile vectors starting at x0 (reads in[x0-1 .. x0 + 4*N*Tb + 2]):
// v[k * Tb + b] = (B^T d)_k of tile vector b, B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0;
// 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1].
template <int Tb, class D>
HWY_INLINE void winograd_input_row(D d, const float* HWY_RESTRICT row, size_t x0, float* HWY_RESTRICT v) {
  using V = hn::Vec<D>;
  const size_t n = hn::Lanes(d);
  const V k2 = hn::Set(d, 2.0f), k4 = hn::Set(d, 4.0f), k5 = hn::Set(d, 5.0f);
  for (int b = 0; b < Tb; ++b) {
    const float* p = row + x0 + b * 4 * n;
    V d0, d1, d2, d3, d4, d5, unused0, unused1;
    hn::LoadInterleaved4(d, p - 1, d0, d1, d2, d3);
    hn::LoadInterleaved4(d, p + 3, d4, d5, unused0, unused1);
    const V d4_minus_d2 = hn::Sub(d4, d2);
    const V t1 = hn::NegMulAdd(k4, d1, d3);             // d3 - 4 d1
    const V t2 = hn::NegMulAdd(k4, d2, d4);             // d4 - 4 d2
    const V t3 = hn::Mul(k2, hn::Sub(d3, d1));          // 2 (d3 - d1)
    hn::Store(hn::MulAdd(k4, d0, hn::NegMulAdd(k5, d2, d4)), d, v + (0 * Tb + b) * n);  // 4d0 - 5d2 + d4
    hn::Store(hn::Add(t2, t1), d, v + (1 * Tb + b) * n);                                  // -4d1 - 4d2 + d3 + d4
    hn::Store(hn::Sub(t2, t1), d, v + (2 * Tb + b) * n);                                  // 4d1 - 4d2 - d3 + d4
    hn::Store(hn::Add(d4_minus_d2, t3), d, v + (3 * Tb + b) * n);                         // -2d1 - d2 + 2d3 + d4
    hn::Store(hn::Sub(d4_minus_d2, t3), d, v + (4 * Tb + b) * n);                         // 2d1 - d2 - 2d3 + d4
    hn::Store(hn::MulAdd(k4, d1, hn::NegMulAdd(k5, d3, d5)), d, v + (5 * Tb + b) * n);  // 4d1 - 5d3 + d5
  }
}

// Output transform y = A^T M, A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1], then the
// epilogue (bias, activation, residual) and an interleaving store of 4N pixels of output channel co at x.
template <class D, class V = hn::Vec<D>>
HWY_INLINE void winograd_output(D d, const V (&m)[6], const Epilogue& ep, int co, size_t x, float* HWY_RESTRICT out) {
  const V s12 = hn::Add(m[1], m[2]), d12 = hn::Sub(m[1], m[2]);
  const V s34 = hn::Add(m[3], m[4]), d34 = hn::Sub(m[3], m[4]);
  V y[4] = {hn::Add(hn::Add(m[0], s12), s34), hn::MulAdd(hn::Set(d, 2.0f), d34, d12),
            hn::MulAdd(hn::Set(d, 4.0f), s34, s12), hn::Add(hn::MulAdd(hn::Set(d, 8.0f), d34, d12), m[5])};
  if (ep.bias != nullptr) {
    const V b = hn::Set(d, ep.bias[co]);
    for (V& v : y) v = hn::Add(v, b);
  }
  if (ep.activation != Activation::kNone) {
    for (V& v : y) v = activate(d, ep, co, v);
  }
  if (ep.residual != nullptr) {
    V r[4];
    hn::LoadInterleaved4(d, ep.residual[co] + x, r[0], r[1], r[2], r[3]);
    for (int i = 0; i < 4; ++i) y[i] = hn::Add(y[i], r[i]);
  }
  hn::StoreInterleaved4(y[0], y[1], y[2], y[3], d, out + x);
}

// Tb tile vectors (4*N*Tb pixels from x0) of every output channel. For each transform index k the products
// are a small GEMM, M_k[co][t] = sum_r U_k[r][co] V_k[r][t], blocked like the direct kernel: C output channels x
// Tb tile vectors of accumulators, per input row r Tb loads + C broadcasts for C*Tb FMAs. The block's six M_k
// go through a stack buffer to the output transform.
template <int Tb, class D>
HWY_INLINE void winograd_chunk(D d, const PackedConv& w, const float* const* in, size_t width, size_t x0,
                               const Epilogue& ep, float* const* out) {
  using V = hn::Vec<D>;
  const size_t n = hn::Lanes(d);
  const size_t rows = static_cast<size_t>(w.cin) * 3, cout = static_cast<size_t>(w.cout);
  constexpr size_t kMaxN = hn::MaxLanes(D());
  HWY_ALIGN float v[kWinogradMaxCin * 3 * 6 * Tb * kMaxN];  // [r][k][Tb][N]
  const size_t span = 4 * n * Tb;
  if (x0 + span + 2 <= width) {  // every read inside [x0-1, width]: p[width] is the zero halo
    for (size_t r = 0; r < rows; ++r) winograd_input_row<Tb>(d, in[r], x0, v + r * 6 * Tb * n);
  } else {  // the last chunk: stage the row with zeros past the halo
    HWY_ALIGN float staged[4 * Tb * kMaxN + 8];
    const size_t valid = width - x0 + 2;  // in[x0-1 .. width]
    for (size_t r = 0; r < rows; ++r) {
      std::memcpy(staged, in[r] + x0 - 1, valid * sizeof(float));
      std::fill(staged + valid, staged + span + 4, 0.0f);
      winograd_input_row<Tb>(d, staged + 1, 0, v + r * 6 * Tb * n);
    }
  }
  const float* HWY_RESTRICT u = w.winograd.data();  // [r][k][cout]
  for_each_co_block(w.cout, [&](int c0, auto c_const) {
    constexpr int C = decltype(c_const)::value;
    HWY_ALIGN float m[C][6][Tb][kMaxN];
    for (int k = 0; k < 6; ++k) {
      V acc[C][Tb];
      unroll<C>([&](auto j) LITESR_INLINE_LAMBDA {
        unroll<Tb>([&](auto b) LITESR_INLINE_LAMBDA { acc[j][b] = hn::Zero(d); });
      });
      for (size_t r = 0; r < rows; ++r) {
        const float* HWY_RESTRICT vr = v + (r * 6 + k) * Tb * n;
        const float* HWY_RESTRICT ur = u + (r * 6 + k) * cout + c0;
        V vk[Tb];
        unroll<Tb>([&](auto b) LITESR_INLINE_LAMBDA { vk[b] = hn::Load(d, vr + b * n); });
        unroll<C>([&](auto j) LITESR_INLINE_LAMBDA {
          const V wv = hn::Set(d, ur[j]);
          unroll<Tb>([&](auto b) LITESR_INLINE_LAMBDA { acc[j][b] = hn::MulAdd(wv, vk[b], acc[j][b]); });
        });
      }
      unroll<C>([&](auto j) LITESR_INLINE_LAMBDA {
        unroll<Tb>([&](auto b) LITESR_INLINE_LAMBDA { hn::Store(acc[j][b], d, m[j][k][b]); });
      });
    }
    for (int j = 0; j < C; ++j) {
      for (int b = 0; b < Tb; ++b) {
        const V mk[6] = {hn::Load(d, m[j][0][b]), hn::Load(d, m[j][1][b]), hn::Load(d, m[j][2][b]),
                         hn::Load(d, m[j][3][b]), hn::Load(d, m[j][4][b]), hn::Load(d, m[j][5][b])};
        winograd_output(d, mk, ep, c0 + j, x0 + b * 4 * n, out[c0 + j]);
      }
    }
  });
}

// The whole row: chunks of kTb tile vectors (3 on AVX-512, 2 with 16 registers), then of two, then of one, then
// one more ending exactly at width (overlapping the previous one; its outputs are recomputed). Requires
// width >= 4N.
template <class D>
HWY_INLINE void conv3x3_winograd(D d, const PackedConv& w, const float* const* in, size_t width, const Epilogue& ep,
                                 float* const* out) {
  const size_t span = 4 * hn::Lanes(d);
  constexpr int kTb = x_vectors_for(kMaxCoBlock);  // tile vectors per chunk: the direct kernel's Xb
  size_t x = 0;
  if constexpr (kTb >= 3) {
    for (; x + 3 * span <= width; x += 3 * span) winograd_chunk<3>(d, w, in, width, x, ep, out);
  }
  for (; x + 2 * span <= width; x += 2 * span) winograd_chunk<2>(d, w, in, width, x, ep, out);
  for (; x + span <= width; x += span) winograd_chunk<1>(d, w, in, width, x, ep, out);
  if (x < width) winograd_chunk<1>(d, w, in, width, width - span, ep, out);
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#endif  // LITESR_RUNTIME_KERNEL_CONV3X3_WINOGRAD_INL_H_

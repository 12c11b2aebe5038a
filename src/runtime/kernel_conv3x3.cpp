// conv3x3_f32_rows: dense 3x3 conv (stride 1, padding 1) on planar rows, Highway, run-time dispatched.
//
// Register blocking (see docs/kernels.md): for a block of C output channels and Xb vectors of N pixels,
// C*Xb accumulators stay in registers for the whole cin x 9-tap reduction. Per tap: Xb unaligned input
// loads (x-1, x, x+1 come from separate loads), C weight broadcasts, C*Xb FMAs. With C = 8, Xb = 3 on
// AVX-512 that is 11 loads per 24 FMAs. Packed weights are [cin][9][cout], so a block's weights for one
// tap are C consecutive floats.
#include "runtime/kernel_conv.h"

#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_targets.h"  // must precede the Highway headers

#include <hwy/cache_control.h>

#include <algorithm>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/kernel_conv3x3.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "runtime/kernel_conv3x3_winograd-inl.h"
#include "runtime/kernel_narrow_rows-inl.h"
#include "runtime/kernel_simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {

// One block: output channels [c0, c0 + C), pixels [x, x + Xb*N). kMasked: only the taps in `taps` (bit ky·3 + kx;
// the block's other weights are 0, PackedConv::order).
template <int C, int Xb, bool kMasked = false, class D>
HWY_INLINE void conv3x3_block(D d, const float* const* HWY_RESTRICT in, size_t cin, const float* HWY_RESTRICT packed,
                              size_t cout, int c0, size_t x, const Epilogue& ep, float* const* HWY_RESTRICT out,
                              unsigned taps = 0x1FF) {
  using V = hn::Vec<D>;
  const size_t n = hn::Lanes(d);
  V acc[C][Xb];
  unroll<C>([&](auto j) LITESR_INLINE_LAMBDA {
    const V b = ep.bias != nullptr ? hn::Set(d, ep.bias[c0 + j]) : hn::Zero(d);
    unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { acc[j][k] = b; });
  });
  const size_t tap_stride = cout;
  const float* HWY_RESTRICT w = packed + c0;
  for (size_t ci = 0; ci < cin; ++ci, w += 9 * tap_stride) {
    unroll<3>([&](auto ky) LITESR_INLINE_LAMBDA {
      if constexpr (kMasked) {
        if ((taps & (7u << (3 * ky))) == 0) return;
      }
      const float* HWY_RESTRICT row = in[ci * 3 + ky] + x - 1;
      // The next block's pixels of this row: with many input channels (EVSRNet's 62-channel head) the rows
      // are too many streams for the hardware prefetcher, and every block would wait on L2.
      unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { hwy::Prefetch(row + (Xb + k) * n + 1); });
      unroll<3>([&](auto kx) LITESR_INLINE_LAMBDA {
        if constexpr (kMasked) {
          if ((taps >> (3 * ky + kx) & 1u) == 0) return;
        }
        V v[Xb];
        unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { v[k] = hn::LoadU(d, row + kx + k * n); });
        const float* HWY_RESTRICT wt = w + (ky * 3 + kx) * tap_stride;
        unroll<C>([&](auto j) LITESR_INLINE_LAMBDA {
          const V wv = hn::Set(d, wt[j]);
          unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { acc[j][k] = hn::MulAdd(wv, v[k], acc[j][k]); });
        });
      });
    });
  }
  store_block<C, Xb>(d, ep, c0, x, acc, out);
}

// One block of C output channels over the pixels [xs, xe) of a row of `width`, in blocks of Xb vectors then single
// ones. Out of line, so that each block shape is compiled once per ISA whichever path calls it (the ordered and
// plain paths, the narrow-row path): the fully unrolled bodies are most of this file's compile time.
template <int C, bool kMasked = false, class D>
HWY_NOINLINE void conv3x3_columns(D d, const float* const* HWY_RESTRICT in, size_t cin,
                                  const float* HWY_RESTRICT packed, size_t cout, int c0, size_t xs, size_t xe,
                                  size_t width, const Epilogue& ep, float* const* HWY_RESTRICT out,
                                  unsigned taps = 0x1FF) {
  for_each_x_block<x_vectors_for(C)>(hn::Lanes(d), xs, xe, width, [&](size_t x, auto xb_const) {
    conv3x3_block<C, decltype(xb_const)::value, kMasked>(d, in, cin, packed, cout, c0, x, ep, out, taps);
  });
}

// The pixels of a row that every output channel block reads before the next ones (n lanes per vector): a chunk whose
// input rows (cin·3 of them) fit in ~24 KiB of L1 while every block reads them, in whole groups of 4 vectors; the
// whole row where the output channels fit one block (no reuse to protect).
inline size_t pixel_chunk(size_t n, size_t cin, size_t cout, size_t width) {
  if (cout <= static_cast<size_t>(kMaxCoBlock)) return width;
  const size_t step = 4 * n;
  return std::max(step, (6144 / (cin * 3 + 1)) / step * step);
}

// The main path for a conv with PackedConv::order: the epilogue and the output rows in the packed order (on the
// stack), each block with its channels' taps only.
template <class D>
HWY_NOINLINE void conv3x3_wide_ordered(D d, const PackedConv& w, const float* const* in, size_t width,
                                       const Epilogue& ep, float* const* out) {
  const size_t n = hn::Lanes(d);
  const size_t cin = static_cast<size_t>(w.cin), cout = static_cast<size_t>(w.cout);
  float bias[kMaxOrderedCout], slopes[kMaxOrderedCout];
  const float* residual[kMaxOrderedCout];
  float* rows[kMaxOrderedCout];
  Epilogue e = ep;
  for (size_t i = 0; i < cout; ++i) {
    const int co = w.order[i];
    rows[i] = out[co];
    if (ep.bias != nullptr) bias[i] = ep.bias[co];
    if (ep.slopes != nullptr) slopes[i] = ep.slopes[co];
    if (ep.residual != nullptr) residual[i] = ep.residual[co];
  }
  if (ep.bias != nullptr) e.bias = bias;
  if (ep.slopes != nullptr) e.slopes = slopes;
  if (ep.residual != nullptr) e.residual = residual;
  const size_t chunk = pixel_chunk(n, cin, cout, width);
  const auto block = [&](size_t xs, size_t xe, int c0, int c) {
    for_co_block(c0, c, [&](int, auto c_const) {
      constexpr int C = decltype(c_const)::value;
      unsigned taps = 0;
      for (int j = 0; j < C; ++j) taps |= w.taps[static_cast<size_t>(c0 + j)];
      if (taps == 0x1FF) {
        conv3x3_columns<C>(d, in, cin, w.packed.data(), cout, c0, xs, xe, width, e, rows);
      } else {
        conv3x3_columns<C, true>(d, in, cin, w.packed.data(), cout, c0, xs, xe, width, e, rows, taps);
      }
    });
  };
  for (size_t xs = 0; xs < width; xs += chunk) {
    const size_t xe = std::min(width, xs + chunk);
    int c0 = 0;
    for (const uint8_t size : w.blocks) {  // a block larger than this ISA's kMaxCoBlock: in halves
      if (size <= kMaxCoBlock) {
        block(xs, xe, c0, size);
      } else {
        block(xs, xe, c0, size / 2);
        block(xs, xe, c0 + size / 2, size - size / 2);
      }
      c0 += size;
    }
  }
}

// Main path, width >= N.
template <class D>
HWY_INLINE void conv3x3_wide(D d, const PackedConv& w, const float* const* in, size_t width,
                             const Epilogue& ep, float* const* out) {
  if (!w.order.empty()) {
    conv3x3_wide_ordered(d, w, in, width, ep, out);
    return;
  }
  const size_t n = hn::Lanes(d);
  const size_t cin = static_cast<size_t>(w.cin), cout = static_cast<size_t>(w.cout);
  const size_t chunk = pixel_chunk(n, cin, cout, width);
  for (size_t xs = 0; xs < width; xs += chunk) {
    const size_t xe = std::min(width, xs + chunk);
    for_each_co_block(w.cout, [&](int c0, auto c_const) {
      conv3x3_columns<decltype(c_const)::value>(d, in, cin, w.packed.data(), cout, c0, xs, xe, width, ep, out);
    });
  }
}

void conv3x3_rows(const PackedConv& w, const float* const* in_rows, int width_i, const Epilogue& ep,
                  float* const* out_rows) {
  const hn::ScalableTag<float> d;
  const size_t n = hn::Lanes(d);
  const size_t width = static_cast<size_t>(width_i);
  if (width == 0) return;
  if (!w.winograd.empty() && width >= 4 * n) {
    conv3x3_winograd(d, w, in_rows, width, ep, out_rows);
    return;
  }
  if (width >= n) {
    conv3x3_wide(d, w, in_rows, width, ep, out_rows);
    return;
  }
  // Narrow rows (width < N): run the same kernel on zero-padded copies N pixels wide.
  const bool ran = run_on_padded_rows(n, in_rows, static_cast<size_t>(w.cin) * 3, /*halo=*/1, width,
                                      static_cast<size_t>(w.cout), ep, out_rows,
                                      [&](const float* const* in, const Epilogue& staged_ep, float* const* out) {
                                        conv3x3_wide(d, w, in, n, staged_ep, out);
                                      });
  if (!ran) conv3x3_f32_rows_ref(w, in_rows, width_i, ep, out_rows);
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace litesr {

HWY_EXPORT(conv3x3_rows);

void conv3x3_f32_rows(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                      float* const* out_rows) {
  LITESR_DISPATCH(conv3x3_rows)(w, in_rows, width, ep, out_rows);
}

}  // namespace litesr
#endif  // HWY_ONCE

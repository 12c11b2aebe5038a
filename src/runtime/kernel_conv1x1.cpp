// conv1x1_f32_rows: dense 1x1 conv (groups = 1) on planar rows, Highway, run-time dispatched.
//
// Same register blocking as conv3x3 (kernel_conv3x3.cpp) with one tap: per input channel, Xb loads,
// C broadcasts, C*Xb FMAs. Packed weights are [cin][cout]. Pixels are processed in chunks whose cin input
// rows fit in L1, so the large SAM-SR layers (72 -> 144 -> 72 channels) re-read inputs from L1 only.
#include "runtime/kernel_conv.h"

#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_targets.h"  // must precede the Highway headers

#include <hwy/cache_control.h>

#include <algorithm>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/kernel_conv1x1.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "runtime/kernel_narrow_rows-inl.h"
#include "runtime/kernel_simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {

template <int C, int Xb, class D>
HWY_INLINE void conv1x1_block(D d, const float* const* HWY_RESTRICT in, size_t cin,
                              const float* HWY_RESTRICT packed, size_t cout, int c0, size_t x,
                              const Epilogue& ep, float* const* HWY_RESTRICT out) {
  using V = hn::Vec<D>;
  const size_t n = hn::Lanes(d);
  V acc[C][Xb];
  unroll<C>([&](auto j) LITESR_INLINE_LAMBDA {
    const V b = ep.bias != nullptr ? hn::Set(d, ep.bias[c0 + j]) : hn::Zero(d);
    unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { acc[j][k] = b; });
  });
  const float* HWY_RESTRICT w = packed + c0;
  for (size_t ci = 0; ci < cin; ++ci, w += cout) {
    const float* HWY_RESTRICT row = in[ci] + x;
    unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { hwy::Prefetch(row + (Xb + k) * n); });  // the next block
    V v[Xb];
    unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { v[k] = hn::LoadU(d, row + k * n); });
    unroll<C>([&](auto j) LITESR_INLINE_LAMBDA {
      const V wv = hn::Set(d, w[j]);
      unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { acc[j][k] = hn::MulAdd(wv, v[k], acc[j][k]); });
    });
  }
  store_block<C, Xb>(d, ep, c0, x, acc, out);
}

// Out of line: called by the wide and the narrow-row paths, and its unrolled blocks are this file's compile time.
template <class D>
HWY_NOINLINE void conv1x1_wide(D d, const PackedConv& w, const float* const* in, size_t width, const Epilogue& ep,
                               float* const* out) {
  const size_t n = hn::Lanes(d);
  const size_t cin = static_cast<size_t>(w.cin), cout = static_cast<size_t>(w.cout);
  const size_t step = 4 * n;
  size_t chunk = std::max(step, (6144 / cin) / step * step);
  if (cout <= static_cast<size_t>(kMaxCoBlock)) chunk = width;
  for (size_t xs = 0; xs < width; xs += chunk) {
    const size_t xe = std::min(width, xs + chunk);
    for_each_co_block(w.cout, [&](int c0, auto c_const) {
      constexpr int C = decltype(c_const)::value;
      for_each_x_block<x_vectors_for(C)>(n, xs, xe, width, [&](size_t x, auto xb_const) {
        conv1x1_block<C, decltype(xb_const)::value>(d, in, cin, w.packed.data(), cout, c0, x, ep, out);
      });
    });
  }
}

void conv1x1_rows(const PackedConv& w, const float* const* in_rows, int width_i, const Epilogue& ep,
                  float* const* out_rows) {
  const hn::ScalableTag<float> d;
  const size_t n = hn::Lanes(d);
  const size_t width = static_cast<size_t>(width_i);
  if (width == 0) return;
  if (width >= n) {
    conv1x1_wide(d, w, in_rows, width, ep, out_rows);
    return;
  }
  // Narrow rows (width < N): the same kernel on zero-padded copies N pixels wide.
  const bool ran = run_on_padded_rows(n, in_rows, static_cast<size_t>(w.cin), /*halo=*/0, width,
                                      static_cast<size_t>(w.cout), ep, out_rows,
                                      [&](const float* const* in, const Epilogue& staged_ep, float* const* out) {
                                        conv1x1_wide(d, w, in, n, staged_ep, out);
                                      });
  if (!ran) conv1x1_f32_rows_ref(w, in_rows, width_i, ep, out_rows);
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace litesr {

HWY_EXPORT(conv1x1_rows);

void conv1x1_f32_rows(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                      float* const* out_rows) {
  LITESR_DISPATCH(conv1x1_rows)(w, in_rows, width, ep, out_rows);
}

}  // namespace litesr
#endif  // HWY_ONCE

// dwconv3x3_f32_rows: depthwise 3x3 conv (stride 1, padding 1) on planar rows, Highway, run-time dispatched.
//
// Each channel is independent: its 9 weights are broadcast into registers once per row, then Xb vectors
// of pixels accumulate 9 taps each: one unaligned load per tap and vector (load-bound, 1 load per FMA), or on
// AVX-512 one load per row and vector and the ±1-pixel neighbours by valignd from the adjacent vectors (same
// products in the same order: bit-identical). Packed weights are PyTorch's [c][9].
#include "runtime/kernel_conv.h"

#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_targets.h"  // must precede the Highway headers

#include <hwy/cache_control.h>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/kernel_dwconv3x3.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "runtime/kernel_narrow_rows-inl.h"
#include "runtime/kernel_simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {

#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
// Vectors of pixels per step: 9 weights + Xb accumulators + Xb centred inputs + 2 shifted ones in the 32
// registers (8 measured faster than 4 under perf on SAM-SR: the outer loads are 2 per block).
inline constexpr int kDwXb = 8;

// Lanes [Shift, 16 + Shift) of the 32-lane concatenation hi:lo (valignd).
template <int Shift>
HWY_INLINE hn::Vec512<float> align_lanes(hn::Vec512<float> hi, hn::Vec512<float> lo) {
  return hn::Vec512<float>{_mm512_castsi512_ps(
      _mm512_alignr_epi32(_mm512_castps_si512(hi.raw), _mm512_castps_si512(lo.raw), Shift))};
}
#else
// Vectors of pixels per step: 9 weights + Xb accumulators + Xb inputs must fit the registers.
inline constexpr int kDwXb = kVecRegs == 32 ? 4 : 2;
#endif

template <class D>
HWY_INLINE void dwconv3x3_wide(D d, const PackedConv& w, const float* const* in, size_t width,
                               const Epilogue& ep, float* const* out) {
  using V = hn::Vec<D>;
  const size_t n = hn::Lanes(d);
  for (int c = 0; c < w.cout; ++c) {
    const float* HWY_RESTRICT k9 = w.packed.data() + static_cast<size_t>(c) * 9;
    V wv[9];
    unroll<9>([&](auto t) LITESR_INLINE_LAMBDA { wv[t] = hn::Set(d, k9[t]); });
    const V b = ep.bias != nullptr ? hn::Set(d, ep.bias[c]) : hn::Zero(d);
    const float* const* rows = in + static_cast<size_t>(c) * 3;
    for_each_x_block<kDwXb>(n, 0, width, width, [&](size_t x, auto xb_const) LITESR_INLINE_LAMBDA {
      constexpr int Xb = decltype(xb_const)::value;
      V acc[1][Xb];
      unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { acc[0][k] = b; });
      unroll<3>([&](auto ky) LITESR_INLINE_LAMBDA {
        const float* HWY_RESTRICT row = rows[ky] + x - 1;
        unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { hwy::Prefetch(row + (Xb + k) * n + 1); });  // next block
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX3
        // AVX-512: the centred vectors are loaded, the ±1 shifted ones made from neighbours by one valignd each
        // (an unaligned 64-byte load always splits a cache line); only the block's outer two are loaded.
        V mid[Xb];
        unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA { mid[k] = hn::LoadU(d, row + 1 + k * n); });
        unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA {
          const V left = k == 0 ? hn::LoadU(d, row) : align_lanes<15>(mid[k], mid[k == 0 ? 0 : k - 1]);
          const V right = k == Xb - 1 ? hn::LoadU(d, row + 2 + k * n) : align_lanes<1>(mid[k == Xb - 1 ? k : k + 1], mid[k]);
          acc[0][k] = hn::MulAdd(wv[ky * 3 + 0], left, acc[0][k]);
          acc[0][k] = hn::MulAdd(wv[ky * 3 + 1], mid[k], acc[0][k]);
          acc[0][k] = hn::MulAdd(wv[ky * 3 + 2], right, acc[0][k]);
        });
#else
        unroll<3>([&](auto kx) LITESR_INLINE_LAMBDA {
          unroll<Xb>([&](auto k) LITESR_INLINE_LAMBDA {
            acc[0][k] = hn::MulAdd(wv[ky * 3 + kx], hn::LoadU(d, row + kx + k * n), acc[0][k]);
          });
        });
#endif
      });
      store_block<1, Xb>(d, ep, c, x, acc, out);
    });
  }
}

void dwconv3x3_rows(const PackedConv& w, const float* const* in_rows, int width_i, const Epilogue& ep,
                    float* const* out_rows) {
  const hn::ScalableTag<float> d;
  const size_t n = hn::Lanes(d);
  const size_t width = static_cast<size_t>(width_i);
  if (width == 0) return;
  if (width >= n) {
    dwconv3x3_wide(d, w, in_rows, width, ep, out_rows);
    return;
  }
  // Narrow rows (width < N): the same kernel on zero-padded copies N pixels wide.
  const size_t ch = static_cast<size_t>(w.cout);
  const bool ran = run_on_padded_rows(n, in_rows, ch * 3, /*halo=*/1, width, ch, ep, out_rows,
                                      [&](const float* const* in, const Epilogue& staged_ep, float* const* out) {
                                        dwconv3x3_wide(d, w, in, n, staged_ep, out);
                                      });
  if (!ran) dwconv3x3_f32_rows_ref(w, in_rows, width_i, ep, out_rows);
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace litesr {

HWY_EXPORT(dwconv3x3_rows);

void dwconv3x3_f32_rows(const PackedConv& w, const float* const* in_rows, int width, const Epilogue& ep,
                        float* const* out_rows) {
  LITESR_DISPATCH(dwconv3x3_rows)(w, in_rows, width, ep, out_rows);
}

}  // namespace litesr
#endif  // HWY_ONCE

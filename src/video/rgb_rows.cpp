// rgb_rows.h: Highway kernel. Per vector of N pixels: LoadInterleaved3, then exactly the per-sample operations in
// their order (Mul and Add each rounded: this file is compiled with -ffp-contract=off, src/video/CMakeLists.txt),
// the luma quantized as quantize() in frame_converter.cpp does; the last width % N pixels per sample.
#include "video/rgb_rows.h"

#include <cstddef>
#include <type_traits>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "video/rgb_rows.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace litesr::video_detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// ((c0·r + c1·g) + c2·b) for one sample: the scalar tail's form of the vector code below.
inline float weighted(const float c[3], float r, float g, float b) { return (c[0] * r + c[1] * g) + c[2] * b; }

// The code of v: clamp(v, 0, max_code) + 0.5, truncated; NaN -> 0 (as `!(v > 0)` selects 0).
inline int32_t code_of(float v, float max_code) {
  v = v > 0.0f ? v : 0.0f;
  v = v < max_code ? v : max_code;
  return static_cast<int32_t>(v + 0.5f);
}

// L: the luma code type (void: no luma); kChroma: 0 none, 1 store the chroma terms, 2 add them to the sums.
template <typename L, int kChroma>
HWY_INLINE void row_loop(const float* HWY_RESTRICT rgb, std::size_t w, const RgbRowCoefficients& k, float max_code,
                         L* HWY_RESTRICT luma, float* HWY_RESTRICT cb_sum, float* HWY_RESTRICT cr_sum) {
  const hn::ScalableTag<float> d;
  const hn::Rebind<int32_t, decltype(d)> di;
  const hn::Rebind<uint32_t, decltype(d)> du;
  using V = hn::Vec<decltype(d)>;
  constexpr bool kLuma = !std::is_void_v<L>;
  const std::size_t n = hn::Lanes(d);
  const V y0 = hn::Set(d, k.y[0]), y1 = hn::Set(d, k.y[1]), y2 = hn::Set(d, k.y[2]), yo = hn::Set(d, k.y_offset);
  const V b0 = hn::Set(d, k.cb[0]), b1 = hn::Set(d, k.cb[1]), b2 = hn::Set(d, k.cb[2]);
  const V r0 = hn::Set(d, k.cr[0]), r1 = hn::Set(d, k.cr[1]), r2 = hn::Set(d, k.cr[2]);
  const V zero = hn::Zero(d), top = hn::Set(d, max_code), half = hn::Set(d, 0.5f);
  std::size_t x = 0;
  for (; x + n <= w; x += n) {
    V r, g, b;
    hn::LoadInterleaved3(d, rgb + 3 * x, r, g, b);
    if constexpr (kLuma) {
      const V v = hn::Add(hn::Add(hn::Add(hn::Mul(y0, r), hn::Mul(y1, g)), hn::Mul(y2, b)), yo);
      const V c = hn::Min(hn::IfThenElseZero(hn::Gt(v, zero), v), top);  // in [0, max_code]: the code fits L
      const auto code = hn::BitCast(du, hn::ConvertTo(di, hn::Add(c, half)));
      const hn::Rebind<L, decltype(d)> dl;
      hn::StoreU(hn::TruncateTo(dl, code), dl, luma + x);
    }
    if constexpr (kChroma != 0) {
      V cb = hn::Add(hn::Add(hn::Mul(b0, r), hn::Mul(b1, g)), hn::Mul(b2, b));
      V cr = hn::Add(hn::Add(hn::Mul(r0, r), hn::Mul(r1, g)), hn::Mul(r2, b));
      if constexpr (kChroma == 2) {
        cb = hn::Add(hn::LoadU(d, cb_sum + x), cb);
        cr = hn::Add(hn::LoadU(d, cr_sum + x), cr);
      }
      hn::StoreU(cb, d, cb_sum + x);
      hn::StoreU(cr, d, cr_sum + x);
    }
  }
  for (; x < w; ++x) {
    const float r = rgb[3 * x], g = rgb[3 * x + 1], b = rgb[3 * x + 2];
    if constexpr (kLuma) luma[x] = static_cast<L>(code_of(weighted(k.y, r, g, b) + k.y_offset, max_code));
    if constexpr (kChroma != 0) {
      const float cb = weighted(k.cb, r, g, b), cr = weighted(k.cr, r, g, b);
      cb_sum[x] = kChroma == 2 ? cb_sum[x] + cb : cb;
      cr_sum[x] = kChroma == 2 ? cr_sum[x] + cr : cr;
    }
  }
}

template <typename L>
HWY_INLINE void row_loop(const float* rgb, std::size_t w, const RgbRowCoefficients& k, float max_code, L* luma,
                         float* cb_sum, float* cr_sum, bool accumulate) {
  if (cb_sum == nullptr) return row_loop<L, 0>(rgb, w, k, max_code, luma, cb_sum, cr_sum);
  if (accumulate) return row_loop<L, 2>(rgb, w, k, max_code, luma, cb_sum, cr_sum);
  row_loop<L, 1>(rgb, w, k, max_code, luma, cb_sum, cr_sum);
}

void rgb_row_to_ycbcr(const float* rgb, int width, const RgbRowCoefficients& k, float max_code, uint8_t* luma8,
                      uint16_t* luma16, float* cb_sum, float* cr_sum, bool accumulate) {
  const auto w = static_cast<std::size_t>(width);
  if (luma8 != nullptr) return row_loop<uint8_t>(rgb, w, k, max_code, luma8, cb_sum, cr_sum, accumulate);
  if (luma16 != nullptr) return row_loop<uint16_t>(rgb, w, k, max_code, luma16, cb_sum, cr_sum, accumulate);
  row_loop<void>(rgb, w, k, max_code, static_cast<void*>(nullptr), cb_sum, cr_sum, accumulate);
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr::video_detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace litesr::video_detail {

HWY_EXPORT(rgb_row_to_ycbcr);

void rgb_row_to_ycbcr(const float* rgb, int width, const RgbRowCoefficients& k, float max_code, uint8_t* luma8,
                      uint16_t* luma16, float* cb_sum, float* cr_sum, bool accumulate, RgbRowTarget target) {
  if (target == RgbRowTarget::kBaseline) {
    return HWY_STATIC_DISPATCH(rgb_row_to_ycbcr)(rgb, width, k, max_code, luma8, luma16, cb_sum, cr_sum, accumulate);
  }
  HWY_DYNAMIC_DISPATCH(rgb_row_to_ycbcr)(rgb, width, k, max_code, luma8, luma16, cb_sum, cr_sum, accumulate);
}

}  // namespace litesr::video_detail
#endif  // HWY_ONCE

// PixelShuffle stores and RGB deinterleave (kernel_pixel_shuffle.h): Highway kernels and references.
//
// Vector scheme for one LR vector of N pixels and HR row i: per colour, StoreInterleaved{s} of the s conv
// rows (j = 0..s-1) gives s*N consecutive HR values in a stack buffer; then s pieces of N HR pixels are
// combined with the skip, quantised (u8) and written with StoreInterleaved3. A partial last vector is
// recomputed at width - N (idempotent); rows narrower than N use the reference. Scale 4 into u8 has its own
// shuffle-free scheme (shuffle_vector_u8_x4).
#include "runtime/kernel_pixel_shuffle.h"

#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_targets.h"  // must precede the Highway headers

#include <cstddef>
#include <cstring>

#include "base/image_ops.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/kernel_pixel_shuffle.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "runtime/kernel_row_loops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// quantize_unit(v, 255) on a vector, result as i32 lanes in [0, 255].
template <class D, class V = hn::Vec<D>>
HWY_INLINE hn::Vec<hn::Rebind<int32_t, D>> quantize_i32(D d, V v) {
  const hn::Rebind<int32_t, D> di;
  V s = hn::Mul(v, hn::Set(d, 255.0f));
  s = hn::IfThenElseZero(hn::Gt(s, hn::Zero(d)), s);  // !(s > 0) -> 0, NaN included
  s = hn::Min(s, hn::Set(d, 255.0f));
  return hn::ConvertTo(di, hn::Add(s, hn::Set(d, 0.5f)));  // truncation = floor here
}

// v clamped to [0, 1], NaN -> 0: v > 0 ? min(v, 1) : 0 (the f32 store).
template <class D, class V = hn::Vec<D>>
HWY_INLINE V clamp_unit(D d, V v) {
  return hn::IfThenElseZero(hn::Gt(v, hn::Zero(d)), hn::Min(v, hn::Set(d, 1.0f)));
}

// quantize_unit(v, 255) on a vector, result as u8 lanes.
template <class D, class V = hn::Vec<D>>
HWY_INLINE hn::Vec<hn::Rebind<uint8_t, D>> quantize_u8(D d, V v) {
  return hn::DemoteTo(hn::Rebind<uint8_t, D>(), quantize_i32(d, v));
}

// Scale 4 into u8 (the ELSR / EVSRNet x4 store), LR pixels [x, x+N): HR row i holds, per LR pixel, the 12
// bytes R0 G0 B0 R1 | G1 B1 R2 G2 | B2 R3 G3 B3 (digit = j, the HR column within the pixel). Each group of
// four is one little-endian u32 word assembled from the quantised i32 lanes with shifts and ORs, and the three
// word vectors are interleaved by one StoreInterleaved3: no per-byte shuffles. Same float ops as the generic
// path (skip added in the HR domain, then quantize_unit), so the bytes are identical.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the x4 u8 store assembles bytes in little-endian words");
template <class D>
HWY_INLINE void shuffle_vector_u8_x4(D d, const float* const* rows, size_t x, const float* const* skip,
                                     uint8_t* const* out_rows) {
  const hn::RebindToUnsigned<D> du;
  using VU = hn::Vec<decltype(du)>;
  const size_t n = hn::Lanes(d);
  HWY_ALIGN uint32_t words[3 * hn::MaxLanes(D())];
  for (int i = 0; i < 4; ++i) {
    VU q[3][4];  // [colour][j]
    for (int c = 0; c < 3; ++c) {
      const float* const* r = rows + c * 16 + i * 4;
      hn::Vec<D> v[4] = {hn::LoadU(d, r[0] + x), hn::LoadU(d, r[1] + x), hn::LoadU(d, r[2] + x),
                         hn::LoadU(d, r[3] + x)};
      if (skip != nullptr) {
        hn::Vec<D> s[4];
        hn::LoadInterleaved4(d, skip[c * 4 + i] + x * 4, s[0], s[1], s[2], s[3]);
        for (int j = 0; j < 4; ++j) v[j] = hn::Add(v[j], s[j]);
      }
      for (int j = 0; j < 4; ++j) q[c][j] = hn::BitCast(du, quantize_i32(d, v[j]));
    }
    const VU w0 = hn::Or(hn::Or(q[0][0], hn::ShiftLeft<8>(q[1][0])),
                         hn::Or(hn::ShiftLeft<16>(q[2][0]), hn::ShiftLeft<24>(q[0][1])));
    const VU w1 = hn::Or(hn::Or(q[1][1], hn::ShiftLeft<8>(q[2][1])),
                         hn::Or(hn::ShiftLeft<16>(q[0][2]), hn::ShiftLeft<24>(q[1][2])));
    const VU w2 = hn::Or(hn::Or(q[2][2], hn::ShiftLeft<8>(q[0][3])),
                         hn::Or(hn::ShiftLeft<16>(q[1][3]), hn::ShiftLeft<24>(q[2][3])));
    hn::StoreInterleaved3(w0, w1, w2, du, words);
    std::memcpy(out_rows[i] + x * 12, words, 12 * n);
  }
}

// HR values of LR pixels [x, x+N) for HR row i, colour c: s*N floats into hr.
template <int S, class D>
HWY_INLINE void gather_hr(D d, const float* const* rows, int c, int i, size_t x, float* HWY_RESTRICT hr) {
  const float* const* r = rows + c * S * S + i * S;
  if constexpr (S == 1) {
    hn::StoreU(hn::LoadU(d, r[0] + x), d, hr);
  } else if constexpr (S == 2) {
    hn::StoreInterleaved2(hn::LoadU(d, r[0] + x), hn::LoadU(d, r[1] + x), d, hr);
  } else if constexpr (S == 3) {
    hn::StoreInterleaved3(hn::LoadU(d, r[0] + x), hn::LoadU(d, r[1] + x), hn::LoadU(d, r[2] + x), d, hr);
  } else {
    hn::StoreInterleaved4(hn::LoadU(d, r[0] + x), hn::LoadU(d, r[1] + x), hn::LoadU(d, r[2] + x),
                          hn::LoadU(d, r[3] + x), d, hr);
  }
}

template <int S, bool kU8, class D, typename Out>
HWY_INLINE void shuffle_vector(D d, const float* const* rows, size_t x, const float* const* skip,
                               Out* const* out_rows) {
  constexpr size_t kMax = hn::MaxLanes(D()) * S;
  const size_t n = hn::Lanes(d);
  HWY_ALIGN float hr[3][kMax];
  for (int i = 0; i < S; ++i) {
    for (int c = 0; c < 3; ++c) gather_hr<S>(d, rows, c, i, x, hr[c]);
    for (size_t p = 0; p < S; ++p) {
      auto r = hn::LoadU(d, hr[0] + p * n);
      auto g = hn::LoadU(d, hr[1] + p * n);
      auto b = hn::LoadU(d, hr[2] + p * n);
      if (skip != nullptr) {
        const size_t hx = x * S + p * n;
        r = hn::Add(r, hn::LoadU(d, skip[0 * S + i] + hx));
        g = hn::Add(g, hn::LoadU(d, skip[1 * S + i] + hx));
        b = hn::Add(b, hn::LoadU(d, skip[2 * S + i] + hx));
      }
      Out* o = out_rows[i] + (x * S + p * n) * 3;
      if constexpr (kU8) {
        const hn::Rebind<uint8_t, D> d8;
        hn::StoreInterleaved3(quantize_u8(d, r), quantize_u8(d, g), quantize_u8(d, b), d8, o);
      } else {
        hn::StoreInterleaved3(clamp_unit(d, r), clamp_unit(d, g), clamp_unit(d, b), d, o);
      }
    }
  }
}

// Returns false when the reference must handle the call (width < N or unsupported scale).
template <bool kU8, typename Out>
HWY_INLINE bool shuffle_rows(const float* const* rows, int width_i, int scale, const float* const* skip,
                             Out* const* out_rows) {
  const hn::ScalableTag<float> d;
  const size_t n = hn::Lanes(d), width = static_cast<size_t>(width_i);
  if (width < n || scale < 1 || scale > 4) return false;
  auto run = [&](auto s_const) {
    constexpr int S = decltype(s_const)::value;
    auto one = [&](size_t x) {
      if constexpr (S == 4 && kU8) {
        // A no-op cast here (Out is uint8_t): clang checks this discarded branch for Out = float too.
        shuffle_vector_u8_x4(d, rows, x, skip, reinterpret_cast<uint8_t* const*>(out_rows));
      } else {
        shuffle_vector<S, kU8>(d, rows, x, skip, out_rows);
      }
    };
    for_each_vector(n, width, one);
  };
  with_scale(scale, run);
  return true;
}

bool shuffle_u8(const float* const* rows, int width, int scale, const float* const* skip, uint8_t* const* out) {
  return shuffle_rows<true>(rows, width, scale, skip, out);
}
bool shuffle_f32(const float* const* rows, int width, int scale, const float* const* skip, float* const* out) {
  return shuffle_rows<false>(rows, width, scale, skip, out);
}

bool interleave_rows(const float* const* in_rows, int width_i, int r, float* out) {
  const hn::ScalableTag<float> d;
  const size_t n = hn::Lanes(d), width = static_cast<size_t>(width_i);
  if (width < n || r < 1 || r > 4) return false;
  auto run = [&](auto s_const) {
    constexpr int S = decltype(s_const)::value;
    for_each_vector(n, width, [&](size_t x) { gather_hr<S>(d, in_rows, 0, 0, x, out + x * S); });
  };
  with_scale(r, run);
  return true;
}

bool deinterleave_u8(const uint8_t* rgb, int width_i, float* const* planes) {
  const hn::ScalableTag<float> d;
  const hn::Rebind<int32_t, decltype(d)> di;
  const hn::Rebind<uint8_t, decltype(d)> d8;
  const size_t n = hn::Lanes(d), width = static_cast<size_t>(width_i);
  if (width < n) return false;
  const auto k255 = hn::Set(d, 255.0f);
  auto one = [&](size_t x) {
    hn::Vec<decltype(d8)> r, g, b;
    hn::LoadInterleaved3(d8, rgb + x * 3, r, g, b);
    hn::StoreU(hn::Div(hn::ConvertTo(d, hn::PromoteTo(di, r)), k255), d, planes[0] + x);
    hn::StoreU(hn::Div(hn::ConvertTo(d, hn::PromoteTo(di, g)), k255), d, planes[1] + x);
    hn::StoreU(hn::Div(hn::ConvertTo(d, hn::PromoteTo(di, b)), k255), d, planes[2] + x);
  };
  for_each_vector(n, width, one);
  return true;
}

bool deinterleave_f32(const float* rgb, int width_i, float* const* planes) {
  const hn::ScalableTag<float> d;
  const size_t n = hn::Lanes(d), width = static_cast<size_t>(width_i);
  if (width < n) return false;
  auto one = [&](size_t x) {
    hn::Vec<decltype(d)> r, g, b;
    hn::LoadInterleaved3(d, rgb + x * 3, r, g, b);
    hn::StoreU(r, d, planes[0] + x);
    hn::StoreU(g, d, planes[1] + x);
    hn::StoreU(b, d, planes[2] + x);
  };
  for_each_vector(n, width, one);
  return true;
}

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace litesr {

HWY_EXPORT(shuffle_u8);
HWY_EXPORT(shuffle_f32);
HWY_EXPORT(interleave_rows);
HWY_EXPORT(deinterleave_u8);
HWY_EXPORT(deinterleave_f32);

void pixel_shuffle_store_u8_rows(const float* const* rows, int width, int scale, const float* const* skip_rgb,
                                 uint8_t* const* out_rows) {
  if (!LITESR_DISPATCH(shuffle_u8)(rows, width, scale, skip_rgb, out_rows)) {
    pixel_shuffle_store_u8_rows_ref(rows, width, scale, skip_rgb, out_rows);
  }
}

void pixel_shuffle_store_f32_rows(const float* const* rows, int width, int scale, const float* const* skip_rgb,
                                  float* const* out_rows) {
  if (!LITESR_DISPATCH(shuffle_f32)(rows, width, scale, skip_rgb, out_rows)) {
    pixel_shuffle_store_f32_rows_ref(rows, width, scale, skip_rgb, out_rows);
  }
}

void interleave_rows_f32(const float* const* in_rows, int width, int r, float* out) {
  if (!LITESR_DISPATCH(interleave_rows)(in_rows, width, r, out)) interleave_rows_f32_ref(in_rows, width, r, out);
}

void interleave_rows_f32_ref(const float* const* in_rows, int width, int r, float* out) {
  for (int x = 0; x < width; ++x) {
    for (int j = 0; j < r; ++j) out[x * r + j] = in_rows[j][x];
  }
}

void deinterleave_rgb_u8_to_planar_f32(const uint8_t* rgb, int width, float* const* planes) {
  if (!LITESR_DISPATCH(deinterleave_u8)(rgb, width, planes)) {
    deinterleave_rgb_u8_to_planar_f32_ref(rgb, width, planes);
  }
}

void deinterleave_rgb_f32_to_planar_f32(const float* rgb, int width, float* const* planes) {
  if (!LITESR_DISPATCH(deinterleave_f32)(rgb, width, planes)) {
    deinterleave_rgb_f32_to_planar_f32_ref(rgb, width, planes);
  }
}

// ---- references ----

namespace {
template <typename Out, typename Store>
void shuffle_ref(const float* const* rows, int width, int s, const float* const* skip, Out* const* out_rows,
                 Store store) {
  for (int i = 0; i < s; ++i) {
    for (int x = 0; x < width; ++x) {
      for (int j = 0; j < s; ++j) {
        const int hx = x * s + j;
        for (int c = 0; c < 3; ++c) {
          float v = rows[c * s * s + i * s + j][x];
          if (skip != nullptr) v += skip[c * s + i][hx];
          store(out_rows[i][static_cast<size_t>(hx) * 3 + c], v);
        }
      }
    }
  }
}
}  // namespace

void pixel_shuffle_store_u8_rows_ref(const float* const* rows, int width, int scale,
                                     const float* const* skip_rgb, uint8_t* const* out_rows) {
  shuffle_ref(rows, width, scale, skip_rgb, out_rows,
              [](uint8_t& o, float v) { o = static_cast<uint8_t>(quantize_unit(v, 255)); });
}

void pixel_shuffle_store_f32_rows_ref(const float* const* rows, int width, int scale,
                                      const float* const* skip_rgb, float* const* out_rows) {
  shuffle_ref(rows, width, scale, skip_rgb, out_rows, [](float& o, float v) { o = clamp_unit(v); });
}

void deinterleave_rgb_u8_to_planar_f32_ref(const uint8_t* rgb, int width, float* const* planes) {
  for (int x = 0; x < width; ++x) {
    for (int c = 0; c < 3; ++c) planes[c][x] = static_cast<float>(rgb[static_cast<size_t>(x) * 3 + c]) / 255.0f;
  }
}

void deinterleave_rgb_f32_to_planar_f32_ref(const float* rgb, int width, float* const* planes) {
  for (int x = 0; x < width; ++x) {
    for (int c = 0; c < 3; ++c) planes[c][x] = rgb[static_cast<size_t>(x) * 3 + c];
  }
}

}  // namespace litesr
#endif  // HWY_ONCE

// INT8 row kernels (kernel_int8_rows.h). The byte moves of the image boundaries and the pixel shuffle are Highway
// kernels (every target has byte interleaves): per colour, StoreInterleaved{s} of the s source rows gives s·N
// consecutive HR bytes in a stack buffer, then StoreInterleaved3 of the three colours writes s·N RGB pixels. With
// the image parameters the int8 <-> u8 conversion is q XOR 0x80 (q + 128 and v − 128 in two's complement). A
// partial last vector is recomputed at width − N (idempotent); rows narrower than N, scales above 4 and tables
// other than the exact ones take the scalar references. Table lookups: AVX512-VBMI `vpermi2b` where the thread's INT8
// path has it (kernel_conv3x3_int8.h DISPATCH), AVX2 `vpshufb` slices and `vpblendvb` on the AVX2 and AVX-VNNI
// paths, one load per byte otherwise; pair tables: one load per byte.
#include "runtime/kernel_int8_rows.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "runtime/kernel_conv3x3_int8.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_targets.h"  // must precede the Highway headers

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/kernel_int8_rows.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "runtime/kernel_row_loops-inl.h"

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// hr[x·S + j] = rows[j][x] ^ flip for the N pixels at x (S = 1..4).
template <int S, class D>
HWY_INLINE void interleave_block(D d, const int8_t* const* rows, size_t x, hn::Vec<D> flip, uint8_t* hr) {
  auto load = [&](int j) { return hn::Xor(hn::LoadU(d, reinterpret_cast<const uint8_t*>(rows[j]) + x), flip); };
  if constexpr (S == 1) {
    hn::StoreU(load(0), d, hr);
  } else if constexpr (S == 2) {
    hn::StoreInterleaved2(load(0), load(1), d, hr);
  } else if constexpr (S == 3) {
    hn::StoreInterleaved3(load(0), load(1), load(2), d, hr);
  } else {
    hn::StoreInterleaved4(load(0), load(1), load(2), load(3), d, hr);
  }
}

// Exact u8 store (q + 128). Returns false when the reference must run.
bool store_exact_u8(const int8_t* const* rows, int width_i, int scale, uint8_t* const* out_rows) {
  const hn::ScalableTag<uint8_t> d;
  const size_t n = hn::Lanes(d), width = static_cast<size_t>(width_i);
  if (width < n || scale < 1 || scale > 4) return false;
  const auto flip = hn::Set(d, uint8_t{0x80});
  with_scale(scale, [&](auto s_const) {
    constexpr int S = decltype(s_const)::value;
    HWY_ALIGN uint8_t hr[3][HWY_MAX_BYTES * S];
    auto one = [&](size_t x) {
      for (int i = 0; i < S; ++i) {
        for (int c = 0; c < 3; ++c) interleave_block<S>(d, rows + c * S * S + i * S, x, flip, hr[c]);
        for (int p = 0; p < S; ++p) {
          hn::StoreInterleaved3(hn::Load(d, hr[0] + p * n), hn::Load(d, hr[1] + p * n), hn::Load(d, hr[2] + p * n), d,
                                out_rows[i] + (x * S + p * n) * 3);
        }
      }
    };
    for_each_vector(n, width, one);
  });
  return true;
}

bool interleave_int8(const int8_t* const* in_rows, int width_i, int r, int8_t* out) {
  const hn::ScalableTag<uint8_t> d;
  const size_t n = hn::Lanes(d), width = static_cast<size_t>(width_i);
  if (width < n || r < 1 || r > 4) return false;
  const auto zero = hn::Zero(d);
  with_scale(r, [&](auto s_const) {
    constexpr int S = decltype(s_const)::value;
    uint8_t* o = reinterpret_cast<uint8_t*>(out);
    for_each_vector(n, width, [&](size_t x) { interleave_block<S>(d, in_rows, x, zero, o + x * S); });
  });
  return true;
}

// Exact RGB u8 -> planar int8 (v − 128).
bool deinterleave_exact(const uint8_t* rgb, int width_i, int8_t* const* planes) {
  const hn::ScalableTag<uint8_t> d;
  const size_t n = hn::Lanes(d), width = static_cast<size_t>(width_i);
  if (width < n) return false;
  const auto flip = hn::Set(d, uint8_t{0x80});
  auto one = [&](size_t x) {
    hn::Vec<decltype(d)> r, g, b;
    hn::LoadInterleaved3(d, rgb + x * 3, r, g, b);
    hn::StoreU(hn::Xor(r, flip), d, reinterpret_cast<uint8_t*>(planes[0]) + x);
    hn::StoreU(hn::Xor(g, flip), d, reinterpret_cast<uint8_t*>(planes[1]) + x);
    hn::StoreU(hn::Xor(b, flip), d, reinterpret_cast<uint8_t*>(planes[2]) + x);
  };
  for_each_vector(n, width, one);
  return true;
}

// f32 store of an affine table's values (Int8ToFloatTable::affine, the source rows already through its `pre`):
// clamp((float(q) − zp) · scale, 0, 1), the table's own values (checked when the table was made). Per colour the s
// source rows are converted and interleaved into s·N HR floats in a stack buffer, then StoreInterleaved3 writes s·N
// RGB pixels, as store_exact_u8.
bool store_affine_f32(const int8_t* const* rows, int width_i, int scale, float scale_f, int32_t zero_point_i,
                      float* const* out_rows) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<int32_t, decltype(df)> di;
  const hn::Rebind<int8_t, decltype(df)> d8;
  const size_t n = hn::Lanes(df), width = static_cast<size_t>(width_i);
  if (width < n || scale < 1 || scale > 4) return false;
  const auto zero_point = hn::Set(df, static_cast<float>(zero_point_i)), step = hn::Set(df, scale_f);
  const auto zero = hn::Zero(df), one = hn::Set(df, 1.0f);
  auto value = [&](const int8_t* p) {
    const auto q = hn::ConvertTo(df, hn::PromoteTo(di, hn::LoadU(d8, p)));
    return hn::Min(hn::Max(hn::Mul(hn::Sub(q, zero_point), step), zero), one);
  };
  with_scale(scale, [&](auto s_const) {
    constexpr int S = decltype(s_const)::value;
    HWY_ALIGN float hr[3][HWY_MAX_BYTES / sizeof(float) * S];
    auto one_block = [&](size_t x) {
      for (int i = 0; i < S; ++i) {
        for (int c = 0; c < 3; ++c) {
          const int8_t* const* src = rows + c * S * S + i * S;
          if constexpr (S == 1) {
            hn::Store(value(src[0] + x), df, hr[c]);
          } else if constexpr (S == 2) {
            hn::StoreInterleaved2(value(src[0] + x), value(src[1] + x), df, hr[c]);
          } else if constexpr (S == 3) {
            hn::StoreInterleaved3(value(src[0] + x), value(src[1] + x), value(src[2] + x), df, hr[c]);
          } else {
            hn::StoreInterleaved4(value(src[0] + x), value(src[1] + x), value(src[2] + x), value(src[3] + x), df,
                                  hr[c]);
          }
        }
        for (int p = 0; p < S; ++p) {
          hn::StoreInterleaved3(hn::Load(df, hr[0] + p * n), hn::Load(df, hr[1] + p * n), hn::Load(df, hr[2] + p * n),
                                df, out_rows[i] + (x * S + p * n) * 3);
        }
      }
    };
    for_each_vector(n, width, one_block);
  });
  return true;
}

// quantize_value on N samples: round(v / scale) half away from zero (trunc, then +1 in magnitude where the exact
// fraction is >= 1/2), NaN -> the zero point, the step count clamped to ±512, + zero point, saturated to int8.
template <class DF, class DI, class D8>
HWY_INLINE hn::Vec<D8> quantize_block(DF df, DI di, D8 d8, hn::Vec<DF> v, hn::Vec<DF> scale, hn::Vec<DI> zero_point) {
  const auto t = hn::Div(v, scale);
  const auto a = hn::Abs(t), whole = hn::Trunc(a);
  const auto up = hn::Ge(hn::Sub(a, whole), hn::Set(df, 0.5f));
  auto steps = hn::CopySign(hn::IfThenElse(up, hn::Add(whole, hn::Set(df, 1.0f)), whole), t);
  steps = hn::Min(hn::Max(steps, hn::Set(df, -512.0f)), hn::Set(df, 512.0f));
  auto q = hn::Add(hn::ConvertTo(di, steps), zero_point);
  q = hn::IfThenElse(hn::RebindMask(di, hn::IsNaN(t)), zero_point, q);
  return hn::DemoteTo(d8, q);  // saturating: the clamp to [−128, 127]
}

bool quantize_interleaved(const float* in, int width_i, int channels, QuantParams params, int8_t* const* planes) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<int32_t, decltype(df)> di;
  const hn::Rebind<int8_t, decltype(df)> d8;
  const size_t n = hn::Lanes(df), width = static_cast<size_t>(width_i);
  if (width < n || (channels != 1 && channels != 3)) return false;
  const auto scale = hn::Set(df, params.scale);
  const auto zero_point = hn::Set(di, params.zero_point);
  auto one = [&](size_t x) {
    if (channels == 1) {
      hn::StoreU(quantize_block(df, di, d8, hn::LoadU(df, in + x), scale, zero_point), d8, planes[0] + x);
      return;
    }
    hn::Vec<decltype(df)> r, g, b;
    hn::LoadInterleaved3(df, in + x * 3, r, g, b);
    hn::StoreU(quantize_block(df, di, d8, r, scale, zero_point), d8, planes[0] + x);
    hn::StoreU(quantize_block(df, di, d8, g, scale, zero_point), d8, planes[1] + x);
    hn::StoreU(quantize_block(df, di, d8, b, scale, zero_point), d8, planes[2] + x);
  };
  for_each_vector(n, width, one);
  return true;
}

// Σ in[x] over whole vectors from the start; returns how many samples it summed (a multiple of the vector length;
// the caller adds the rest). Bytes as u8 = q + 128 (XOR 0x80), summed by SumsOf8 (psadbw) into u64 lanes.
size_t sum_int8_vectors(const int8_t* in, int n_i, int64_t* sum) {
  const hn::ScalableTag<uint8_t> d;
  const hn::Repartition<uint64_t, decltype(d)> d64;
  const size_t n = hn::Lanes(d), count = static_cast<size_t>(n_i) / n * n;
  const auto flip = hn::Set(d, uint8_t{0x80});
  auto acc = hn::Zero(d64);
  for (size_t x = 0; x < count; x += n) {
    acc = hn::Add(acc, hn::SumsOf8(hn::Xor(hn::LoadU(d, reinterpret_cast<const uint8_t*>(in) + x), flip)));
  }
  *sum = static_cast<int64_t>(hn::GetLane(hn::SumOfLanes(d64, acc))) - 128 * static_cast<int64_t>(count);
  return count;
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif
namespace litesr {

HWY_EXPORT(store_exact_u8);
HWY_EXPORT(interleave_int8);
HWY_EXPORT(deinterleave_exact);
HWY_EXPORT(store_affine_f32);
HWY_EXPORT(quantize_interleaved);
HWY_EXPORT(sum_int8_vectors);

int64_t sum_row_int8(const int8_t* in, int n) {
  int64_t sum = 0;
  const int done = static_cast<int>(LITESR_DISPATCH(sum_int8_vectors)(in, n, &sum));
  for (int x = done; x < n; ++x) sum += in[x];
  return sum;
}

int64_t sum_row_int8_ref(const int8_t* in, int n) {
  int64_t sum = 0;
  for (int x = 0; x < n; ++x) sum += in[x];
  return sum;
}

void lookup_row_int8_ref(const Int8Table& table, const int8_t* in, int n, int8_t* out) {
  for (int x = 0; x < n; ++x) out[x] = table(in[x]);
}

void lookup_rows_int8_ref(std::span<const Int8Table> tables, const int8_t* in, std::ptrdiff_t in_stride, int8_t* out,
                          std::ptrdiff_t out_stride, int channels, int n) {
  for (int c = 0; c < channels; ++c) {
    lookup_row_int8_ref(tables[tables.size() == 1 ? 0 : c], in + c * in_stride, n, out + c * out_stride);
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// 64 lookups per step with AVX512-VBMI: vpermi2b covers 128 entries from two registers, so the low and the high
// half of the table are looked up and the index's top bit picks between them. Masked loads and stores cover the
// tail. Entered only on the int8 path that has VBMI (kernel_conv3x3_int8.h DISPATCH: kAvx512Vnni). A table is
// loaded into its four registers once per run of channels that share it.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void lookup_rows_vbmi(std::span<const Int8Table> tables,
                                                                             const int8_t* in, std::ptrdiff_t in_stride,
                                                                             int8_t* out, std::ptrdiff_t out_stride,
                                                                             int channels, int n) {
  __m512i t0, t1, t2, t3;
  for (int c = 0; c < channels; ++c) {
    if (c == 0 || tables.size() > 1) {
      const int8_t* t = tables[tables.size() == 1 ? 0 : c].v;
      t0 = _mm512_loadu_si512(t);
      t1 = _mm512_loadu_si512(t + 64);
      t2 = _mm512_loadu_si512(t + 128);
      t3 = _mm512_loadu_si512(t + 192);
    }
    const int8_t* src = in + c * in_stride;
    int8_t* dst = out + c * out_stride;
    for (int x = 0; x < n; x += 64) {
      const __mmask64 m = n - x >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - x)) - 1;
      const __m512i idx = _mm512_maskz_loadu_epi8(m, src + x);  // bit patterns 0..255
      const __m512i low = _mm512_permutex2var_epi8(t0, idx, t1), high = _mm512_permutex2var_epi8(t2, idx, t3);
      _mm512_mask_storeu_epi8(dst + x, m, _mm512_mask_blend_epi8(_mm512_movepi8_mask(idx), low, high));
    }
  }
}

// 32 lookups per step with AVX2 (the INT8 paths without VBMI: kAvx2, kAvxVnni). vpshufb looks the index's low nibble
// up in each of the table's sixteen 16-entry slices; a tree of vpblendvb picks the slice named by the high nibble,
// bit 4 first (vpblendvb reads bit 7 of each byte: a 16-bit shift left by 3, 2, 1, 0 moves bit 4, 5, 6, 7 there;
// what it shifts into the byte's low bits is not read). 16 shuffles + 15 blends per 32 bytes instead of 32 scalar
// loads. Tails go through a 32-byte stack buffer, so nothing past n is read or written.
__attribute__((target("avx2"))) inline __m256i table_slice_avx2(const int8_t* t, int k, __m256i low_nibble) {
  const __m256i slice = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t + 16 * k)));
  return _mm256_shuffle_epi8(slice, low_nibble);
}

// The lookup among slices [k, k + 2^level) (level 0: slice k), selected by index bits 4 .. 3 + level.
template <int Level>
__attribute__((target("avx2"))) inline __m256i table_slices_avx2(const int8_t* t, int k, __m256i index,
                                                                 __m256i low_nibble) {
  if constexpr (Level == 0) {
    return table_slice_avx2(t, k, low_nibble);
  } else {
    const __m256i lower = table_slices_avx2<Level - 1>(t, k, index, low_nibble);
    const __m256i upper = table_slices_avx2<Level - 1>(t, k + (1 << (Level - 1)), index, low_nibble);
    return _mm256_blendv_epi8(lower, upper, _mm256_slli_epi16(index, 4 - Level));  // bit 3 + Level -> bit 7
  }
}

__attribute__((target("avx2"))) inline __m256i lookup32_avx2(const Int8Table& table, __m256i index) {
  const __m256i low_nibble = _mm256_and_si256(index, _mm256_set1_epi8(0x0F));
  return table_slices_avx2<4>(table.v, 0, index, low_nibble);
}

__attribute__((target("avx2"))) void lookup_rows_avx2(std::span<const Int8Table> tables, const int8_t* in,
                                                      std::ptrdiff_t in_stride, int8_t* out, std::ptrdiff_t out_stride,
                                                      int channels, int n) {
  for (int c = 0; c < channels; ++c) {
    const Int8Table& table = tables[tables.size() == 1 ? 0 : c];
    const int8_t* src = in + c * in_stride;
    int8_t* dst = out + c * out_stride;
    int x = 0;
    for (; x + 32 <= n; x += 32) {
      const __m256i index = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + x));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + x), lookup32_avx2(table, index));
    }
    if (x < n) {
      alignas(32) int8_t staged[32] = {};
      std::memcpy(staged, src + x, static_cast<std::size_t>(n - x));
      const __m256i index = _mm256_load_si256(reinterpret_cast<const __m256i*>(staged));
      _mm256_store_si256(reinterpret_cast<__m256i*>(staged), lookup32_avx2(table, index));
      std::memcpy(dst + x, staged, static_cast<std::size_t>(n - x));
    }
  }
}
#endif

void lookup_rows_int8(std::span<const Int8Table> tables, const int8_t* in, std::ptrdiff_t in_stride, int8_t* out,
                      std::ptrdiff_t out_stride, int channels, int n) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  switch (thread_int8_path()) {
    case Int8ConvPath::kAvx512Vnni:
      lookup_rows_vbmi(tables, in, in_stride, out, out_stride, channels, n);
      return;
    case Int8ConvPath::kAvx2:
    case Int8ConvPath::kAvxVnni:
      lookup_rows_avx2(tables, in, in_stride, out, out_stride, channels, n);
      return;
    case Int8ConvPath::kScalar:
      break;
  }
#endif
  lookup_rows_int8_ref(tables, in, in_stride, out, out_stride, channels, n);
}

void lookup_row_int8(const Int8Table& table, const int8_t* in, int n, int8_t* out) {
  lookup_rows_int8(std::span<const Int8Table>(&table, 1), in, 0, out, 0, 1, n);
}

void interleave_rows_int8(const int8_t* const* in_rows, int width, int r, int8_t* out) {
  if (LITESR_DISPATCH(interleave_int8)(in_rows, width, r, out)) return;
  for (int j = 0; j < r; ++j) {
    const int8_t* in = in_rows[j];
    for (int x = 0; x < width; ++x) out[x * r + j] = in[x];
  }
}

void deinterleave_rgb_u8_to_int8(const uint8_t* rgb, int width, const ByteToInt8Table& table, int8_t* const* planes) {
  if (table.exact && LITESR_DISPATCH(deinterleave_exact)(rgb, width, planes)) return;
  for (int x = 0; x < width; ++x) {
    for (int c = 0; c < 3; ++c) planes[c][x] = table.v[rgb[x * 3 + c]];
  }
}

void pixel_shuffle_store_int8_u8_rows_ref(const int8_t* const* rows, int width, int scale,
                                          const Int8ToByteTable& table, uint8_t* const* out_rows) {
  const int s = scale;
  for (int i = 0; i < s; ++i) {
    uint8_t* out = out_rows[i];
    for (int x = 0; x < width; ++x) {
      for (int j = 0; j < s; ++j) {
        for (int c = 0; c < 3; ++c) out[(x * s + j) * 3 + c] = table.v[static_cast<uint8_t>(rows[c * s * s + i * s + j][x])];
      }
    }
  }
}

namespace {

// The stores of a table that is a lookup followed by what a SIMD store computes: for chunks of up to kChunk pixels
// (they overlap at the row's end, the same bytes again, so that each is at least one vector wide when the row is),
// every source row's chunk through `table` (lookup_row_int8: `vpermi2b` where the thread's INT8 path has it), then
// store(looked-up rows, chunk, out rows at the chunk, source rows at the chunk): false falls back to the scalar
// loop on the source rows (ref(source rows, chunk, out rows)).
template <typename Out, class Store, class Ref>
void store_looked_up(const int8_t* const* rows, int width, int scale, const Int8Table& table, Out* const* out_rows,
                     Store store, Ref ref) {
  constexpr int kChunk = 256, kMaxRows = 3 * 4 * 4;
  const int rows_in = 3 * scale * scale, chunk = std::min(kChunk, width);
  alignas(64) int8_t looked_up[kMaxRows][kChunk];
  const int8_t* chunk_rows[kMaxRows];
  Out* chunk_out[4];
  for (int c = 0; c < rows_in; ++c) chunk_rows[c] = looked_up[c];
  for (int x = 0; x < width; x += chunk) {
    const int x0 = std::min(x, width - chunk);
    for (int c = 0; c < rows_in; ++c) lookup_row_int8(table, rows[c] + x0, chunk, looked_up[c]);
    for (int i = 0; i < scale; ++i) chunk_out[i] = out_rows[i] + static_cast<std::ptrdiff_t>(x0) * scale * 3;
    if (!store(chunk_rows, chunk, chunk_out)) {  // a chunk narrower than a vector
      const int8_t* source[kMaxRows];
      for (int c = 0; c < rows_in; ++c) source[c] = rows[c] + x0;
      ref(source, chunk, chunk_out);
    }
  }
}

// Any other u8 table: chunks through table[q] ^ 0x80, which the exact store then turns into table[q].
void store_table_u8(const int8_t* const* rows, int width, int scale, const Int8ToByteTable& table,
                    uint8_t* const* out_rows) {
  Int8Table flipped;
  for (int b = 0; b < 256; ++b) flipped.v[b] = static_cast<int8_t>(table.v[b] ^ 0x80u);
  store_looked_up(
      rows, width, scale, flipped, out_rows,
      [&](const int8_t* const* looked_up, int chunk, uint8_t* const* out) {
        return LITESR_DISPATCH(store_exact_u8)(looked_up, chunk, scale, out);
      },
      [&](const int8_t* const* source, int chunk, uint8_t* const* out) {
        pixel_shuffle_store_int8_u8_rows_ref(source, chunk, scale, table, out);
      });
}

// An affine f32 table after `pre` (Int8ToFloatTable::has_pre): chunks through pre, then the affine store.
void store_pre_affine_f32(const int8_t* const* rows, int width, int scale, const Int8ToFloatTable& table,
                          float* const* out_rows) {
  store_looked_up(
      rows, width, scale, table.pre, out_rows,
      [&](const int8_t* const* looked_up, int chunk, float* const* out) {
        return LITESR_DISPATCH(store_affine_f32)(looked_up, chunk, scale, table.scale, table.zero_point, out);
      },
      [&](const int8_t* const* source, int chunk, float* const* out) {
        pixel_shuffle_store_int8_f32_rows_ref(source, chunk, scale, table, out);
      });
}

}  // namespace

void pixel_shuffle_store_int8_u8_rows(const int8_t* const* rows, int width, int scale, const Int8ToByteTable& table,
                                      uint8_t* const* out_rows) {
  if (scale >= 1 && scale <= 4) {  // store_exact_u8's scales
    if (table.exact && LITESR_DISPATCH(store_exact_u8)(rows, width, scale, out_rows)) return;
    if (!table.exact) {
      store_table_u8(rows, width, scale, table, out_rows);
      return;
    }
  }
  pixel_shuffle_store_int8_u8_rows_ref(rows, width, scale, table, out_rows);
}

void pixel_shuffle_store_int8_f32_rows(const int8_t* const* rows, int width, int scale, const Int8ToFloatTable& table,
                                       float* const* out_rows) {
  if (table.affine && scale >= 1 && scale <= 4) {  // store_affine_f32's scales
    if (table.has_pre) return store_pre_affine_f32(rows, width, scale, table, out_rows);
    if (LITESR_DISPATCH(store_affine_f32)(rows, width, scale, table.scale, table.zero_point, out_rows)) return;
  }
  pixel_shuffle_store_int8_f32_rows_ref(rows, width, scale, table, out_rows);
}

void pixel_shuffle_store_int8_f32_rows_ref(const int8_t* const* rows, int width, int scale,
                                           const Int8ToFloatTable& table, float* const* out_rows) {
  const int s = scale;
  for (int i = 0; i < s; ++i) {
    float* out = out_rows[i];
    for (int x = 0; x < width; ++x) {
      for (int j = 0; j < s; ++j) {
        for (int c = 0; c < 3; ++c) out[(x * s + j) * 3 + c] = table.v[static_cast<uint8_t>(rows[c * s * s + i * s + j][x])];
      }
    }
  }
}

void quantize_interleaved_f32_to_int8(const float* in, int width, int channels, QuantParams params,
                                      int8_t* const* planes) {
  if (LITESR_DISPATCH(quantize_interleaved)(in, width, channels, params, planes)) return;
  quantize_interleaved_f32_to_int8_ref(in, width, channels, params, planes);
}

void quantize_interleaved_f32_to_int8_ref(const float* in, int width, int channels, QuantParams params,
                                          int8_t* const* planes) {
  for (int c = 0; c < channels; ++c) {
    for (int x = 0; x < width; ++x)
      planes[c][x] = quantize_value(in[static_cast<std::ptrdiff_t>(x) * channels + c], params);
  }
}

}  // namespace litesr
#endif  // HWY_ONCE

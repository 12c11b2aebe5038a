// conv3x3_int8_rows: INT8 dense 3x3 conv on planar int8 rows, bit-exact with conv2d_int8 (kernel_conv3x3_int8.h
// has the layout, the arithmetic and the dispatch). The SIMD paths are per-ISA intrinsics in functions compiled
// with __attribute__((target(...))), so this file needs no -m flags and runs on any x86-64 CPU; each path is
// entered only after a run-time CPU check.
//
// Blocking: a block of up to kCoBlock output channels × XB vectors of pixels (AVX-512: XB = 2 vectors of 16; AVX2:
// one vector of 8), whose accumulators stay in registers over the whole C × 3-row reduction. On AVX-512 a 3x3 conv
// of more than two blocks of output channels builds the input vectors of every tap group of a strip once
// (rows_avx512) for every block to read; narrower ones build them in registers per block (block_avx512). The
// epilogue (requantization) costs ~6–8 vector ops per 16 outputs in its float form whatever C is, so the gain over
// the float kernel grows with C: bench/int8_conv.cpp (one thread, 2026-12-07) measured 1.5x at ELSR's 3 -> 6, 2.0x at
// its 6 -> 6, 1.6x at its 6 -> 48 layer (against the Winograd float kernel), 2.9x at C = O = 16 and 3.1x at 32.
#include "runtime/kernel_conv3x3_int8.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LITESR_INT8_X86 1
// GCC 12's AVX-512 intrinsics initialise their "undefined" operands with themselves (`__m512i __Y = __Y;`), which
// -Wuninitialized reports once they are inlined into target("avx512...") functions (GCC bug 105593, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <cpuid.h>
#include <immintrin.h>
#else
#define LITESR_INT8_X86 0
#endif

namespace litesr {
namespace {

constexpr int kCoBlock = 8;  // output channels per register block (8 accumulators + inputs fit 16 ymm / 32 zmm)

// ---------------------------------------------------------------------------------------------------------------
// Scalar path: the reference arithmetic with the folded bias (int32 sums wrap: computed in uint32).
// ---------------------------------------------------------------------------------------------------------------
void rows_scalar(const PackedConvInt8& p, const int8_t* const* in, int width, int8_t* const* out) {
  constexpr int kChunk = 64;  // pixels per pass: the int32 sums of one output channel stay on the stack
  for (int o = 0; o < p.cout; ++o) {
    const int8_t* w = p.weight.data() + static_cast<size_t>(o) * p.cin * 9;  // [C][3][3]
    for (int x0 = 0; x0 < width; x0 += kChunk) {
      const int n = std::min(kChunk, width - x0);
      uint32_t acc[kChunk];
      std::fill(acc, acc + n, static_cast<uint32_t>(p.bias_signed[o]));
      for (int r = 0; r < p.cin * 3; ++r) {  // r = c·3 + ky
        const int8_t* row = in[r] + x0 - 1;
        for (int kx = 0; kx < 3; ++kx) {
          const int32_t wt = w[r * 3 + kx];
          for (int i = 0; i < n; ++i) acc[i] += static_cast<uint32_t>(wt * row[i + kx]);
        }
      }
      for (int i = 0; i < n; ++i) {
        out[o][x0 + i] =
            requantize_accumulator(static_cast<int32_t>(acc[i]), p.multipliers[o], p.output_zero_point, p.range);
      }
    }
  }
}

// A 1x1 conv: the same with one tap per input channel (weight [O][C]).
void rows_scalar_1x1(const PackedConvInt8& p, const int8_t* const* in, int width, int8_t* const* out) {
  constexpr int kChunk = 64;
  for (int o = 0; o < p.cout; ++o) {
    const int8_t* w = p.weight.data() + static_cast<size_t>(o) * p.cin;
    for (int x0 = 0; x0 < width; x0 += kChunk) {
      const int n = std::min(kChunk, width - x0);
      uint32_t acc[kChunk];
      std::fill(acc, acc + n, static_cast<uint32_t>(p.bias_signed[o]));
      for (int c = 0; c < p.cin; ++c) {
        const int8_t* row = in[c] + x0;
        const int32_t wt = w[c];
        for (int i = 0; i < n; ++i) acc[i] += static_cast<uint32_t>(wt * row[i]);
      }
      for (int i = 0; i < n; ++i) {
        out[o][x0 + i] =
            requantize_accumulator(static_cast<int32_t>(acc[i]), p.multipliers[o], p.output_zero_point, p.range);
      }
    }
  }
}

#if LITESR_INT8_X86

// Per output channel requantization constants in the form the SIMD epilogues use.
struct Requant {
  int32_t mantissa;
  int left;   // max(shift, 0)
  int right;  // max(−shift, 0)
};
inline Requant requant_of(QuantizedMultiplier m) {
  return {m.mantissa, m.shift > 0 ? m.shift : 0, m.shift > 0 ? 0 : -m.shift};
}

// ---------------------------------------------------------------------------------------------------------------
// AVX-512 (VNNI + VBMI): 16 pixels per vector.
// ---------------------------------------------------------------------------------------------------------------
#define LITESR_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vbmi")))

// Per output channel constants of requantize16: MultiplyByQuantizedMultiplier's two roundings and the output zero
// point folded into one 64-bit addend per sign of a·m (below).
struct Requant16 {
  int32_t mantissa = 0;
  int left = 0;          // max(shift, 0)
  int right = 0;         // max(−shift, 0)
  int64_t up = 0;        // added to a·m where a·m >= −2^30
  int64_t down = 0;      // added where a·m < −2^30 (right > 0 only)
  int32_t zp_after = 0;  // the zero point where it is not folded into up / down (right > 22), else 0
};
inline Requant16 requant16_of(QuantizedMultiplier m, int32_t zero_point) {
  Requant16 q;
  q.mantissa = m.mantissa;
  q.left = m.shift > 0 ? m.shift : 0;
  q.right = m.shift > 0 ? 0 : -m.shift;
  // |a·m| < 2^62; with right <= 22 the addend is below 2^30 + 2^52 + 2^7 · 2^53, so the sum stays below 2^63.
  const bool fold = q.right <= 22;
  const int64_t zp_term = fold ? static_cast<int64_t>(zero_point) * (int64_t{1} << (31 + q.right)) : 0;
  q.up = (int64_t{1} << 30) + (q.right > 0 ? int64_t{1} << (30 + q.right) : 0) + zp_term;
  q.down = q.up - (int64_t{1} << 31);
  q.zp_after = fold ? 0 : zero_point;
  return q;
}

// zp_out + MultiplyByQuantizedMultiplier(acc) on 16 int32 lanes (quant/fixed_point.h, bit for bit; the activation
// clamp is narrow16's).
LITESR_TARGET_AVX512 inline __m512i requantize16(__m512i acc, const Requant16& q) {
  if (q.left > 0) {  // x · 2^left, saturated to int32
    const __m128i count = _mm_cvtsi32_si128(q.left);
    const __m512i shifted = _mm512_sll_epi32(acc, count);
    const __mmask16 exact = _mm512_cmpeq_epi32_mask(_mm512_sra_epi32(shifted, count), acc);
    const __mmask16 negative = _mm512_movepi32_mask(acc);
    const __m512i saturated =
        _mm512_mask_blend_epi32(negative, _mm512_set1_epi32(INT32_MAX), _mm512_set1_epi32(INT32_MIN));
    acc = _mm512_mask_blend_epi32(exact, saturated, shifted);
  }
  // SRDHM(a, m) = floor((a·m + 2^30) / 2^31) in 64-bit lanes: even lanes from the low dwords, odd lanes from the
  // high ones. RoundingDivideByPOT by r > 0 is folded into the same shift: with y = a·m + 2^30 and x = floor(y / 2^31),
  //   RDBP(x, r) = floor((x + 2^(r−1) − [x < 0]) / 2^r) = floor((y + 2^(30+r) − [y < 0]·2^31) / 2^(31+r))
  // ([x < 0] ⇔ y < 0 ⇔ a·m < −2^30), and zp_out · 2^(31+r) added to the numerator adds zp_out to the quotient
  // (Requant16::up / down). The even results are the low dwords of the 64-bit quotients; the odd ones are shifted 32
  // bits less, leaving them in the high dwords.
  const __m512i m = _mm512_set1_epi32(q.mantissa);
  __m512i even = _mm512_mul_epi32(acc, m);
  __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), m);
  const __m512i up = _mm512_set1_epi64(q.up);
  __m512i x;
  if (q.right == 0) {
    x = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(_mm512_add_epi64(even, up), 31),
                                _mm512_slli_epi64(_mm512_add_epi64(odd, up), 1));
  } else {
    const __m512i down = _mm512_set1_epi64(q.down);
    const __m512i negative_limit = _mm512_set1_epi64(-(int64_t{1} << 30));
    const __mmask8 even_negative = _mm512_cmplt_epi64_mask(even, negative_limit);
    const __mmask8 odd_negative = _mm512_cmplt_epi64_mask(odd, negative_limit);
    even = _mm512_mask_add_epi64(_mm512_add_epi64(even, up), even_negative, even, down);
    odd = _mm512_mask_add_epi64(_mm512_add_epi64(odd, up), odd_negative, odd, down);
    x = _mm512_mask_blend_epi32(0xAAAA, _mm512_sra_epi64(even, _mm_cvtsi32_si128(31 + q.right)),
                                _mm512_sra_epi64(odd, _mm_cvtsi32_si128(q.right - 1)));
  }
  if (q.zp_after != 0) x = _mm512_add_epi32(x, _mm512_set1_epi32(q.zp_after));
  return x;
}

// zp_out + MBQM(acc) on the XB accumulator vectors (16 lanes each) of one output channel by the float form where there
// is one (f != nullptr; quant/float_requantization.h, float_requantize lane by lane with its rounding modes fixed
// rather than MXCSR's: floor(fma(float(acc), scale, offset))), with one test and one branch for all their lanes;
// where any lane of any of them is unsure (or there is no float form), all XB take requantize16.
template <int XB>
LITESR_TARGET_AVX512 __attribute__((always_inline)) inline void requantize_channel_by_float(
    const __m512i (&acc)[XB], const FloatRequant* f, QuantizedMultiplier m, int32_t zero_point, __m512i (&q)[XB]) {
  if (f != nullptr) {
    constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
    constexpr int kDown = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;
    const __m512 scale = _mm512_set1_ps(f->scale), margin = _mm512_set1_ps(kFloatRequantMargin);
    __m512 y[XB];
    __mmask16 unsure = 0;
#pragma GCC unroll 4
    for (int k = 0; k < XB; ++k) {
      __m512 offset = _mm512_set1_ps(f->offset);
      if (f->piecewise) {
        const __mmask16 negative = _mm512_cmplt_epi32_mask(acc[k], _mm512_set1_epi32(f->negative_below));
        offset = _mm512_mask_blend_ps(negative, offset, _mm512_set1_ps(f->negative_offset));
      }
      y[k] = _mm512_fmadd_round_ps(_mm512_cvt_roundepi32_ps(acc[k], kNearest), scale, offset, kNearest);
      unsure |= _mm512_cmp_ps_mask(_mm512_reduce_ps(y[k], kDown), margin, _CMP_LT_OQ);
    }
    if (unsure == 0) [[likely]] {
#pragma GCC unroll 4
      for (int k = 0; k < XB; ++k) q[k] = _mm512_cvt_roundps_epi32(y[k], kDown);
      return;
    }
  }
  const Requant16 r = requant16_of(m, zero_point);
#pragma GCC unroll 4
  for (int k = 0; k < XB; ++k) q[k] = requantize16(acc[k], r);
}

// An activation range as requantize16's epilogue: the saturating narrowing (vpmovsdb) is the clamp to [−128, 127],
// so only a narrower bound costs an instruction.
struct Clamp16 {
  __m512i lo, hi;
  bool clamp_lo, clamp_hi;
};
LITESR_TARGET_AVX512 inline Clamp16 clamp16_of(ActivationRange range) {
  return {_mm512_set1_epi32(range.min), _mm512_set1_epi32(range.max), range.min > kInt8Min, range.max < kInt8Max};
}
LITESR_TARGET_AVX512 inline __m128i narrow16(__m512i x, const Clamp16& c) {
  if (c.clamp_lo) x = _mm512_max_epi32(x, c.lo);
  if (c.clamp_hi) x = _mm512_min_epi32(x, c.hi);
  return _mm512_cvtsepi32_epi8(x);
}

// Load and store masks of XB vectors of 16 pixels from x: loads read bytes x − 1 .. min(x + 16, width) of a row
// (the left zero point and the right one where the row ends), stores write the pixels in [0, width); a vector
// entirely past the row loads nothing and stores nothing.
template <int XB>
inline void strip_masks(int x, int width, __mmask64* load_mask, __mmask16* store_mask) {
  for (int k = 0; k < XB; ++k) {
    const int left = width - (x + 16 * k);  // pixels of the row from this vector's start
    const int valid = std::clamp(left, 0, 16);
    const int readable = valid > 0 ? std::min(18, left + 2) : 0;
    load_mask[k] = (__mmask64{1} << readable) - 1;
    store_mask[k] = static_cast<__mmask16>((1u << valid) - 1);
  }
}

// Requantizes and stores the accumulators of output channels [o0, o0 + NB) (fully unrolled like the reduction
// loops, so that acc[][] stays in registers: GCC keeps an array that any loop indexes at run time in memory).
template <int NB, int XB>
LITESR_TARGET_AVX512 inline void store_block_avx512(const PackedConvInt8& p, const __m512i (&acc)[NB][XB], int x,
                                                    const __mmask16* store_mask, int o0, int8_t* const* out) {
  const Clamp16 clamp = clamp16_of(p.range);
  const bool float_form = !p.float_requant.empty();
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j) {
    __m512i q[XB];
    requantize_channel_by_float<XB>(acc[j], float_form ? &p.float_requant[o0 + j] : nullptr, p.multipliers[o0 + j],
                                    p.output_zero_point, q);
#pragma GCC unroll 4
    for (int k = 0; k < XB; ++k) {
      if (store_mask[k] != 0) _mm_mask_storeu_epi8(out[o0 + j] + x + 16 * k, store_mask[k], narrow16(q[k], clamp));
    }
  }
}

// Output channels [o0, o0 + NB), XB vectors of 16 pixels from x, clipped to [0, width) (vectors entirely past
// the row are computed from zeros and not stored).
template <int NB, int XB>
LITESR_TARGET_AVX512 void block_avx512(const PackedConvInt8& p, const int8_t* const* in, int x, int width, int o0,
                                       int8_t* const* out) {
  __mmask64 load_mask[XB];
  __mmask16 store_mask[XB];
  strip_masks<XB>(x, width, load_mask, store_mask);
  // The taps of an output channel, flattened t = (c·3 + ky)·3 + kx = row·3 + kx, are taken 4 at a time (group g:
  // taps 4g .. 4g + 3, PackedConvInt8::taps_g4). A group spans two input rows ra = ⌊4g / 3⌋ and ra + 1 and
  // starts at kx = φ = 4g mod 3; vpermt2b gathers, for pixel j, byte i = row (φ + i < 3 ? ra : ra + 1) at
  // x − 1 + j + (φ + i) mod 3 from the two rows' loads at x − 1 (index bit 6 selects the second table).
  alignas(64) static constexpr std::array<std::array<uint8_t, 64>, 3> kPairIndex = [] {
    std::array<std::array<uint8_t, 64>, 3> a{};
    for (int phase = 0; phase < 3; ++phase) {
      for (int j = 0; j < 16; ++j) {
        for (int i = 0; i < 4; ++i) {
          const int kx = phase + i;
          a[phase][j * 4 + i] = static_cast<uint8_t>(kx < 3 ? j + kx : 64 + j + kx - 3);
        }
      }
    }
    return a;
  }();
  const __m512i index0 = _mm512_load_si512(kPairIndex[0].data());
  const __m512i index1 = _mm512_load_si512(kPairIndex[1].data());
  const __m512i index2 = _mm512_load_si512(kPairIndex[2].data());
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  __m512i acc[NB][XB];
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j) {
#pragma GCC unroll 4
    for (int k = 0; k < XB; ++k) acc[j][k] = _mm512_set1_epi32(p.bias_unsigned[o0 + j]);
  }
  const int rows = p.cin * 3;
  const int32_t* taps = p.taps_g4.data() + o0;
  int r = 0;
  for (; r + 3 < rows; r += 4) {  // rows r .. r + 3 = groups of phase 0, 1, 2
    __m512i u[3][XB];
#pragma GCC unroll 4
    for (int k = 0; k < XB; ++k) {
      const int offset = x + 16 * k - 1;
      const __m512i row0 = _mm512_maskz_loadu_epi8(load_mask[k], in[r] + offset);
      const __m512i row1 = _mm512_maskz_loadu_epi8(load_mask[k], in[r + 1] + offset);
      const __m512i row2 = _mm512_maskz_loadu_epi8(load_mask[k], in[r + 2] + offset);
      const __m512i row3 = _mm512_maskz_loadu_epi8(load_mask[k], in[r + 3] + offset);
      u[0][k] = _mm512_xor_si512(_mm512_permutex2var_epi8(row0, index0, row1), flip);
      u[1][k] = _mm512_xor_si512(_mm512_permutex2var_epi8(row1, index1, row2), flip);
      u[2][k] = _mm512_xor_si512(_mm512_permutex2var_epi8(row2, index2, row3), flip);
    }
#pragma GCC unroll 3
    for (int g = 0; g < 3; ++g, taps += p.cout) {
#pragma GCC unroll 8
      for (int j = 0; j < NB; ++j) {
        const __m512i wj = _mm512_set1_epi32(taps[j]);
#pragma GCC unroll 4
        for (int k = 0; k < XB; ++k) acc[j][k] = _mm512_dpbusd_epi32(acc[j][k], u[g][k], wj);
      }
    }
  }
  // The last rows % 4 rows: groups of phase 0, 1, 2 from row r; a group's second row past the last one only meets
  // zero weights (taps >= 9C), so the last row stands in for it.
  const int remaining_groups = (3 * (rows - r) + 3) / 4;
  for (int g = 0; g < remaining_groups; ++g, taps += p.cout) {
    const int ra = r + g, rb = std::min(ra + 1, rows - 1);
    const __m512i index = g == 0 ? index0 : g == 1 ? index1 : index2;
    __m512i u[XB];
#pragma GCC unroll 4
    for (int k = 0; k < XB; ++k) {
      const int offset = x + 16 * k - 1;
      const __m512i a = _mm512_maskz_loadu_epi8(load_mask[k], in[ra] + offset);
      const __m512i b = _mm512_maskz_loadu_epi8(load_mask[k], in[rb] + offset);
      u[k] = _mm512_xor_si512(_mm512_permutex2var_epi8(a, index, b), flip);
    }
#pragma GCC unroll 8
    for (int j = 0; j < NB; ++j) {
      const __m512i wj = _mm512_set1_epi32(taps[j]);
#pragma GCC unroll 4
      for (int k = 0; k < XB; ++k) acc[j][k] = _mm512_dpbusd_epi32(acc[j][k], u[k], wj);
    }
  }
  store_block_avx512<NB, XB>(p, acc, x, store_mask, o0, out);
}

// The strip path (rows_avx512 below): the u vectors of every tap group for kStripVectors vectors of pixels are
// built once (vpermt2b is the expensive part: ~2 cycles each) into a buffer and read back by every output channel
// block, instead of being rebuilt per block of kCoBlock channels.
constexpr int kStripVectors = 2;
constexpr int kMaxStripGroups = 9 * 64 / 4;  // C <= 64; wider convs take block_avx512 directly
// A 3x3 conv takes the strip path from this many output channels (three blocks; bench/int8_conv.cpp, one thread,
// against the float kernel: 6 -> 6 2.05x direct, 1.55x strip; 16 -> 16 2.9x / 2.6x; 32 -> 32 equal; 6 -> 48 1.41x /
// 1.63x): below it the u vectors' store and reload cost more than building them again in registers per block.
constexpr int kStripMinChannels = 2 * kCoBlock + 1;

// u[g][k] for every group g (see block_avx512), vectors k < XB at x + 16k.
template <int XB>
LITESR_TARGET_AVX512 void gather_groups_avx512(const PackedConvInt8& p, const int8_t* const* in, int x,
                                               const __mmask64* load_mask, __m512i* u) {
  alignas(64) static constexpr std::array<std::array<uint8_t, 64>, 3> kPairIndex = [] {
    std::array<std::array<uint8_t, 64>, 3> a{};
    for (int phase = 0; phase < 3; ++phase) {
      for (int j = 0; j < 16; ++j) {
        for (int i = 0; i < 4; ++i) {
          const int kx = phase + i;
          a[phase][j * 4 + i] = static_cast<uint8_t>(kx < 3 ? j + kx : 64 + j + kx - 3);
        }
      }
    }
    return a;
  }();
  const __m512i index[3] = {_mm512_load_si512(kPairIndex[0].data()), _mm512_load_si512(kPairIndex[1].data()),
                            _mm512_load_si512(kPairIndex[2].data())};
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const int rows = p.cin * 3, groups = (9 * p.cin + 3) / 4;
  for (int g = 0; g < groups; ++g) {  // group g: rows ⌊4g / 3⌋ and the next (the last row past the end)
    const int ra = 4 * g / 3, rb = std::min(ra + 1, rows - 1);
    const __m512i idx = index[(4 * g) % 3];
#pragma GCC unroll 4
    for (int k = 0; k < XB; ++k) {
      const int offset = x + 16 * k - 1;
      const __m512i a = _mm512_maskz_loadu_epi8(load_mask[k], in[ra] + offset);
      const __m512i b = _mm512_maskz_loadu_epi8(load_mask[k], in[rb] + offset);
      _mm512_store_si512(u + g * XB + k, _mm512_xor_si512(_mm512_permutex2var_epi8(a, idx, b), flip));
    }
  }
}

// A 1x1 conv's u[g][k]: group g = input channels 4g .. 4g + 3 (past the last one: the last channel, which meets zero
// weights), vectors k < XB at x + 16k. Four masked 16-byte loads fill the four 128-bit lanes, one vpermb puts pixel
// j's four bytes into dword j (index 4j + i -> byte 16i + j).
template <int XB>
LITESR_TARGET_AVX512 void gather_channels_avx512(const PackedConvInt8& p, const int8_t* const* in, int x,
                                                 const __mmask16* store_mask, __m512i* u) {
  alignas(64) static constexpr std::array<uint8_t, 64> kIndex = [] {
    std::array<uint8_t, 64> a{};
    for (int j = 0; j < 16; ++j) {
      for (int i = 0; i < 4; ++i) a[j * 4 + i] = static_cast<uint8_t>(16 * i + j);
    }
    return a;
  }();
  const __m512i index = _mm512_load_si512(kIndex.data());
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const int groups = (p.cin + 3) / 4;
  for (int g = 0; g < groups; ++g) {
    const int8_t* rows[4];
    for (int i = 0; i < 4; ++i) rows[i] = in[std::min(4 * g + i, p.cin - 1)];
#pragma GCC unroll 4
    for (int k = 0; k < XB; ++k) {
      const int offset = x + 16 * k;
      __m512i v = _mm512_castsi128_si512(_mm_maskz_loadu_epi8(store_mask[k], rows[0] + offset));
      v = _mm512_inserti32x4(v, _mm_maskz_loadu_epi8(store_mask[k], rows[1] + offset), 1);
      v = _mm512_inserti32x4(v, _mm_maskz_loadu_epi8(store_mask[k], rows[2] + offset), 2);
      v = _mm512_inserti32x4(v, _mm_maskz_loadu_epi8(store_mask[k], rows[3] + offset), 3);
      _mm512_store_si512(u + g * XB + k, _mm512_xor_si512(_mm512_permutexvar_epi8(index, v), flip));
    }
  }
}

// Output channels [o0, o0 + NB) of the strip at x from the gathered groups. The group loop is unrolled by 2: with no
// unrolling GCC 12 copies every accumulator out of and back into a register around each vpdpbusd, and a full unroll
// spills (bench/int8_conv.cpp: unroll 2 is ~10-25 % faster than either at C = 6..32).
template <int NB, int XB>
LITESR_TARGET_AVX512 void block_from_groups_avx512(const PackedConvInt8& p, const __m512i* u, int x,
                                                   const __mmask16* store_mask, int o0, int8_t* const* out) {
  __m512i acc[NB][XB];
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j) {
#pragma GCC unroll 4
    for (int k = 0; k < XB; ++k) acc[j][k] = _mm512_set1_epi32(p.bias_unsigned[o0 + j]);
  }
  const int groups = (p.kernel * p.kernel * p.cin + 3) / 4;
  const int32_t* taps = p.taps_g4.data() + o0;
#pragma GCC unroll 2
  for (int g = 0; g < groups; ++g, taps += p.cout, u += XB) {
    __m512i v[XB];
#pragma GCC unroll 4
    for (int k = 0; k < XB; ++k) v[k] = _mm512_load_si512(u + k);
#pragma GCC unroll 8
    for (int j = 0; j < NB; ++j) {
      const __m512i wj = _mm512_set1_epi32(taps[j]);
#pragma GCC unroll 4
      for (int k = 0; k < XB; ++k) acc[j][k] = _mm512_dpbusd_epi32(acc[j][k], v[k], wj);
    }
  }
  store_block_avx512<NB, XB>(p, acc, x, store_mask, o0, out);
}

// ---------------------------------------------------------------------------------------------------------------
// 256-bit paths: 8 pixels per vector. kVnni = true: AVX-VNNI vpdpbusd on u8; false: AVX2 vpmaddwd on int16 pairs.
// ---------------------------------------------------------------------------------------------------------------
#define LITESR_TARGET_AVX2 __attribute__((target("avx2,fma,bmi2")))
#define LITESR_TARGET_AVXVNNI __attribute__((target("avxvnni,avx2,fma,bmi2")))

// requantize16 on 8 lanes with AVX2 (no mask registers: compare results are lane masks of all ones).
LITESR_TARGET_AVX2 inline __m256i requantize8(__m256i acc, Requant q, __m256i zp, __m256i lo, __m256i hi) {
  if (q.left > 0) {
    const __m128i count = _mm_cvtsi32_si128(q.left);
    const __m256i shifted = _mm256_sll_epi32(acc, count);
    const __m256i exact = _mm256_cmpeq_epi32(_mm256_sra_epi32(shifted, count), acc);
    const __m256i saturated = _mm256_blendv_epi8(_mm256_set1_epi32(INT32_MAX), _mm256_set1_epi32(INT32_MIN),
                                                 _mm256_srai_epi32(acc, 31));
    acc = _mm256_blendv_epi8(saturated, shifted, exact);
  }
  const __m256i m = _mm256_set1_epi32(q.mantissa);
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(acc, m), nudge);
  const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(acc, 32), m), nudge);
  __m256i x = _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  if (q.right > 0) {
    const __m256i mask = _mm256_set1_epi32(static_cast<int32_t>((int64_t{1} << q.right) - 1));
    const __m256i remainder = _mm256_and_si256(x, mask);
    const __m256i threshold = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_srai_epi32(x, 31));
    const __m256i up = _mm256_cmpgt_epi32(remainder, threshold);  // −1 where rounding up
    x = _mm256_sub_epi32(_mm256_sra_epi32(x, _mm_cvtsi32_si128(q.right)), up);
  }
  x = _mm256_add_epi32(x, zp);
  return _mm256_min_epi32(_mm256_max_epi32(x, lo), hi);
}

// The 16 bytes x − 1 .. x + 14 of a row, in both 128-bit lanes. For the row's last blocks (x + 14 > width) the
// readable bytes x − 1 .. width are copied to a stack buffer first, so nothing beyond the halo p[width] is read
// (the rest of the buffer only reaches pixels >= width, which are not stored).
LITESR_TARGET_AVX2 inline __m256i load_row16(const int8_t* row, int x, int width) {
  if (x + 14 <= width) {
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + x - 1)));
  }
  alignas(16) int8_t staged[16] = {};
  std::memcpy(staged, row + x - 1, static_cast<size_t>(width - x + 2));
  return _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(staged)));
}

// The low bytes of 8 int32 lanes (values already in int8 range) to dst[0 .. valid), valid <= 8.
LITESR_TARGET_AVX2 __attribute__((always_inline)) inline void store_bytes8(__m256i v, int8_t* dst, int valid) {
  // The low byte of every dword to bytes 0..3 of its 128-bit lane; unpacklo_epi32 then joins the two lanes.
  constexpr char Z = static_cast<char>(0x80);
  const __m256i pick = _mm256_setr_epi8(0, 4, 8, 12, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z,  //
                                        0, 4, 8, 12, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z);
  v = _mm256_shuffle_epi8(v, pick);
  const __m128i packed = _mm_unpacklo_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  if (valid == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), packed);
  } else {
    alignas(16) int8_t staged[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(staged), packed);
    std::memcpy(dst, staged, static_cast<size_t>(valid));
  }
}

// Whether MXCSR rounds to nearest (AVX2 has no rounding control in the instruction: requantize8_float relies on it).
inline bool mxcsr_rounds_to_nearest() { return (_mm_getcsr() & 0x6000u) == 0; }

// zp_out + MBQM(acc) on 8 lanes by the float form (quant/float_requantization.h; requantize_channel_by_float's steps
// with AVX2: MXCSR must round to nearest), unclamped; `unsure` gets the movemask of the lanes it cannot vouch for.
LITESR_TARGET_AVX2 __attribute__((always_inline)) inline __m256i requantize8_float(__m256i acc, const FloatRequant& f,
                                                                                   int& unsure) {
  __m256 offset = _mm256_set1_ps(f.offset);
  if (f.piecewise) {
    const __m256i negative = _mm256_cmpgt_epi32(_mm256_set1_epi32(f.negative_below), acc);
    offset = _mm256_blendv_ps(offset, _mm256_set1_ps(f.negative_offset), _mm256_castsi256_ps(negative));
  }
  const __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc), _mm256_set1_ps(f.scale), offset);
  const __m256 down = _mm256_floor_ps(y);
  unsure = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_sub_ps(y, down), _mm256_set1_ps(kFloatRequantMargin), _CMP_LT_OQ));
  return _mm256_cvtps_epi32(down);  // an integer already: exact in any rounding mode
}

// Requantizes NB accumulators of output channels [o0, o0 + NB) and stores pixels [x, min(x + 8, width)).
template <int NB>
LITESR_TARGET_AVX2 __attribute__((always_inline)) inline void store_block8(const PackedConvInt8& p, const __m256i* acc,
                                                                           int x, int width, int o0,
                                                                           int8_t* const* out) {
  const __m256i zp = _mm256_set1_epi32(p.output_zero_point);
  const __m256i lo = _mm256_set1_epi32(p.range.min), hi = _mm256_set1_epi32(p.range.max);
  const int valid = std::min(8, width - x);
  const bool float_form = !p.float_requant.empty() && mxcsr_rounds_to_nearest();
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j) {
    __m256i q;
    int unsure = 1;
    if (float_form) {
      q = _mm256_min_epi32(_mm256_max_epi32(requantize8_float(acc[j], p.float_requant[o0 + j], unsure), lo), hi);
    }
    if (unsure != 0) [[unlikely]] {
      q = requantize8(acc[j], requant_of(p.multipliers[o0 + j]), zp, lo, hi);
    }
    store_bytes8(q, out[o0 + j] + x, valid);
  }
}

// The 8 samples row[x .. x + 7] as the low 64 bits, or the `count` < 8 samples row[x .. x + count) and zeros: nothing
// past them is read.
LITESR_TARGET_AVX2 inline __m128i load_bytes8(const int8_t* row, int x, int count) {
  if (count >= 8) return _mm_loadl_epi64(reinterpret_cast<const __m128i*>(row + x));
  alignas(16) int8_t staged[16] = {};
  std::memcpy(staged, row + x, static_cast<size_t>(count));
  return _mm_load_si128(reinterpret_cast<const __m128i*>(staged));
}

// AVX-VNNI: output channels [o0, o0 + NB), pixels [x, x + 8) ∩ [0, width).
template <int NB>
LITESR_TARGET_AVXVNNI void block_avxvnni(const PackedConvInt8& p, const int8_t* const* in, int x, int width, int o0,
                                         int8_t* const* out) {
  __m256i acc[NB];
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j) acc[j] = _mm256_set1_epi32(p.bias_unsigned[o0 + j]);
  // Lane l, dword k (pixel x + 4l + k): bytes 4l + k + {0, 1, 2, 2} of the load at x − 1.
  const __m256i index = _mm256_setr_epi8(0, 1, 2, 2, 1, 2, 3, 3, 2, 3, 4, 4, 3, 4, 5, 5,  //
                                         4, 5, 6, 6, 5, 6, 7, 7, 6, 7, 8, 8, 7, 8, 9, 9);
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  const int32_t* taps = p.taps_u8.data() + o0;
  for (int r = 0; r < p.cin * 3; ++r, taps += p.cout) {
    const __m256i u = _mm256_xor_si256(_mm256_shuffle_epi8(load_row16(in[r], x, width), index), flip);
#pragma GCC unroll 8
    for (int j = 0; j < NB; ++j) acc[j] = _mm256_dpbusd_avx_epi32(acc[j], u, _mm256_set1_epi32(taps[j]));
  }
  store_block8<NB>(p, acc, x, width, o0, out);
}

// AVX2 without VNNI: output channels [o0, o0 + NB), pixels [x, x + 8) ∩ [0, width).
template <int NB>
LITESR_TARGET_AVX2 void block_avx2(const PackedConvInt8& p, const int8_t* const* in, int x, int width, int o0,
                                   int8_t* const* out) {
  __m256i acc[NB];
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j) acc[j] = _mm256_set1_epi32(p.bias_signed[o0 + j]);
  // int16 lanes: pairs (q(x + i − 1), q(x + i)) and (q(x + i + 1), 0) for pixel i; each sample goes to the high
  // byte (its index), the low byte is zeroed (0x80), and an arithmetic shift by 8 sign-extends it.
  constexpr char Z = static_cast<char>(0x80);
  const __m256i index_a = _mm256_setr_epi8(Z, 0, Z, 1, Z, 1, Z, 2, Z, 2, Z, 3, Z, 3, Z, 4,  //
                                           Z, 4, Z, 5, Z, 5, Z, 6, Z, 6, Z, 7, Z, 7, Z, 8);
  const __m256i index_b = _mm256_setr_epi8(Z, 2, Z, Z, Z, 3, Z, Z, Z, 4, Z, Z, Z, 5, Z, Z,  //
                                           Z, 6, Z, Z, Z, 7, Z, Z, Z, 8, Z, Z, Z, 9, Z, Z);
  const int32_t* taps = p.taps_i16.data() + 2 * o0;
  for (int r = 0; r < p.cin * 3; ++r, taps += 2 * p.cout) {
    const __m256i bytes = load_row16(in[r], x, width);
    const __m256i a = _mm256_srai_epi16(_mm256_shuffle_epi8(bytes, index_a), 8);
    const __m256i b = _mm256_srai_epi16(_mm256_shuffle_epi8(bytes, index_b), 8);
#pragma GCC unroll 8
    for (int j = 0; j < NB; ++j) {
      acc[j] = _mm256_add_epi32(acc[j], _mm256_madd_epi16(a, _mm256_set1_epi32(taps[2 * j])));
      acc[j] = _mm256_add_epi32(acc[j], _mm256_madd_epi16(b, _mm256_set1_epi32(taps[2 * j + 1])));
    }
  }
  store_block8<NB>(p, acc, x, width, o0, out);
}

// A 1x1 conv on AVX-VNNI: output channels [o0, o0 + NB), pixels [x, x + 8) ∩ [0, width). Group g = input channels
// 4g .. 4g + 3 (past the last one: the last channel, which meets zero weights): two byte and one word interleave put
// pixel i's four channel bytes into dword i for vpdpbusd.
template <int NB>
LITESR_TARGET_AVXVNNI void block1x1_avxvnni(const PackedConvInt8& p, const int8_t* const* in, int x, int width, int o0,
                                            int8_t* const* out) {
  __m256i acc[NB];
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j) acc[j] = _mm256_set1_epi32(p.bias_unsigned[o0 + j]);
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  const int count = width - x, groups = (p.cin + 3) / 4;
  const int32_t* taps = p.taps_g4.data() + o0;
  for (int g = 0; g < groups; ++g, taps += p.cout) {
    __m128i c[4];
    for (int i = 0; i < 4; ++i) c[i] = load_bytes8(in[std::min(4 * g + i, p.cin - 1)], x, count);
    const __m128i c01 = _mm_unpacklo_epi8(c[0], c[1]), c23 = _mm_unpacklo_epi8(c[2], c[3]);
    const __m256i u = _mm256_xor_si256(
        _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_unpacklo_epi16(c01, c23)), _mm_unpackhi_epi16(c01, c23), 1),
        flip);
#pragma GCC unroll 8
    for (int j = 0; j < NB; ++j) acc[j] = _mm256_dpbusd_avx_epi32(acc[j], u, _mm256_set1_epi32(taps[j]));
  }
  store_block8<NB>(p, acc, x, width, o0, out);
}

// A 1x1 conv on AVX2 without VNNI: pairs of input channels as int16 (q(c), q(c + 1)) per pixel, multiplied by the
// int16 weight pair (PackedConvInt8::taps_i16 of a 1x1 conv) with vpmaddwd.
template <int NB>
LITESR_TARGET_AVX2 void block1x1_avx2(const PackedConvInt8& p, const int8_t* const* in, int x, int width, int o0,
                                      int8_t* const* out) {
  __m256i acc[NB];
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j) acc[j] = _mm256_set1_epi32(p.bias_signed[o0 + j]);
  const int count = width - x, pairs = (p.cin + 1) / 2;
  const int32_t* taps = p.taps_i16.data() + o0;
  for (int g = 0; g < pairs; ++g, taps += p.cout) {
    const __m128i a = _mm_cvtepi8_epi16(load_bytes8(in[2 * g], x, count));
    const __m128i b = _mm_cvtepi8_epi16(load_bytes8(in[std::min(2 * g + 1, p.cin - 1)], x, count));
    const __m256i u =
        _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_unpacklo_epi16(a, b)), _mm_unpackhi_epi16(a, b), 1);
#pragma GCC unroll 8
    for (int j = 0; j < NB; ++j) acc[j] = _mm256_add_epi32(acc[j], _mm256_madd_epi16(u, _mm256_set1_epi32(taps[j])));
  }
  store_block8<NB>(p, acc, x, width, o0, out);
}

// tap_filter_int8_row on 8 pixels per vector (AVX2: sign-extending loads, vpmulld); `folded` = −zp_in · Σw.
LITESR_TARGET_AVX2 void tap_filter_avx2(std::span<const Int8Tap> taps, const int8_t* const* rows, int width,
                                        int32_t folded, QuantizedMultiplier multiplier, int32_t zp_out, int8_t* out) {
  const Requant q = requant_of(multiplier);
  const __m256i zp = _mm256_set1_epi32(zp_out);
  const __m256i lo = _mm256_set1_epi32(kInt8Min), hi = _mm256_set1_epi32(kInt8Max);
  for (int x = 0; x < width; x += 8) {
    const int count = std::min(8, width - x);
    __m256i acc = _mm256_set1_epi32(folded);
    for (const Int8Tap& t : taps) {
      const __m256i v = _mm256_cvtepi8_epi32(load_bytes8(rows[t.row] + t.dx, x, count));
      acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(v, _mm256_set1_epi32(t.w)));
    }
    store_bytes8(requantize8(acc, q, zp, lo, hi), out + x, count);
  }
}

// add_int8_row on 8 samples per vector (AVX2), add_row_avx512's steps.
LITESR_TARGET_AVX2 void add_row_avx2(const AddParams& p, const int8_t* a, const int8_t* b, int n, int8_t* out) {
  const Requant qa = requant_of(p.input1_multiplier), qb = requant_of(p.input2_multiplier);
  const Requant qo = requant_of(p.output_multiplier);
  const __m256i offset_a = _mm256_set1_epi32(p.input1_offset), offset_b = _mm256_set1_epi32(p.input2_offset);
  const __m256i zero = _mm256_setzero_si256(), zp = _mm256_set1_epi32(p.output_offset);
  const __m256i int_min = _mm256_set1_epi32(INT32_MIN), int_max = _mm256_set1_epi32(INT32_MAX);
  const __m256i lo = _mm256_set1_epi32(p.range.min), hi = _mm256_set1_epi32(p.range.max);
  const __m128i shift = _mm_cvtsi32_si128(p.left_shift);
  for (int x = 0; x < n; x += 8) {
    const int count = std::min(8, n - x);
    const __m256i va = _mm256_cvtepi8_epi32(load_bytes8(a, x, count));
    const __m256i vb = _mm256_cvtepi8_epi32(load_bytes8(b, x, count));
    const __m256i sa = requantize8(_mm256_sll_epi32(_mm256_add_epi32(va, offset_a), shift), qa, zero, int_min, int_max);
    const __m256i sb = requantize8(_mm256_sll_epi32(_mm256_add_epi32(vb, offset_b), shift), qb, zero, int_min, int_max);
    store_bytes8(requantize8(_mm256_add_epi32(sa, sb), qo, zp, lo, hi), out + x, count);
  }
}

// Runs Block<NB>::run (one whole row of NB output channels) for every output channel block: NB = kCoBlock, then
// the remainder.
template <template <int> class Block>
void for_each_block(const PackedConvInt8& p, const int8_t* const* in, int width, int8_t* const* out) {
  for (int o0 = 0; o0 < p.cout; o0 += kCoBlock) {
    switch (std::min(kCoBlock, p.cout - o0)) {
      case 1: Block<1>::run(p, in, width, o0, out); break;
      case 2: Block<2>::run(p, in, width, o0, out); break;
      case 3: Block<3>::run(p, in, width, o0, out); break;
      case 4: Block<4>::run(p, in, width, o0, out); break;
      case 5: Block<5>::run(p, in, width, o0, out); break;
      case 6: Block<6>::run(p, in, width, o0, out); break;
      case 7: Block<7>::run(p, in, width, o0, out); break;
      default: Block<8>::run(p, in, width, o0, out); break;
    }
  }
}
static_assert(kCoBlock == 8, "for_each_block's switch covers 1..8 channels");

// AVX-512: XB vectors of 16 pixels per block while they fit in the row (NB·XB accumulators + XB inputs + 2
// constants <= 32 zmm), then single vectors for the rest.
template <int NB>
struct Avx512Block {
  static constexpr int kXb = NB <= 4 ? 4 : 2;
  static void run(const PackedConvInt8& p, const int8_t* const* in, int width, int o0, int8_t* const* out) {
    int x = 0;
    for (; x + 16 * kXb <= width; x += 16 * kXb) block_avx512<NB, kXb>(p, in, x, width, o0, out);
    for (; x < width; x += 16) block_avx512<NB, 1>(p, in, x, width, o0, out);
  }
};
template <int XB>
LITESR_TARGET_AVX512 void blocks_of(int nb, const PackedConvInt8& p, const __m512i* u, int x,
                                    const __mmask16* store_mask, int o0, int8_t* const* out) {
  switch (nb) {
    case 1: block_from_groups_avx512<1, XB>(p, u, x, store_mask, o0, out); break;
    case 2: block_from_groups_avx512<2, XB>(p, u, x, store_mask, o0, out); break;
    case 3: block_from_groups_avx512<3, XB>(p, u, x, store_mask, o0, out); break;
    case 4: block_from_groups_avx512<4, XB>(p, u, x, store_mask, o0, out); break;
    case 5: block_from_groups_avx512<5, XB>(p, u, x, store_mask, o0, out); break;
    case 6: block_from_groups_avx512<6, XB>(p, u, x, store_mask, o0, out); break;
    case 7: block_from_groups_avx512<7, XB>(p, u, x, store_mask, o0, out); break;
    default: block_from_groups_avx512<8, XB>(p, u, x, store_mask, o0, out); break;
  }
}

// The AVX-512 path: strips of kStripVectors vectors, each gathered once (3x3: tap groups over two rows; 1x1: four
// channels) and reduced by every channel block.
LITESR_TARGET_AVX512 void rows_avx512(const PackedConvInt8& p, const int8_t* const* in, int width, int8_t* const* out) {
  constexpr int XB = kStripVectors;
  alignas(64) __m512i u[kMaxStripGroups * XB];
  for (int x = 0; x < width; x += 16 * XB) {
    __mmask64 load_mask[XB];
    __mmask16 store_mask[XB];
    strip_masks<XB>(x, width, load_mask, store_mask);
    if (p.kernel == 1) {
      gather_channels_avx512<XB>(p, in, x, store_mask, u);
    } else {
      gather_groups_avx512<XB>(p, in, x, load_mask, u);
    }
    for (int o0 = 0; o0 < p.cout; o0 += kCoBlock) {
      const int nb = std::min(kCoBlock, p.cout - o0);
      blocks_of<XB>(nb, p, u, x, store_mask, o0, out);
    }
  }
}

// depthwise3x3_int8_rows on AVX-512: channel by channel (its taps and bias in registers), 16 pixels per vector.
LITESR_TARGET_AVX512 void depthwise_avx512(std::span<const PackedConvInt8> per_channel, const int8_t* const* in,
                                           int width, int8_t* const* out) {
  // Dword j = bytes j, j + 1, j + 2 of the load at x − 1 and a fourth (byte j) that meets the zero weight byte.
  alignas(64) static constexpr std::array<uint8_t, 64> kRowIndex = [] {
    std::array<uint8_t, 64> a{};
    for (int j = 0; j < 16; ++j) {
      for (int i = 0; i < 4; ++i) a[j * 4 + i] = static_cast<uint8_t>(i < 3 ? j + i : j);
    }
    return a;
  }();
  const __m512i index = _mm512_load_si512(kRowIndex.data());
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  for (std::size_t c = 0; c < per_channel.size(); ++c) {
    const PackedConvInt8& p = per_channel[c];
    const __m512i taps[3] = {_mm512_set1_epi32(p.taps_u8[0]), _mm512_set1_epi32(p.taps_u8[1]),
                             _mm512_set1_epi32(p.taps_u8[2])};
    const int8_t* rows[3] = {in[c * 3] - 1, in[c * 3 + 1] - 1, in[c * 3 + 2] - 1};  // from x − 1
    const __m512i bias = _mm512_set1_epi32(p.bias_unsigned[0]);
    constexpr int XB = 2;  // vectors per step: one requantization test for both (requantize_channel_by_float)
    for (int x = 0; x < width; x += 16 * XB) {
      __mmask64 load_mask[XB];
      __mmask16 store_mask[XB];
      strip_masks<XB>(x, width, load_mask, store_mask);
      __m512i acc[1][XB] = {{bias, bias}};
#pragma GCC unroll 3
      for (int ky = 0; ky < 3; ++ky) {
#pragma GCC unroll 2
        for (int k = 0; k < XB; ++k) {
          const __m512i u = _mm512_xor_si512(_mm512_maskz_loadu_epi8(load_mask[k], rows[ky] + x + 16 * k), flip);
          acc[0][k] = _mm512_dpbusd_epi32(acc[0][k], _mm512_permutexvar_epi8(index, u), taps[ky]);
        }
      }
      store_block_avx512<1, XB>(p, acc, x, store_mask, 0, out + c);
    }
  }
}

// tap_filter_int8_row on 16 pixels per vector; `folded` = −zp_in · Σw.
LITESR_TARGET_AVX512 void tap_filter_avx512(std::span<const Int8Tap> taps, const int8_t* const* rows, int width,
                                            int32_t folded, QuantizedMultiplier multiplier, int32_t zp_out,
                                            int8_t* out) {
  const Requant16 q = requant16_of(multiplier, zp_out);
  const Clamp16 clamp = clamp16_of({});
  for (int x = 0; x < width; x += 16) {
    const __mmask16 mask = static_cast<__mmask16>((1u << std::min(16, width - x)) - 1);
    __m512i acc = _mm512_set1_epi32(folded);
    for (const Int8Tap& t : taps) {
      const __m512i v = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(mask, rows[t.row] + x + t.dx));
      acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(v, _mm512_set1_epi32(t.w)));
    }
    _mm_mask_storeu_epi8(out + x, mask, narrow16(requantize16(acc, q), clamp));
  }
}

// add_int8_row on 16 samples per vector without the linear form (add_int8_element's steps: |(q − zp) · 2^20| < 2^28, so
// no lane overflows).
LITESR_TARGET_AVX512 void add_row_requant_avx512(const AddParams& p, const int8_t* a, const int8_t* b, int n,
                                                 int8_t* out) {
  const Requant16 qa = requant16_of(p.input1_multiplier, 0), qb = requant16_of(p.input2_multiplier, 0);
  const Requant16 qo = requant16_of(p.output_multiplier, p.output_offset);
  const __m512i offset_a = _mm512_set1_epi32(p.input1_offset), offset_b = _mm512_set1_epi32(p.input2_offset);
  const Clamp16 clamp = clamp16_of(p.range);
  const __m128i shift = _mm_cvtsi32_si128(p.left_shift);
  for (int x = 0; x < n; x += 16) {
    const __mmask16 mask = static_cast<__mmask16>((1u << std::min(16, n - x)) - 1);
    const __m512i va = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(mask, a + x));
    const __m512i vb = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(mask, b + x));
    const __m512i sa = requantize16(_mm512_sll_epi32(_mm512_add_epi32(va, offset_a), shift), qa);
    const __m512i sb = requantize16(_mm512_sll_epi32(_mm512_add_epi32(vb, offset_b), shift), qb);
    _mm_mask_storeu_epi8(out + x, mask, narrow16(requantize16(_mm512_add_epi32(sa, sb), qo), clamp));
  }
}

// s_1(q_a) + s_2(q_b) of the 16 samples at byte offset 16·K of a 64-sample step: the linear parts from the inputs,
// the fixes already summed as bytes (fix_sum).
template <int K>
LITESR_TARGET_AVX512 inline __m512i linear_sum16(const PackedAddInt8& p, __m512i qa, __m512i qb, __m512i fix_sum) {
  const PackedAddInt8::Linear& la = p.input[0];
  const PackedAddInt8::Linear& lb = p.input[1];
  const __m512i a = _mm512_cvtepi8_epi32(_mm512_extracti32x4_epi32(qa, K));
  const __m512i b = _mm512_cvtepi8_epi32(_mm512_extracti32x4_epi32(qb, K));
  const __m512i sa = _mm512_sra_epi32(
      _mm512_add_epi32(_mm512_mullo_epi32(a, _mm512_set1_epi32(la.slope)), _mm512_set1_epi32(la.offset)),
      _mm_cvtsi32_si128(la.shift));
  const __m512i sb = _mm512_sra_epi32(
      _mm512_add_epi32(_mm512_mullo_epi32(b, _mm512_set1_epi32(lb.slope)), _mm512_set1_epi32(lb.offset)),
      _mm_cvtsi32_si128(lb.shift));
  return _mm512_add_epi32(_mm512_add_epi32(sa, sb), _mm512_cvtepi8_epi32(_mm512_extracti32x4_epi32(fix_sum, K)));
}

// table[idx] for 64 int8 indices (bit patterns 0..255) from a 256-byte table in four registers, as lookup_rows_vbmi
// (kernel_int8_rows.cpp).
LITESR_TARGET_AVX512 inline __m512i lookup256(const __m512i (&table)[4], __m512i idx) {
  const __m512i low = _mm512_permutex2var_epi8(table[0], idx, table[1]);
  const __m512i high = _mm512_permutex2var_epi8(table[2], idx, table[3]);
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(idx), low, high);
}

// add_int8_row with the linear form (kernel_conv3x3_int8.h), 64 samples per step: the fixes of both inputs by
// vpermi2b lookups (as lookup_rows_vbmi) summed as bytes (|fix| <= 63 each), then per 16 samples the two linear
// parts, the sum's requantization and the clamp.
LITESR_TARGET_AVX512 void add_row_linear_avx512(const PackedAddInt8& p, const int8_t* a, const int8_t* b, int n,
                                                int8_t* out) {
  const FloatRequant* fo = p.output_float ? &*p.output_float : nullptr;
  const QuantizedMultiplier mo = p.params.output_multiplier;
  const int32_t zo = p.params.output_offset;
  const Clamp16 clamp = clamp16_of(p.params.range);
  __m512i fix[2][4];
  for (int i = 0; i < 2; ++i) {
    for (int t = 0; t < 4; ++t) fix[i][t] = _mm512_loadu_si512(p.fix[i] + 64 * t);
  }
  for (int x = 0; x < n; x += 64) {
    const int count = std::min(64, n - x);
    const __mmask64 m = count == 64 ? ~__mmask64{0} : (__mmask64{1} << count) - 1;
    const __m512i qa = _mm512_maskz_loadu_epi8(m, a + x), qb = _mm512_maskz_loadu_epi8(m, b + x);
    const __m512i fix_sum = _mm512_add_epi8(lookup256(fix[0], qa), lookup256(fix[1], qb));
    const __m512i sums[4] = {linear_sum16<0>(p, qa, qb, fix_sum), linear_sum16<1>(p, qa, qb, fix_sum),
                             linear_sum16<2>(p, qa, qb, fix_sum), linear_sum16<3>(p, qa, qb, fix_sum)};
    __m512i q[4];
    requantize_channel_by_float<4>(sums, fo, mo, zo, q);  // past `count`: computed from zeros, not stored
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
      if (count > 16 * k)
        _mm_mask_storeu_epi8(out + x + 16 * k, static_cast<__mmask16>(m >> (16 * k)), narrow16(q[k], clamp));
    }
  }
}

template <int NB>
struct AvxVnniBlock {
  static void run(const PackedConvInt8& p, const int8_t* const* in, int width, int o0, int8_t* const* out) {
    for (int x = 0; x < width; x += 8) block_avxvnni<NB>(p, in, x, width, o0, out);
  }
};
template <int NB>
struct Avx2Block {
  static void run(const PackedConvInt8& p, const int8_t* const* in, int width, int o0, int8_t* const* out) {
    for (int x = 0; x < width; x += 8) block_avx2<NB>(p, in, x, width, o0, out);
  }
};
template <int NB>
struct AvxVnni1x1Block {
  static void run(const PackedConvInt8& p, const int8_t* const* in, int width, int o0, int8_t* const* out) {
    for (int x = 0; x < width; x += 8) block1x1_avxvnni<NB>(p, in, x, width, o0, out);
  }
};
template <int NB>
struct Avx2_1x1Block {
  static void run(const PackedConvInt8& p, const int8_t* const* in, int width, int o0, int8_t* const* out) {
    for (int x = 0; x < width; x += 8) block1x1_avx2<NB>(p, in, x, width, o0, out);
  }
};

bool cpu_has(Int8ConvPath path) {
  __builtin_cpu_init();
  switch (path) {
    case Int8ConvPath::kScalar: return true;
    case Int8ConvPath::kAvx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                                     __builtin_cpu_supports("bmi2");
    case Int8ConvPath::kAvxVnni: {
      // CPUID.(EAX=7, ECX=1):EAX bit 4 = AVX-VNNI (not every compiler's __builtin_cpu_supports knows "avxvnni");
      // the OS's YMM state support is part of the avx2 check.
      unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
      if (!cpu_has(Int8ConvPath::kAvx2) || !__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return false;
      return (eax & (1u << 4)) != 0;
    }
    case Int8ConvPath::kAvx512Vnni:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vbmi");
  }
  return false;
}

#else   // !LITESR_INT8_X86

bool cpu_has(Int8ConvPath path) { return path == Int8ConvPath::kScalar; }

#endif  // LITESR_INT8_X86

// The path of each dispatch index (kernel_dispatch.h), computed once for the ISAs this CPU runs.
constexpr int kMaxDispatchIndex = 64;
const std::array<Int8ConvPath, kMaxDispatchIndex>& path_table() {
  static const std::array<Int8ConvPath, kMaxDispatchIndex> kTable = [] {
    std::array<Int8ConvPath, kMaxDispatchIndex> table{};
    table.fill(Int8ConvPath::kScalar);
    for (const std::string& name : available_isas()) {
      const Result<KernelIsa> isa = KernelIsa::named(name);
      if (!isa.ok()) continue;
      const int index = isa.value().dispatch_index();
      if (index >= 0 && index < kMaxDispatchIndex) table[static_cast<size_t>(index)] = int8_path_for(isa.value());
    }
    return table;
  }();
  return kTable;
}

// PackedConvInt8::taps_g4 of `weight` ([outputs][taps], flattened): [⌈taps / 4⌉][outputs] dwords, group g of output
// o holding taps 4g .. 4g + 3 of o as bytes (zero past the last tap).
std::vector<int32_t> taps_in_groups_of_4(std::span<const int8_t> weight, size_t outputs, size_t taps) {
  const size_t groups = (taps + 3) / 4;
  std::vector<int32_t> packed(groups * outputs, 0);
  for (size_t o = 0; o < outputs; ++o) {
    const int8_t* w = weight.data() + o * taps;
    for (size_t g = 0; g < groups; ++g) {
      uint32_t bytes = 0;
      for (size_t i = 0; i < 4 && 4 * g + i < taps; ++i)
        bytes |= uint32_t{static_cast<uint8_t>(w[4 * g + i])} << (8 * i);
      packed[g * outputs + o] = static_cast<int32_t>(bytes);
    }
  }
  return packed;
}

}  // namespace

Int8ConvPath thread_int8_path() {
  const int index = thread_dispatch_index();
  return index >= 0 && index < kMaxDispatchIndex ? path_table()[static_cast<size_t>(index)] : Int8ConvPath::kScalar;
}

std::string_view int8_path_name(Int8ConvPath path) {
  switch (path) {
    case Int8ConvPath::kScalar: return "scalar";
    case Int8ConvPath::kAvx2: return "avx2";
    case Int8ConvPath::kAvxVnni: return "avxvnni";
    case Int8ConvPath::kAvx512Vnni: return "avx512vnni";
  }
  return "?";
}

bool int8_path_supported(Int8ConvPath path) {
  static const std::array<bool, 4> kSupported = {cpu_has(Int8ConvPath::kScalar), cpu_has(Int8ConvPath::kAvx2),
                                                 cpu_has(Int8ConvPath::kAvxVnni), cpu_has(Int8ConvPath::kAvx512Vnni)};
  return kSupported[static_cast<size_t>(path)];
}

Int8ConvPath int8_path_for(const KernelIsa& isa) {
  const std::string name = isa.name();
  const bool avx512 = name.rfind("avx3", 0) == 0 || name.rfind("avx10", 0) == 0;
  if (avx512 && int8_path_supported(Int8ConvPath::kAvx512Vnni)) return Int8ConvPath::kAvx512Vnni;
  if (avx512 || name == "avx2") {
    if (int8_path_supported(Int8ConvPath::kAvxVnni)) return Int8ConvPath::kAvxVnni;
    if (int8_path_supported(Int8ConvPath::kAvx2)) return Int8ConvPath::kAvx2;
  }
  return Int8ConvPath::kScalar;
}

Result<PackedConvInt8> pack_conv3x3_int8(std::span<const int8_t> weight, std::span<const int32_t> bias, int cin,
                                         int cout, int32_t input_zero_point,
                                         std::span<const QuantizedMultiplier> multipliers, int32_t output_zero_point,
                                         ActivationRange range) {
  if (cin <= 0 || cout <= 0) return invalid_argument("int8 conv3x3: channel counts must be positive");
  const size_t o_count = static_cast<size_t>(cout), c_count = static_cast<size_t>(cin);
  if (weight.size() != o_count * c_count * 9) {
    return invalid_argument("int8 conv3x3: weight has " + std::to_string(weight.size()) + " values, expected " +
                            std::to_string(o_count * c_count * 9));
  }
  if (!bias.empty() && bias.size() != o_count) return invalid_argument("int8 conv3x3: bias size != out channels");
  if (multipliers.size() != o_count) return invalid_argument("int8 conv3x3: multipliers size != out channels");
  for (const QuantizedMultiplier& m : multipliers) {
    const bool mantissa_ok = m.mantissa == 0 || (m.mantissa >= (int32_t{1} << 30));
    if (!mantissa_ok || m.shift < -31 || m.shift > 30) {
      return invalid_argument("int8 conv3x3: multiplier out of range (mantissa " + std::to_string(m.mantissa) +
                              ", shift " + std::to_string(m.shift) + ")");
    }
  }
  const auto int8_ok = [](int32_t v) { return v >= kInt8Min && v <= kInt8Max; };
  if (!int8_ok(input_zero_point) || !int8_ok(output_zero_point)) {
    return invalid_argument("int8 conv3x3: zero points must be int8");
  }
  if (!int8_ok(range.min) || !int8_ok(range.max) || range.min > range.max) {
    return invalid_argument("int8 conv3x3: activation range must be int8 with min <= max");
  }
  PackedConvInt8 p;
  p.cin = cin;
  p.cout = cout;
  p.input_zero_point = input_zero_point;
  p.output_zero_point = output_zero_point;
  p.range = range;
  p.weight.assign(weight.begin(), weight.end());
  p.multipliers.assign(multipliers.begin(), multipliers.end());
  for (const QuantizedMultiplier& m : multipliers) {
    const std::optional<FloatRequant> f = float_requant_of(m, output_zero_point, range);
    if (!f) {
      p.float_requant.clear();
      break;
    }
    p.float_requant.push_back(*f);
  }
  p.bias_signed.resize(o_count);
  p.bias_unsigned.resize(o_count);
  p.taps_u8.assign(c_count * 3 * o_count, 0);
  p.taps_i16.assign(c_count * 3 * o_count * 2, 0);
  p.taps_g4 = taps_in_groups_of_4(weight, o_count, c_count * 9);  // flattened t = (c·3 + ky)·3 + kx
  for (size_t o = 0; o < o_count; ++o) {
    int64_t sum = 0;  // Σw over C·9 taps: |sum| <= 128·9·C
    for (size_t c = 0; c < c_count; ++c) {
      for (size_t ky = 0; ky < 3; ++ky) {
        const int8_t* w = weight.data() + ((o * c_count + c) * 3 + ky) * 3;
        sum += int64_t{w[0]} + w[1] + w[2];
        const uint32_t bytes = static_cast<uint8_t>(w[0]) | (uint32_t{static_cast<uint8_t>(w[1])} << 8) |
                               (uint32_t{static_cast<uint8_t>(w[2])} << 16);
        p.taps_u8[(c * 3 + ky) * o_count + o] = static_cast<int32_t>(bytes);
        const uint32_t pair0 = static_cast<uint16_t>(int16_t{w[0]}) | (uint32_t{static_cast<uint16_t>(int16_t{w[1]})} << 16);
        const uint32_t pair1 = static_cast<uint16_t>(int16_t{w[2]});
        p.taps_i16[((c * 3 + ky) * o_count + o) * 2] = static_cast<int32_t>(pair0);
        p.taps_i16[((c * 3 + ky) * o_count + o) * 2 + 1] = static_cast<int32_t>(pair1);
      }
    }
    const int64_t b = bias.empty() ? 0 : bias[o];
    // Wrapped to int32 (C++20 conversion is modular), like the kernels' int32 sums.
    p.bias_signed[o] = static_cast<int32_t>(static_cast<uint32_t>(b - int64_t{input_zero_point} * sum));
    p.bias_unsigned[o] = static_cast<int32_t>(static_cast<uint32_t>(b - (int64_t{input_zero_point} + 128) * sum));
  }
  return p;
}

Result<PackedConvInt8> pack_conv1x1_int8(std::span<const int8_t> weight, std::span<const int32_t> bias, int cin,
                                         int cout, int32_t input_zero_point,
                                         std::span<const QuantizedMultiplier> multipliers, int32_t output_zero_point,
                                         ActivationRange range) {
  if (cin <= 0 || cout <= 0) return invalid_argument("int8 conv1x1: channel counts must be positive");
  const size_t o_count = static_cast<size_t>(cout), c_count = static_cast<size_t>(cin);
  if (weight.size() != o_count * c_count) {
    return invalid_argument("int8 conv1x1: weight has " + std::to_string(weight.size()) + " values, expected " +
                            std::to_string(o_count * c_count));
  }
  // The 3x3 packing of the same weights as centre taps validates everything else (bias, multipliers, zero points,
  // range) and gives the folded biases (Σw is the same); then the 1x1 layout.
  std::vector<int8_t> centre(o_count * c_count * 9, 0);
  for (size_t i = 0; i < weight.size(); ++i) centre[i * 9 + 4] = weight[i];
  LITESR_ASSIGN_OR_RETURN(PackedConvInt8 p, pack_conv3x3_int8(centre, bias, cin, cout, input_zero_point, multipliers,
                                                              output_zero_point, range));
  p.kernel = 1;
  p.weight.assign(weight.begin(), weight.end());
  p.taps_u8.clear();
  p.taps_g4 = taps_in_groups_of_4(weight, o_count, c_count);  // t = c
  p.taps_i16.assign((c_count + 1) / 2 * o_count, 0);          // [⌈C / 2⌉][O]: int16 pairs (w[o][2g], w[o][2g + 1])
  for (size_t o = 0; o < o_count; ++o) {
    for (size_t c = 0; c < c_count; ++c) {
      const uint32_t half = static_cast<uint16_t>(int16_t{weight[o * c_count + c]});
      p.taps_i16[c / 2 * o_count + o] |= static_cast<int32_t>(half << (16 * (c % 2)));
    }
  }
  return p;
}

Int8ConvPath tap_filter_int8_row_on(Int8ConvPath path, std::span<const Int8Tap> taps, const int8_t* const* rows,
                                    int width, int32_t input_zero_point, QuantizedMultiplier multiplier,
                                    int32_t output_zero_point, int8_t* out) {
  if (!int8_path_supported(path)) path = Int8ConvPath::kScalar;
  int64_t sum = 0;  // Σw: the zero point folds into the accumulator's start (int32 sums wrap: uint32 below)
  for (const Int8Tap& t : taps) sum += t.w;
  const int32_t folded = static_cast<int32_t>(static_cast<uint32_t>(-int64_t{input_zero_point} * sum));
#if LITESR_INT8_X86
  if (path == Int8ConvPath::kAvx512Vnni) {
    tap_filter_avx512(taps, rows, width, folded, multiplier, output_zero_point, out);
    return path;
  }
  if (path == Int8ConvPath::kAvxVnni || path == Int8ConvPath::kAvx2) {
    tap_filter_avx2(taps, rows, width, folded, multiplier, output_zero_point, out);
    return path;
  }
#endif
  constexpr int kChunk = 64;
  for (int x0 = 0; x0 < width; x0 += kChunk) {
    const int n = std::min(kChunk, width - x0);
    uint32_t acc[kChunk];
    std::fill(acc, acc + n, static_cast<uint32_t>(folded));
    for (const Int8Tap& t : taps) {
      const int8_t* row = rows[t.row] + x0 + t.dx;
      for (int i = 0; i < n; ++i) acc[i] += static_cast<uint32_t>(t.w * row[i]);
    }
    for (int i = 0; i < n; ++i) {
      out[x0 + i] = requantize_accumulator(static_cast<int32_t>(acc[i]), multiplier, output_zero_point, {});
    }
  }
  return Int8ConvPath::kScalar;
}

Int8ConvPath tap_filter_int8_row(std::span<const Int8Tap> taps, const int8_t* const* rows, int width,
                                 int32_t input_zero_point, QuantizedMultiplier multiplier, int32_t output_zero_point,
                                 int8_t* out) {
  const Int8ConvPath path = thread_int8_path();
  return tap_filter_int8_row_on(path, taps, rows, width, input_zero_point, multiplier, output_zero_point, out);
}

namespace {

// The linear form of one input's rescaling s(q) = MBQM((q + input_offset) · 2^left_shift, M) (kernel_conv3x3_int8.h),
// with the largest shift whose int32 arithmetic cannot overflow, if its fixes fit [−63, 63] at that shift.
bool linear_rescale(int32_t input_offset, int left_shift, QuantizedMultiplier m, PackedAddInt8::Linear& linear,
                    int8_t* fix) {
  int32_t s[256];
  for (int q = -128; q <= 127; ++q) {
    s[q + 128] = multiply_by_quantized_multiplier((input_offset + q) * (1 << left_shift), m);
  }
  const double slope_real = static_cast<double>(s[255] - s[0]) / 255.0;  // s per unit of q
  for (int shift = 30; shift >= 0; --shift) {
    const double unit = std::ldexp(1.0, shift);
    const double slope = std::round(slope_real * unit);
    const double offset = std::round((static_cast<double>(s[128]) + 0.5) * unit);  // s(0), rounded to nearest
    if (std::abs(slope) * 128.0 + std::abs(offset) >= 2147483648.0) continue;      // q · slope + offset may overflow
    linear = {static_cast<int32_t>(slope), static_cast<int32_t>(offset), shift};
    bool fits = true;
    for (int q = -128; q <= 127 && fits; ++q) {
      const int32_t base = (q * linear.slope + linear.offset) >> shift;  // arithmetic shift: floor
      const int32_t f = s[q + 128] - base;
      fits = f >= -63 && f <= 63;
      fix[static_cast<uint8_t>(q)] = static_cast<int8_t>(f);
    }
    return fits;  // a smaller shift only coarsens the slope: the largest is the best
  }
  return false;
}

}  // namespace

PackedAddInt8 pack_add_int8(const AddParams& params) {
  PackedAddInt8 p;
  p.params = params;
  p.output_float = float_requant_of(params.output_multiplier, params.output_offset, params.range);
  p.linear = linear_rescale(params.input1_offset, params.left_shift, params.input1_multiplier, p.input[0], p.fix[0]) &&
             linear_rescale(params.input2_offset, params.left_shift, params.input2_multiplier, p.input[1], p.fix[1]);
  return p;
}

Int8ConvPath add_int8_row_on(Int8ConvPath path, const PackedAddInt8& add, const int8_t* a, const int8_t* b, int n,
                             int8_t* out) {
  if (!int8_path_supported(path)) path = Int8ConvPath::kScalar;
  const AddParams& params = add.params;
#if LITESR_INT8_X86
  if (path == Int8ConvPath::kAvx512Vnni) {
    if (add.linear) {
      add_row_linear_avx512(add, a, b, n, out);
    } else {
      add_row_requant_avx512(params, a, b, n, out);
    }
    return path;
  }
  if (path == Int8ConvPath::kAvxVnni || path == Int8ConvPath::kAvx2) {
    add_row_avx2(params, a, b, n, out);
    return path;
  }
#endif
  for (int x = 0; x < n; ++x) out[x] = add_int8_element(a[x], b[x], params);
  return Int8ConvPath::kScalar;
}

Int8ConvPath add_int8_row(const PackedAddInt8& add, const int8_t* a, const int8_t* b, int n, int8_t* out) {
  return add_int8_row_on(thread_int8_path(), add, a, b, n, out);
}

Int8ConvPath conv1x1_int8_rows_on(Int8ConvPath path, const PackedConvInt8& w, const int8_t* const* in_rows, int width,
                                  int8_t* const* out_rows) {
  if (!int8_path_supported(path)) path = Int8ConvPath::kScalar;
  if (width <= 0) return path;
#if LITESR_INT8_X86
  if (path == Int8ConvPath::kAvx512Vnni && (w.cin + 3) / 4 <= kMaxStripGroups) {
    rows_avx512(w, in_rows, width, out_rows);
    return path;
  }
  if (path == Int8ConvPath::kAvxVnni) {
    for_each_block<AvxVnni1x1Block>(w, in_rows, width, out_rows);
    return path;
  }
  if (path == Int8ConvPath::kAvx2) {
    for_each_block<Avx2_1x1Block>(w, in_rows, width, out_rows);
    return path;
  }
#endif
  rows_scalar_1x1(w, in_rows, width, out_rows);
  return Int8ConvPath::kScalar;
}

Int8ConvPath conv1x1_int8_rows(const PackedConvInt8& w, const int8_t* const* in_rows, int width,
                               int8_t* const* out_rows) {
  const Int8ConvPath path = thread_int8_path();
  return conv1x1_int8_rows_on(path, w, in_rows, width, out_rows);
}

Int8ConvPath depthwise3x3_int8_rows_on(Int8ConvPath path, std::span<const PackedConvInt8> per_channel,
                                       const int8_t* const* in_rows, int width, int8_t* const* out_rows) {
  if (!int8_path_supported(path)) path = Int8ConvPath::kScalar;
  if (width <= 0) return path;
#if LITESR_INT8_X86
  if (path == Int8ConvPath::kAvx512Vnni) {
    depthwise_avx512(per_channel, in_rows, width, out_rows);
    return path;
  }
#endif
  for (std::size_t c = 0; c < per_channel.size(); ++c) {
    conv3x3_int8_rows_on(path, per_channel[c], in_rows + c * 3, width, out_rows + c);
  }
  return path;
}

Int8ConvPath depthwise3x3_int8_rows(std::span<const PackedConvInt8> per_channel, const int8_t* const* in_rows,
                                    int width, int8_t* const* out_rows) {
  return depthwise3x3_int8_rows_on(thread_int8_path(), per_channel, in_rows, width, out_rows);
}

Int8ConvPath conv3x3_int8_rows_on(Int8ConvPath path, const PackedConvInt8& w, const int8_t* const* in_rows, int width,
                                  int8_t* const* out_rows) {
  if (!int8_path_supported(path)) path = Int8ConvPath::kScalar;
  if (width <= 0) return path;
  switch (path) {
#if LITESR_INT8_X86
    case Int8ConvPath::kAvx512Vnni:
      if (w.cout >= kStripMinChannels && (9 * w.cin + 3) / 4 <= kMaxStripGroups) {
        rows_avx512(w, in_rows, width, out_rows);
      } else {
        for_each_block<Avx512Block>(w, in_rows, width, out_rows);
      }
      break;
    case Int8ConvPath::kAvxVnni: for_each_block<AvxVnniBlock>(w, in_rows, width, out_rows); break;
    case Int8ConvPath::kAvx2: for_each_block<Avx2Block>(w, in_rows, width, out_rows); break;
#endif
    default: rows_scalar(w, in_rows, width, out_rows); break;
  }
  return path;
}

Int8ConvPath conv3x3_int8_rows(const PackedConvInt8& w, const int8_t* const* in_rows, int width,
                               int8_t* const* out_rows) {
  const Int8ConvPath path = thread_int8_path();
  return conv3x3_int8_rows_on(path, w, in_rows, width, out_rows);
}

}  // namespace litesr

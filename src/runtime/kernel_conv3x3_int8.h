// INT8 dense 3x3 conv (stride 1, "same" padding) on planar int8 rows, bit-exact with quant/reference_ops.h
// conv2d_int8 (TFLite CONV_2D int8, per-channel weights): one output row, all output channels, per call; and the
// dense 1x1 conv (below, pack_conv1x1_int8), which shares its packing, AVX-512 reduction and requantization.
//
// ROW LAYOUT (as kernel_conv.h, with int8 samples)
//   A row pointer `p` addresses x = 0: p[0 .. width-1] hold the int8 values q; p[-1] and p[width] are readable
//   and hold the INPUT ZERO POINT (TFLite pads with zp_in, whose term w·(zp_in − zp_in) is 0). Rows above/below
//   the image (y = -1, y = H) are rows of the same width filled with zp_in (halo included). Nothing outside
//   [-1, width] is read (AVX-512 uses masked loads; the 256-bit paths copy the last pixels of a row to a stack
//   buffer). Outputs are written on [0, width) only and must not alias the inputs. No alignment is required.
//     in_rows[c * 3 + ky] = row y − 1 + ky of input channel c      (C · 3 pointers)
//     out_rows[o]         = row y of output channel o               (O pointers)
//
// ARITHMETIC, per output channel o and pixel x (conv2d_int8's integers exactly):
//   acc      = bias[o] + Σ_{c, ky, kx} w[o, c, ky, kx] · (q[c, y − 1 + ky, x − 1 + kx] − zp_in)      (int32)
//   out[o,x] = clamp(zp_out + MultiplyByQuantizedMultiplier(acc, M[o]), act_min, act_max)
// The zero point is folded into the bias at pack time: acc = (bias − zp_in·Σw) + Σ w·q. The VNNI paths multiply
// unsigned bytes (vpdpbusd: u8 × s8) and feed u = q + 128 (q XOR 0x80), so their bias also absorbs −128·Σw:
// acc = (bias − (zp_in + 128)·Σw) + Σ w·u. All int32 sums wrap (vpdpbusd, not the saturating vpdpbusds); the
// true acc fits int32 (conv2d_int8 rejects weights for which it might not), so the wrapped sum equals it.
// Requantization runs per lane in SIMD with TFLite's double rounding (quant/fixed_point.h). On AVX-512 (and on AVX2 /
// AVX-VNNI where MXCSR rounds to nearest) it is first computed in its float form (quant/float_requantization.h:
// convert, one FMA, floor), exact wherever it says so; a vector with a lane it cannot vouch for (~1 in 125 measured) is
// recomputed with the integer arithmetic: the saturating left shift, SaturatingRoundingDoublingHighMul as (a·m + 2^30)
// >> 31 in 64-bit lanes (equal to gemmlowp's nudge-and-truncate for every a and every mantissa m in [0, 2^31)),
// RoundingDivideByPOT with its rounding of negatives (on AVX-512 folded into the same 64-bit shift, with zp_out folded
// into its rounding addend), + zp_out, the activation clamp (on AVX-512 the saturating narrowing, plus max / min only
// for a narrower range). One difference from the scalar code: zp_out + MBQM(acc) wraps in int32 where the reference's
// int32 addition would overflow (only for |MBQM(acc)| > 2^31 − 129: results at the int32 limit, e.g. a saturated left
// shift with a mantissa near 2^31).
//
// WHY INTRINSICS, NOT HIGHWAY: the Highway targets compiled in (kernel_targets.h: avx3, avx2, ...) do not imply
// VNNI or VBMI, so the int8 paths are per-ISA intrinsics in functions with __attribute__((target(...))), entered
// only after a run-time CPU check; the choice still follows the thread's KernelIsa (below).
//
// PATHS (x86-64; every other target runs the scalar loop)
//   kAvx512Vnni: 16 pixels per zmm, and every byte of vpdpbusd's dwords used: an output channel's 9C taps, flattened
//                over (c, ky, kx), are taken 4 at a time; a group spans 2 input rows, and one vpermt2b
//                (AVX512-VBMI) gathers its 4 samples for 16 pixels from two masked 18-byte row loads. Per 4 input
//                rows: 4 loads, 3 vpermt2b, then 3 vpdpbusd per output channel with broadcast weight dwords.
//   kAvxVnni:    8 pixels per ymm, one input row per dword [u(x−1), u(x), u(x+1), u(x+1)] (the 4th byte meets a
//                zero weight): broadcast 16-byte load, vpshufb, then one vpdpbusd (VEX, AVX-VNNI) per output
//                channel with the broadcast dword (w0, w1, w2, 0).
//   kAvx2:       no VNNI: the pixels are sign-extended to int16 pairs (q(x−1), q(x)) and (q(x+1), 0) and each
//                pair multiplied by the int16 weight pair with vpmaddwd (int16 × int16 → int32: it cannot
//                saturate, unlike vpmaddubsw, whose u8·s8 pair sums exceed int16 for 255·(−128)·2).
//   kScalar:     plain loops + requantize_accumulator (quant/requantization.h).
// DISPATCH follows the calling thread's KernelIsa (kernel_dispatch.h) so that ThreadIsaScope and sessions
// select the int8 path too, refined by a run-time CPU check of the extensions Highway's target does not imply:
//   avx3* (AVX-512) → kAvx512Vnni if the CPU has AVX512-VNNI and AVX512-VBMI, else as avx2;
//   avx2           → kAvxVnni if the CPU has AVX-VNNI (the VEX vpdpbusd), else kAvx2;
//   anything else  → kScalar.
// Tests force each path with conv3x3_int8_rows_on(); int8_path_supported() says which this CPU runs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "quant/fixed_point.h"
#include "quant/float_requantization.h"
#include "quant/reference_ops.h"
#include "quant/requantization.h"
#include "runtime/kernel_dispatch.h"

namespace litesr {

enum class Int8ConvPath : uint8_t { kScalar, kAvx2, kAvxVnni, kAvx512Vnni };
std::string_view int8_path_name(Int8ConvPath path);  // "scalar", "avx2", "avxvnni", "avx512vnni"

// Weights and requantization constants of one int8 3x3 conv (pack_conv3x3_int8) or 1x1 conv (pack_conv1x1_int8),
// prepared once.
struct PackedConvInt8 {
  int kernel = 3;  // 3 or 1
  int cin = 0;     // C
  int cout = 0;    // O
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  ActivationRange range;
  std::vector<int8_t> weight;                 // [O][C][3][3] as given (scalar path)
  std::vector<int32_t> bias_signed;           // [O] bias − zp_in·Σw            (scalar, kAvx2)
  std::vector<int32_t> bias_unsigned;         // [O] bias − (zp_in + 128)·Σw    (VNNI paths)
  std::vector<int32_t> taps_u8;               // [C][3][O] dwords, bytes (w[ky][0], w[ky][1], w[ky][2], 0) (kAvxVnni)
  std::vector<int32_t> taps_g4;               // [⌈9C / 4⌉][O] dwords: 4 consecutive taps of w[o] flattened over
                                              // (c, ky, kx), zero past 9C (kAvx512Vnni); a 1x1 conv: [⌈C / 4⌉][O]
                                              // over c
  std::vector<int32_t> taps_i16;              // [C][3][O][2] dwords: int16 pairs (w[ky][0], w[ky][1]), (w[ky][2], 0)
                                              // (kAvx2); a 1x1 conv: [⌈C / 2⌉][O] pairs (w[o][2g], w[o][2g + 1])
  std::vector<QuantizedMultiplier> multipliers;  // [O] M[o]
  std::vector<FloatRequant> float_requant;       // [O] the float form of M[o]'s requantization (SIMD paths), or
                                                 // empty where some channel has none (a multiplier >= 1/2)
};

// weight [O][C][3][3] (symmetric int8), bias [O] (int32; empty = no bias), multipliers [O] (each with mantissa
// 0 or in [2^30, 2^31) and −31 <= shift <= 30, as quantize_multiplier / checked_multiplier make them), zero
// points in [−128, 127], range within [−128, 127] with min <= max. kInvalidArgument otherwise.
Result<PackedConvInt8> pack_conv3x3_int8(std::span<const int8_t> weight, std::span<const int32_t> bias, int cin,
                                         int cout, int32_t input_zero_point,
                                         std::span<const QuantizedMultiplier> multipliers, int32_t output_zero_point,
                                         ActivationRange range);

// A 1x1 conv (weight [O][C]), the same arguments otherwise. Its rows (conv1x1_int8_rows) read no padding:
//   in_rows[c] = row y of input channel c, out_rows[o] = row y of output channel o.
// Paths: kAvx512Vnni gathers 4 channels' bytes per pixel (16 pixels: four masked 16-byte loads, one vpermb) for
// vpdpbusd, 4 input channels per instruction; kAvxVnni the same on 8 pixels (four 8-byte loads, punpcklbw and
// punpck[lh]wd); kAvx2 pairs of channels as int16 (sign-extending loads, punpck[lh]wd) for vpmaddwd; kScalar a loop. (A
// depthwise 3x3 conv is C one-channel 3x3 convs: pack_conv3x3_int8 with cin = cout = 1 per channel.)
Result<PackedConvInt8> pack_conv1x1_int8(std::span<const int8_t> weight, std::span<const int32_t> bias, int cin,
                                         int cout, int32_t input_zero_point,
                                         std::span<const QuantizedMultiplier> multipliers, int32_t output_zero_point,
                                         ActivationRange range);

// One output row of a filter given as a list of taps over int8 rows (the INT8 bicubic skip's phase filters,
// int8_band_executor.h), conv2d_int8's integers:
//   out[x] = clamp8(zp_out + MBQM(Σ_t w_t · (rows[t.row][x + t.dx] − zp_in), M))      for x in [0, width)
// rows[t.row] must be readable on [t.dx, width + t.dx). kAvx512Vnni: 16 pixels per vector (sign-extending loads,
// vpmulld, the 3x3 kernel's requantization); kAvxVnni and kAvx2: the same on 8 pixels with AVX2; kScalar a loop.
struct Int8Tap {
  int row = 0, dx = 0;
  int32_t w = 0;
};
Int8ConvPath tap_filter_int8_row(std::span<const Int8Tap> taps, const int8_t* const* rows, int width,
                                 int32_t input_zero_point, QuantizedMultiplier multiplier, int32_t output_zero_point,
                                 int8_t* out);
Int8ConvPath tap_filter_int8_row_on(Int8ConvPath path, std::span<const Int8Tap> taps, const int8_t* const* rows,
                                    int width, int32_t input_zero_point, QuantizedMultiplier multiplier,
                                    int32_t output_zero_point, int8_t* out);

// The residual add of two int8 rows (TFLite ADD int8, quant/reference_ops.h add_int8_element's integers), prepared
// once by pack_add_int8. Each input's rescaling s_i(q) = MBQM((q − zp_i) · 2^20, M_i) takes only 256 values; where
// they have the form
//   s_i(q) = ((q · slope_i + offset_i) >> shift_i) + fix_i[q]      (int32 arithmetic, fix_i[q] in [−63, 63])
// — checked on all 256 q when packed, with the largest shift that cannot overflow (in practice every add has it) —
// the AVX-512 path computes it with one vpmulld and a 256-entry byte lookup (vpermi2b) instead of a 64-bit
// MultiplyByQuantizedMultiplier per input; the sum's requantization is the conv kernels'. Same integers either way.
struct PackedAddInt8 {
  AddParams params;
  struct Linear {
    int32_t slope = 0, offset = 0;
    int shift = 0;
  };
  bool linear = false;      // both inputs have the form above
  Linear input[2];          // input 1, input 2
  int8_t fix[2][256] = {};  // fix_i indexed by q's bit pattern (q & 0xFF)
  std::optional<FloatRequant> output_float;  // the output requantization's float form (kAvx512Vnni), if any
};
PackedAddInt8 pack_add_int8(const AddParams& params);

// out[x] = add(a[x], b[x]), x < n; out may alias a or b. kAvx512Vnni: 64 samples per step (the linear form above,
// else the conv kernels' SIMD MultiplyByQuantizedMultiplier for every rescaling); kAvxVnni and kAvx2: the
// MultiplyByQuantizedMultiplier form on 8 samples with AVX2; kScalar the element function.
Int8ConvPath add_int8_row(const PackedAddInt8& add, const int8_t* a, const int8_t* b, int n, int8_t* out);
Int8ConvPath add_int8_row_on(Int8ConvPath path, const PackedAddInt8& add, const int8_t* a, const int8_t* b, int n,
                             int8_t* out);

// Whether this CPU runs `path` (kScalar: always).
bool int8_path_supported(Int8ConvPath path);
// The path the kernels use under `isa` (see DISPATCH above).
Int8ConvPath int8_path_for(const KernelIsa& isa);
// int8_path_for the calling thread's KernelIsa, from a table made once (cheap enough to ask per row).
Int8ConvPath thread_int8_path();

// One output row (see the layout above), on the calling thread's path; returns the path that ran.
Int8ConvPath conv3x3_int8_rows(const PackedConvInt8& w, const int8_t* const* in_rows, int width,
                               int8_t* const* out_rows);
// The same on an explicit path (must be int8_path_supported; an unsupported one runs kScalar instead, and the
// return value says so).
Int8ConvPath conv3x3_int8_rows_on(Int8ConvPath path, const PackedConvInt8& w, const int8_t* const* in_rows, int width,
                                  int8_t* const* out_rows);
// A 1x1 conv's output row, on the calling thread's path / an explicit one (as above).
Int8ConvPath conv1x1_int8_rows(const PackedConvInt8& w, const int8_t* const* in_rows, int width,
                               int8_t* const* out_rows);
Int8ConvPath conv1x1_int8_rows_on(Int8ConvPath path, const PackedConvInt8& w, const int8_t* const* in_rows, int width,
                                  int8_t* const* out_rows);

// A depthwise 3x3 conv's output row: channel c is the one-channel conv per_channel[c] (pack_conv3x3_int8 with
// cin = cout = 1) of in_rows[c·3 + ky] (ky = 0, 1, 2: rows y − 1 .. y + 1, with the zero-point halo), written to
// out_rows[c]. kAvx512Vnni: per input row one masked load, the u8 flip and one vpermb (AVX512-VBMI) build each
// pixel's dword (u(x − 1), u(x), u(x + 1), ·) for one vpdpbusd with the dword (w[ky][0], w[ky][1], w[ky][2], 0), then
// the conv's epilogue: ~3 · 4 + 8 ops per 16 outputs, in one call for every channel. The other paths run
// conv3x3_int8_rows_on per channel. Returns the path that ran, as above.
Int8ConvPath depthwise3x3_int8_rows(std::span<const PackedConvInt8> per_channel, const int8_t* const* in_rows,
                                    int width, int8_t* const* out_rows);
Int8ConvPath depthwise3x3_int8_rows_on(Int8ConvPath path, std::span<const PackedConvInt8> per_channel,
                                       const int8_t* const* in_rows, int width, int8_t* const* out_rows);

}  // namespace litesr

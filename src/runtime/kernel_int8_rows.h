// Row kernels of the INT8 band executor (int8_band_executor.h) other than the convolutions
// (kernel_conv3x3_int8.h): per-channel lookup tables (every int8 -> int8 map of one input: relu, leaky_relu,
// prelu, tanh, sigmoid, requantize), the residual add, and the image boundaries (interleaved RGB u8 in, pixel
// shuffle + conversion out). Rows are planar int8 (kernel_conv3x3_int8.h ROW LAYOUT); n / width are pixels.
// Each kernel computes exactly what its scalar reference (the *_ref twin, and quant/reference_ops.h) computes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "quant/reference_ops.h"

namespace litesr {

// A table indexed by the input's bit pattern: out = table[(uint8_t)q].
struct Int8Table {
  int8_t v[256];
  int8_t operator()(int8_t q) const { return v[static_cast<uint8_t>(q)]; }
};

// out[x] = table(in[x]), x < n. In place (out == in) is allowed.
void lookup_row_int8(const Int8Table& table, const int8_t* in, int n, int8_t* out);
void lookup_row_int8_ref(const Int8Table& table, const int8_t* in, int n, int8_t* out);

// The same for `channels` rows at once (one step's channels of one row: channel c at in + c·in_stride and
// out + c·out_stride): tables[c], or tables[0] for every channel when tables has one entry (then loaded once).
// In place is allowed. One dispatch and, with one table, one table load per call instead of per channel.
void lookup_rows_int8(std::span<const Int8Table> tables, const int8_t* in, std::ptrdiff_t in_stride, int8_t* out,
                      std::ptrdiff_t out_stride, int channels, int n);
void lookup_rows_int8_ref(std::span<const Int8Table> tables, const int8_t* in, std::ptrdiff_t in_stride, int8_t* out,
                          std::ptrdiff_t out_stride, int channels, int n);

// Σ in[x], x < n (a squeeze-excite input's channel sums, row by row).
int64_t sum_row_int8(const int8_t* in, int n);
int64_t sum_row_int8_ref(const int8_t* in, int n);

// One planar row of an r-way interleave (a pixel shuffle's row): out[x·r + j] = in_rows[j][x], x < width.
void interleave_rows_int8(const int8_t* const* in_rows, int width, int r, int8_t* out);

// Input side: interleaved RGB u8 (width·3 bytes) -> planes[c][x] = table[rgb[x·3 + c]] as int8.
// `exact` says table[v] == v − 128 for every v (the image parameters), which the SIMD path uses.
struct ByteToInt8Table {
  int8_t v[256];
  bool exact = false;
};
void deinterleave_rgb_u8_to_int8(const uint8_t* rgb, int width, const ByteToInt8Table& table, int8_t* const* planes);

// Output side, one LR row of a pixel shuffle by `scale` of 3·scale² int8 rows into `scale` interleaved RGB rows
// (kernel_pixel_shuffle.h order: rows[c·s² + i·s + j][x] -> out_rows[i][(x·s + j)·3 + c]), each value converted
// by its table: u8 out = table[(uint8_t)q] (`exact`: table[q] == q + 128, the image parameters); f32 out likewise.
struct Int8ToByteTable {
  uint8_t v[256];
  bool exact = false;
};
struct Int8ToFloatTable {
  float v[256];
  // affine: v[b] == clamp((float(p as int8) − zero_point) · scale, 0, 1) in float for every b, where p = b, or
  // p = pre(b) when has_pre (a requantizing pixel shuffle before the dequantization, int8_program.h
  // int8_to_float_table), which the SIMD path computes (after looking pre up) instead of looking v up.
  bool affine = false;
  float scale = 0;
  int32_t zero_point = 0;
  bool has_pre = false;
  Int8Table pre;
};
void pixel_shuffle_store_int8_u8_rows(const int8_t* const* rows, int width, int scale, const Int8ToByteTable& table,
                                      uint8_t* const* out_rows);
void pixel_shuffle_store_int8_u8_rows_ref(const int8_t* const* rows, int width, int scale,
                                          const Int8ToByteTable& table, uint8_t* const* out_rows);
void pixel_shuffle_store_int8_f32_rows(const int8_t* const* rows, int width, int scale, const Int8ToFloatTable& table,
                                       float* const* out_rows);
void pixel_shuffle_store_int8_f32_rows_ref(const int8_t* const* rows, int width, int scale,
                                           const Int8ToFloatTable& table, float* const* out_rows);

// Input side, f32: interleaved samples (width·channels floats) -> planes[c][x] = quantize_value(in[x·channels + c],
// params) (quant/quant_params.h), c < channels.
void quantize_interleaved_f32_to_int8(const float* in, int width, int channels, QuantParams params,
                                      int8_t* const* planes);
void quantize_interleaved_f32_to_int8_ref(const float* in, int width, int channels, QuantParams params,
                                          int8_t* const* planes);

}  // namespace litesr

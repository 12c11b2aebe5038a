// Image-boundary kernels: the network's input side (interleaved RGB -> planar float rows) and output side
// (PixelShuffle + optional skip + clamp/quantise -> interleaved RGB), one LR row per call.
//
// PixelShuffle(s) is PyTorch's: out[c, h*s + i, w*s + j] = in[c*s*s + i*s + j, h, w]. For one LR row h:
//   rows[c*s*s + i*s + j][x]      conv output channel c*s*s + i*s + j at LR pixel x   (3*s*s rows, x < width)
//   skip_rgb[c*s + i][X]          optional planar HR row i (of the s produced) of colour c, X < width*s,
//                                 e.g. a bicubic upscale of the input (SAM-SR); null = no skip
//   out_rows[i][(X)*3 + c]        interleaved RGB HR row i, X = x*s + j                 (s rows)
// u8 store: v = rows[..][x] (+ skip) then exactly quantize_unit(v, 255) of base/image_ops.h: clamp to
// [0, 1]*255 (NaN -> 0) and round half up ((int)(v*255 + 0.5)). f32 store: v clamped to [0, 1] (NaN -> 0).
// Scales 1..4 are vectorised; other scales take the reference path. Row pointers need no halo here.
#pragma once

#include <cstdint>

namespace litesr {

void pixel_shuffle_store_u8_rows(const float* const* rows, int width, int scale, const float* const* skip_rgb,
                                 uint8_t* const* out_rows);
void pixel_shuffle_store_u8_rows_ref(const float* const* rows, int width, int scale,
                                     const float* const* skip_rgb, uint8_t* const* out_rows);
void pixel_shuffle_store_f32_rows(const float* const* rows, int width, int scale, const float* const* skip_rgb,
                                  float* const* out_rows);
void pixel_shuffle_store_f32_rows_ref(const float* const* rows, int width, int scale,
                                      const float* const* skip_rgb, float* const* out_rows);

// One planar output row of a pixel shuffle (or any r-way interleave): out[x·r + j] = in_rows[j][x] for
// x < width, j < r. r = 1..4 vectorised, others take the reference.
void interleave_rows_f32(const float* const* in_rows, int width, int r, float* out);
void interleave_rows_f32_ref(const float* const* in_rows, int width, int r, float* out);

// Input side: one interleaved RGB row (width*3 values) -> planes[c][x], c = 0 (R), 1 (G), 2 (B).
// u8: planes[c][x] = rgb[x*3 + c] / 255.0f (a true division, exact like the reference). f32: a copy.
void deinterleave_rgb_u8_to_planar_f32(const uint8_t* rgb, int width, float* const* planes);
void deinterleave_rgb_u8_to_planar_f32_ref(const uint8_t* rgb, int width, float* const* planes);
void deinterleave_rgb_f32_to_planar_f32(const float* rgb, int width, float* const* planes);
void deinterleave_rgb_f32_to_planar_f32_ref(const float* rgb, int width, float* const* planes);

}  // namespace litesr

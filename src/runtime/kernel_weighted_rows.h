// weighted_rows_f32: a weighted sum of float rows, out[x] = ((0 + w[0]·rows[0][x]) + w[1]·rows[1][x]) + ...,
// each product and each sum rounded on its own (no fused multiply-add) and the taps added in order: the order of
// the bicubic tables (bicubic_table.h), so the band executor's bicubic_upsample (its vertical pass over the input
// rows and the horizontal pass's phases) stays bit-identical to the reference executor on every ISA.
#pragma once

namespace litesr {

// x in [0, width); rows[t] readable on [0, width); out may not alias a row.
void weighted_rows_f32(const float* const* rows, const float* weights, int taps, int width, float* out);
// The plain loop (the order above), for tests.
void weighted_rows_f32_ref(const float* const* rows, const float* weights, int taps, int width, float* out);

}  // namespace litesr

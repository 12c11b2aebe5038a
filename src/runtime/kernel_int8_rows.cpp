#include "runtime/kernel_int8_rows.h"

#include <algorithm>

namespace litesr {

void lookup_row_int8_ref(const Int8Table& table, const int8_t* in, int n, int8_t* out) {
  for (int x = 0; x < n; ++x) out[x] = table(in[x]);
}

void lookup_row_int8(const Int8Table& table, const int8_t* in, int n, int8_t* out) {
  lookup_row_int8_ref(table, in, n, out);
}

Int8PairTable make_add_table(const AddParams& params) {
  Int8PairTable t;
  t.v.resize(256 * 256);
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      t.v[static_cast<std::size_t>(a) * 256 + b] =
          add_int8_element(static_cast<int8_t>(a), static_cast<int8_t>(b), params);  // bit patterns: a, b as uint8
    }
  }
  return t;
}

void pair_lookup_row_int8(const Int8PairTable& table, const int8_t* a, const int8_t* b, int n, int8_t* out) {
  const int8_t* v = table.v.data();
  for (int x = 0; x < n; ++x) {
    out[x] = v[static_cast<std::size_t>(static_cast<uint8_t>(a[x])) << 8 | static_cast<uint8_t>(b[x])];
  }
}

void interleave_rows_int8(const int8_t* const* in_rows, int width, int r, int8_t* out) {
  for (int j = 0; j < r; ++j) {
    const int8_t* in = in_rows[j];
    for (int x = 0; x < width; ++x) out[x * r + j] = in[x];
  }
}

void deinterleave_rgb_u8_to_int8(const uint8_t* rgb, int width, const ByteToInt8Table& table, int8_t* const* planes) {
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

void pixel_shuffle_store_int8_u8_rows(const int8_t* const* rows, int width, int scale, const Int8ToByteTable& table,
                                      uint8_t* const* out_rows) {
  pixel_shuffle_store_int8_u8_rows_ref(rows, width, scale, table, out_rows);
}

void pixel_shuffle_store_int8_f32_rows(const int8_t* const* rows, int width, int scale, const Int8ToFloatTable& table,
                                       float* const* out_rows) {
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

}  // namespace litesr

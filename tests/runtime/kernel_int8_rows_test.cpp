// INT8 row kernels against their scalar references on every ISA this CPU runs.
#include "runtime/kernel_int8_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "runtime/int8_program.h"
#include "testing/isa_loop.h"

namespace litesr {
namespace {

std::vector<int8_t> random_bytes(std::size_t n, std::mt19937& rng) {
  std::vector<int8_t> v(n);
  for (int8_t& b : v) b = static_cast<int8_t>(rng() & 0xFF);
  return v;
}

Int8ToByteTable exact_output_table() {
  Int8ToByteTable t;
  for (int b = 0; b < 256; ++b) t.v[b] = static_cast<uint8_t>(static_cast<int8_t>(b) + 128);
  t.exact = true;
  return t;
}

TEST(KernelInt8Rows, PixelShuffleStoreEqualsReference) {
  testing::IsaLoop isas;
  isas.run([] {
    std::mt19937 rng(1);
    Int8ToByteTable skewed;  // not exact: looked up in chunks of 256 pixels, then the exact store
    for (int b = 0; b < 256; ++b) skewed.v[b] = static_cast<uint8_t>((b * 7 + 3) & 0xFF);
    for (const Int8ToByteTable& table : {exact_output_table(), skewed}) {
      for (int s = 1; s <= 5; ++s) {
        for (int width : {1, 7, 15, 16, 17, 31, 63, 64, 65, 100, 130, 256, 300, 577}) {  // 300, 577: chunks overlap
          std::vector<std::vector<int8_t>> rows;
          std::vector<const int8_t*> ptrs;
          for (int r = 0; r < 3 * s * s; ++r) rows.push_back(random_bytes(width, rng));
          for (const auto& r : rows) ptrs.push_back(r.data());
          std::vector<std::vector<uint8_t>> got(s, std::vector<uint8_t>(width * s * 3 + 1, 0xAB)), want = got;
          std::vector<uint8_t*> got_ptrs, want_ptrs;
          for (int i = 0; i < s; ++i) {
            got_ptrs.push_back(got[i].data());
            want_ptrs.push_back(want[i].data());
          }
          pixel_shuffle_store_int8_u8_rows(ptrs.data(), width, s, table, got_ptrs.data());
          pixel_shuffle_store_int8_u8_rows_ref(ptrs.data(), width, s, table, want_ptrs.data());
          ASSERT_EQ(got, want) << "scale " << s << " width " << width << " exact " << table.exact;
          EXPECT_EQ(got[0].back(), 0xAB);  // nothing written past the row
        }
      }
    }
  });
}

TEST(KernelInt8Rows, InterleaveAndDeinterleaveEqualTheirLoops) {
  testing::IsaLoop isas;
  isas.run([] {
    std::mt19937 rng(2);
    for (int width : {1, 5, 16, 33, 64, 65, 129}) {
      for (int r = 1; r <= 5; ++r) {
        std::vector<std::vector<int8_t>> rows;
        std::vector<const int8_t*> ptrs;
        for (int j = 0; j < r; ++j) rows.push_back(random_bytes(width, rng));
        for (const auto& row : rows) ptrs.push_back(row.data());
        std::vector<int8_t> out(width * r + 1, 17);
        interleave_rows_int8(ptrs.data(), width, r, out.data());
        for (int x = 0; x < width; ++x) {
          for (int j = 0; j < r; ++j) ASSERT_EQ(out[x * r + j], rows[j][x]) << width << " " << r;
        }
        EXPECT_EQ(out.back(), 17);
      }
      std::vector<uint8_t> rgb(width * 3);
      for (uint8_t& v : rgb) v = static_cast<uint8_t>(rng() & 0xFF);
      ByteToInt8Table exact, shifted;
      for (int v = 0; v < 256; ++v) {
        exact.v[v] = static_cast<int8_t>(v - 128);
        shifted.v[v] = static_cast<int8_t>(v / 2 - 60);
      }
      exact.exact = true;
      for (const ByteToInt8Table& table : {exact, shifted}) {
        std::vector<int8_t> planes(3 * width);
        int8_t* p[3] = {planes.data(), planes.data() + width, planes.data() + 2 * width};
        deinterleave_rgb_u8_to_int8(rgb.data(), width, table, p);
        for (int x = 0; x < width; ++x) {
          for (int c = 0; c < 3; ++c) ASSERT_EQ(p[c][x], table.v[rgb[x * 3 + c]]) << width;
        }
      }
    }
  });
}

TEST(KernelInt8Rows, TablesComputeTheReferenceElementOps) {
  std::mt19937 rng(3);
  const std::vector<int8_t> a = random_bytes(300, rng), b = random_bytes(300, rng);
  Int8Table t;
  for (int v = 0; v < 256; ++v) t.v[v] = static_cast<int8_t>((v * 37 + 11) & 0xFF);  // every half, every entry
  testing::IsaLoop isas;
  isas.run([&] {
    for (int n : {0, 1, 63, 64, 65, 127, 300}) {
      std::vector<int8_t> got(n + 1, 5), want(n + 1, 5);
      lookup_row_int8(t, a.data(), n, got.data());
      lookup_row_int8_ref(t, a.data(), n, want.data());
      EXPECT_EQ(got, want) << n;  // and nothing written past n
      std::vector<int8_t> in_place(a.begin(), a.begin() + n);
      lookup_row_int8(t, in_place.data(), n, in_place.data());
      EXPECT_TRUE(std::equal(in_place.begin(), in_place.end(), want.begin())) << n;
    }
  });
}

// Several channels per call: one shared table (loaded once) or one per channel, strided rows, in place.
TEST(KernelInt8Rows, TablesOverChannelsEqualOneRowAtATime) {
  std::mt19937 rng(4);
  constexpr int kChannels = 5, kStride = 150;
  const std::vector<int8_t> in = random_bytes(kChannels * kStride, rng);
  std::vector<Int8Table> tables(kChannels);
  for (int c = 0; c < kChannels; ++c)
    for (int v = 0; v < 256; ++v) tables[c].v[v] = static_cast<int8_t>((v * (37 + 2 * c) + 11 * c) & 0xFF);
  testing::IsaLoop isas;
  isas.run([&] {
    for (std::size_t count : {std::size_t{1}, std::size_t{kChannels}}) {
      const std::span<const Int8Table> used(tables.data(), count);
      for (int n : {0, 1, 64, 65, 130}) {
        std::vector<int8_t> got(kChannels * kStride, 7), want(kChannels * kStride, 7);
        lookup_rows_int8(used, in.data(), kStride, got.data(), kStride, kChannels, n);
        for (int c = 0; c < kChannels; ++c) {
          lookup_row_int8_ref(tables[count == 1 ? 0 : c], in.data() + c * kStride, n, want.data() + c * kStride);
        }
        EXPECT_EQ(got, want) << count << " tables, n " << n;  // and nothing written past n in any row
        std::vector<int8_t> in_place = in;
        lookup_rows_int8(used, in_place.data(), kStride, in_place.data(), kStride, kChannels, n);
        for (int c = 0; c < kChannels; ++c) {
          EXPECT_TRUE(std::equal(in_place.begin() + c * kStride, in_place.begin() + c * kStride + n,
                                 want.begin() + c * kStride))
              << count << " tables, in place, n " << n << " channel " << c;
        }
      }
    }
  });
}

// The f32 output store: the dequantization computed in SIMD where the table is affine (the tables int8_program.h
// makes; after looking up a requantizing shuffle's table, `pre`), looked up otherwise — equal to the scalar table
// loop bit for bit either way.
TEST(KernelInt8Rows, PixelShuffleStoreF32EqualsReference) {
  std::vector<Int8ToFloatTable> tables = {int8_to_float_table(image_quant_params()),
                                          int8_to_float_table(QuantParams{0.0123f, 17}),
                                          int8_to_float_table(QuantParams{0.5f / 255.0f, -128})};
  for (const Int8ToFloatTable& t : tables) EXPECT_TRUE(t.affine);
  Int8ToFloatTable arbitrary;  // not a dequantization: looked up
  for (int b = 0; b < 256; ++b) arbitrary.v[b] = static_cast<float>((b * 7 + 3) & 0xFF) / 300.0f;
  tables.push_back(arbitrary);
  Int8ToFloatTable composed = tables[1];  // a requantization, then a dequantization: pre looked up, then computed
  composed.has_pre = true;
  for (int b = 0; b < 256; ++b) {
    composed.pre.v[b] = static_cast<int8_t>((b * 37 + 11) & 0xFF);
    composed.v[b] = tables[1].v[static_cast<uint8_t>(composed.pre.v[b])];
  }
  tables.push_back(composed);
  testing::IsaLoop isas;
  isas.run([&] {
    std::mt19937 rng(4);
    for (const Int8ToFloatTable& table : tables) {
      for (int s = 1; s <= 5; ++s) {
        for (int width : {1, 7, 15, 16, 17, 31, 63, 64, 65, 100, 300, 577}) {  // 256-pixel chunks of `pre` from 300
          std::vector<std::vector<int8_t>> rows;
          std::vector<const int8_t*> ptrs;
          for (int r = 0; r < 3 * s * s; ++r) rows.push_back(random_bytes(width, rng));
          for (const auto& r : rows) ptrs.push_back(r.data());
          std::vector<std::vector<float>> got(s, std::vector<float>(width * s * 3 + 1, -7.0f)), want = got;
          std::vector<float*> got_ptrs, want_ptrs;
          for (int i = 0; i < s; ++i) {
            got_ptrs.push_back(got[i].data());
            want_ptrs.push_back(want[i].data());
          }
          pixel_shuffle_store_int8_f32_rows(ptrs.data(), width, s, table, got_ptrs.data());
          pixel_shuffle_store_int8_f32_rows_ref(ptrs.data(), width, s, table, want_ptrs.data());
          for (int i = 0; i < s; ++i) {
            ASSERT_EQ(0, std::memcmp(got[i].data(), want[i].data(), got[i].size() * sizeof(float)))
                << "scale " << s << " width " << width << " affine " << table.affine;
          }
          EXPECT_EQ(got[0].back(), -7.0f);  // nothing written past the row
        }
      }
    }
  });
}

// The squeeze-excite row sums: every length around the vector sizes, all −128 and all 127 (the u8 offset's ends),
// random rows, on every ISA.
TEST(KernelInt8Rows, RowSumEqualsTheLoop) {
  std::mt19937 rng(5);
  std::vector<int8_t> row(5000);
  testing::IsaLoop isas;
  isas.run([&] {
    for (int fill : {-128, 127, 0}) {
      for (int n : {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000, 5000}) {
        if (fill == 0) {
          for (int8_t& v : row) v = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
        } else {
          std::fill(row.begin(), row.end(), static_cast<int8_t>(fill));
        }
        EXPECT_EQ(sum_row_int8(row.data(), n), sum_row_int8_ref(row.data(), n)) << "n " << n << " fill " << fill;
      }
    }
  });
}

// The f32 input: quantize_value per sample, bit for bit, on the values where rounding and saturation decide:
// exact halves of a step on both sides of zero, just below and above them, ±0, NaN, ±infinity, huge values.
TEST(KernelInt8Rows, QuantizeInterleavedF32EqualsQuantizeValue) {
  const std::vector<QuantParams> params = {image_quant_params(), QuantParams{0.0123f, 17}, QuantParams{0.7f, -3}};
  testing::IsaLoop isas;
  isas.run([&] {
    std::mt19937 rng(5);
    for (const QuantParams& p : params) {
      std::vector<float> special = {0.0f, -0.0f, NAN, -NAN, INFINITY, -INFINITY, 1e30f, -1e30f, 1.0f, -1.0f};
      for (int k = -300; k <= 300; k += 7) {
        const float half = (static_cast<float>(k) + 0.5f) * p.scale;
        special.insert(special.end(), {half, std::nextafter(half, INFINITY), std::nextafter(half, -INFINITY)});
      }
      std::uniform_real_distribution<float> u(-3.0f, 3.0f);
      for (int channels : {1, 3}) {
        for (int width : {1, 15, 16, 17, 40, 333}) {
          std::vector<float> in(static_cast<std::size_t>(width) * channels);
          for (std::size_t i = 0; i < in.size(); ++i) in[i] = i % 3 == 0 ? special[rng() % special.size()] : u(rng);
          std::vector<std::vector<int8_t>> got(channels, std::vector<int8_t>(width + 1, 99)), want = got;
          std::vector<int8_t*> gp, wp;
          for (int c = 0; c < channels; ++c) {
            gp.push_back(got[c].data());
            wp.push_back(want[c].data());
          }
          quantize_interleaved_f32_to_int8(in.data(), width, channels, p, gp.data());
          quantize_interleaved_f32_to_int8_ref(in.data(), width, channels, p, wp.data());
          ASSERT_EQ(got, want) << "channels " << channels << " width " << width << " scale " << p.scale;
          for (int c = 0; c < channels; ++c) EXPECT_EQ(got[c].back(), 99);  // nothing written past the row
        }
      }
    }
  });
}

}  // namespace
}  // namespace litesr

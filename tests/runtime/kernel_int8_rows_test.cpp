// INT8 row kernels against their scalar references on every ISA this CPU runs.
#include "runtime/kernel_int8_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

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
    Int8ToByteTable skewed;  // not exact: the scalar table path
    for (int b = 0; b < 256; ++b) skewed.v[b] = static_cast<uint8_t>((b * 7 + 3) & 0xFF);
    for (const Int8ToByteTable& table : {exact_output_table(), skewed}) {
      for (int s = 1; s <= 5; ++s) {
        for (int width : {1, 7, 15, 16, 17, 31, 63, 64, 65, 100, 130}) {
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

}  // namespace
}  // namespace litesr

// Fixture generators shared by the io tests: deterministic images, synthetic ICC profiles and EXIF blocks,
// PNG chunk patching. Everything is generated in code; no binary fixtures are checked in.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "base/image.h"
#include "base/status.h"
#include "io/image_file.h"

namespace litesr::testing {

// A w x h image whose samples differ across x, y and channel, covering the type's full range
// (u16 samples have distinct high and low bytes, so byte-order mistakes show).
Image make_test_image(int width, int height, int channels, PixelType type);

// A smooth image (gentle gradients) that lossy codecs reproduce closely.
Image make_smooth_image(int width, int height, int channels);

// True when both images have the same size, layout, type and samples; prints the first difference.
::testing::AssertionResult images_equal(const Image& a, const Image& b);

// Largest absolute sample difference (same size/layout/type required; returns -1 otherwise).
int max_abs_diff(const Image& a, const Image& b);

// A minimal well-formed ICC v2 profile (header, tag table, a 'wtpt' tag) for colour space "RGB " or "GRAY",
// padded with a private tag of `padding` pseudo-random bytes (real profiles are kilobytes of incompressible
// data; large paddings exercise multi-chunk JPEG profiles).
std::string make_icc_profile(bool grey, std::size_t padding = 256);

// EXIF TIFF bytes whose IFD0 holds Make = "Lit" and Orientation = `orientation`.
std::string make_exif(int orientation, bool big_endian = false);

// CRC-32 of a PNG chunk's type and data (ISO 3309 / PNG spec Annex D).
uint32_t png_crc32(std::string_view bytes);

// `png` with its IHDR width and height replaced and the chunk CRC recomputed.
std::string patch_png_ihdr(const std::string& png, uint32_t width, uint32_t height);

// Reads `path` through open_image_row_reader in bands of `band` rows, then finish().
Result<Image> read_by_rows(const std::filesystem::path& path, int band, const ReadOptions& options = {});

// Writes `image` through create_image_row_writer in bands of `band` rows, then finish().
Status write_by_rows(const std::filesystem::path& path, const Image& image, int band, const WriteOptions& options);

inline std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace litesr::testing

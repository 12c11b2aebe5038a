// Reading and writing still images: PNG, JPEG and WebP, with their ICC profile and EXIF metadata.
//
// What is kept (DESIGN §7):
//   samples   PNG grey / grey+alpha / RGB / RGBA / palette (-> RGB or RGBA, tRNS -> alpha), 1-16 bit
//             (sub-byte depths expand to 8 bit; 16 bit stays u16). JPEG grey and YCbCr/RGB (8 bit; CMYK is
//             kUnsupported). WebP lossy, lossless, with or without alpha (animation is kUnsupported).
//   ICC       PNG iCCP, JPEG APP2 "ICC_PROFILE" chunks (reassembled), WebP ICCP: raw profile bytes.
//   EXIF      PNG eXIf, JPEG APP1 "Exif\0\0", WebP EXIF: raw TIFF bytes (starting "II*\0" or "MM\0*").
//   orientation  when ReadOptions::apply_exif_orientation, EXIF orientation 2..8 is applied to the pixels
//             and the orientation tag inside `exif` is rewritten to 1, so writing it back is correct.
// Writing: u8 and u16 images with 1-4 channels. PNG keeps u16; JPEG and WebP round u16 to 8 bits
// (v·255/65535, half up). JPEG has no alpha: GA/RGBA are flattened onto white (straight alpha). WebP has no
// grey: grey is written as RGB. f32 images are kInvalidArgument (convert with base/image_ops.h first).
// JPEG chroma: 4:4:4 at quality >= 90, else 4:2:0; accurate DCT both ways. WebP lossless keeps the colour of
// fully transparent pixels ("exact" mode). PNG: no interlace; WriteOptions::png_level 1 (the default) is
// LiteSR's fast encoder (io/png_fast_encoder.h: Average filter, ISA-L deflate in stripes), 0 and 2..9 are
// libpng with zlib at that level and adaptive filters (6 = libpng's default; docs/upscale.md compares them). An ICC profile
// that libpng rejects (malformed, or grey/RGB mismatch) is dropped from PNG output, as libpng drops it on read.
//
// Hostile input: the format is detected from the bytes; dimensions are checked against ReadOptions::max_pixels
// and kMaxImageSide before any pixel memory is allocated (kResourceExhausted); truncated or corrupt data is
// kCorruptData; codec libraries never print, exit or longjmp past LiteSR code. Every error names the file:
// "photo.png: truncated PNG data".
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/image.h"
#include "base/status.h"
#include "io/image_format.h"

namespace litesr {

struct ReadOptions {
  bool apply_exif_orientation = true;
  std::size_t max_pixels = std::size_t{1} << 28;  // width·height limit (268 MP); larger is kResourceExhausted
};

struct DecodedImage {
  Image image;              // u8 or u16 (16-bit PNG only); 1-4 channels as in the file (palette -> RGB/RGBA)
  ImageFormat format = ImageFormat::kPng;
  int bit_depth = 8;        // 8 or 16
  std::string icc_profile;  // raw ICC bytes, "" if none
  std::string exif;         // raw EXIF (TIFF) bytes, "" if none; orientation reset to 1 when it was applied
};

// Reads and decodes a file. Errors: kNotFound, kIoError, kCorruptData ("empty file", "truncated PNG data"...),
// kUnsupported (other formats, CMYK JPEG, animated WebP), kResourceExhausted (too many pixels).
Result<DecodedImage> read_image(const std::filesystem::path& path, const ReadOptions& options = {});

// Decodes bytes already in memory; `name` (usually the file name) prefixes every error message.
Result<DecodedImage> decode_image(std::span<const uint8_t> bytes, std::string_view name,
                                  const ReadOptions& options = {});

inline constexpr int kPngLevelFast = 1;

// kInvalidArgument unless `level` is a WriteOptions::png_level (0..9).
Status check_png_level(int level);

struct WriteOptions {
  std::optional<ImageFormat> format;  // default: from the path's extension
  int quality = 95;                   // JPEG / lossy WebP, 1..100
  bool lossless = false;              // WebP lossless
  std::string icc_profile;            // embedded when non-empty
  std::string exif;                   // embedded when non-empty (JPEG APP1, PNG eXIf, WebP EXIF); raw TIFF bytes
  bool overwrite = true;              // false: kAlreadyExists if the path exists
  int png_level = kPngLevelFast;      // 0..9: 1 = fast encoder; 0, 2..9 = libpng/zlib level (larger = smaller files)
  int threads = 1;                    // threads for one image's encoding (fast PNG stripes); 1 = the caller only
  bool sync_directory = true;         // false: the caller fsyncs the folder itself (io/atomic_file.h)
};

// Encodes and writes atomically (io/atomic_file.h). u8 and u16 images; u16 is kept for PNG and rounded to
// 8 bits for JPEG/WebP; f32 is rejected.
Status write_image(const std::filesystem::path& path, const Image& image, const WriteOptions& options = {});

// Encodes to memory; options.format must be set (kInvalidArgument otherwise).
Result<std::string> encode_image(const Image& image, const WriteOptions& options);

}  // namespace litesr

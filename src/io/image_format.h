// ImageFormat: the still-image container formats LiteSR reads and writes, and how to recognise them.
//
// Detection is by content (magic bytes), never by extension:
//   PNG   89 50 4E 47 0D 0A 1A 0A                      (8-byte signature, PNG spec §5.2)
//   JPEG  FF D8 FF                                     (SOI followed by the first marker)
//   WebP  "RIFF" <u32 little-endian size> "WEBP"       (RIFF container, 12 bytes)
// Well-known formats LiteSR does not decode (GIF, BMP, TIFF, QOI, AVIF/HEIF, JPEG XL, PNM, text) are named in
// the kUnsupported error so the user knows what the file really is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "base/status.h"

namespace litesr {

enum class ImageFormat { kPng, kJpeg, kWebp };

// "png", "jpg", "webp" (the canonical extension without the dot).
std::string_view image_format_name(ImageFormat format);

// .png .jpg .jpeg .webp, case-insensitive; anything else is kInvalidArgument naming the extension.
Result<ImageFormat> image_format_from_extension(const std::filesystem::path& path);

// True for .png .jpg .jpeg .webp (case-insensitive).
bool has_image_extension(const std::filesystem::path& path);

// The format whose magic `bytes` start with. Errors (messages do not name the file; callers add it):
// empty input -> kCorruptData "empty file"; a proper prefix of a known signature -> kCorruptData "truncated
// <FORMAT> data"; a recognised foreign format -> kUnsupported "GIF images are not supported ..."; anything
// else -> kUnsupported "not a PNG, JPEG or WebP image".
Result<ImageFormat> detect_image_format(std::span<const uint8_t> bytes);

}  // namespace litesr

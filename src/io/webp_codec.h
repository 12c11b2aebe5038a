// WebP decoding and encoding with libwebp, libwebpmux and libwebpdemux (used by io/image_file.h; see the
// contract there). Metadata lives in the extended (VP8X) container's "ICCP" and "EXIF" chunks; EXIF chunks
// written with a leading "Exif\0\0" identifier by some tools are accepted. Animated WebP is kUnsupported.
// libwebp never prints. Error messages here do not name the file; image_file.cpp adds it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "io/image_file.h"

namespace litesr {

// RGB, or RGBA when the bitstream carries alpha; always 8 bit.
Result<DecodedImage> decode_webp(std::span<const uint8_t> bytes, const ReadOptions& options);

// u8/u16 (rounded), grey expanded to RGB; lossless when options.lossless, else lossy at options.quality.
// At most 16383 pixels per side (the format's limit).
Result<std::string> encode_webp(const Image& image, const WriteOptions& options);

}  // namespace litesr

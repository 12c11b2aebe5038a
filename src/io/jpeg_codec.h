// JPEG decoding and encoding with libjpeg-turbo's TurboJPEG API (used by io/image_file.h; see the contract
// there). Metadata segments are handled by io/jpeg_markers.h.
//
// Decoding is strict: a libjpeg warning (premature end of data, bad Huffman code, ...) is kCorruptData, except
// "extraneous bytes before marker", which many cameras produce and which loses no data. TurboJPEG keeps its
// messages per handle and never prints. Error messages here do not name the file; image_file.cpp adds it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "io/image_file.h"

namespace litesr {

// Pixels as stored (no EXIF orientation applied): grey -> 1 channel, colour -> RGB; always 8 bit.
Result<DecodedImage> decode_jpeg(std::span<const uint8_t> bytes, const ReadOptions& options);

// u8/u16, 1-4 channels (alpha flattened onto white; u16 rounded to 8 bits).
Result<std::string> encode_jpeg(const Image& image, const WriteOptions& options);

// The status of a failed decode from libjpeg's message: kCorruptData ("truncated JPEG data" when `truncated`
// or the message says the data ended early), kUnsupported for the variants libjpeg-turbo cannot decode.
Status jpeg_decode_failure(std::string_view message, bool truncated);

}  // namespace litesr

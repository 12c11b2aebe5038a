// JPEG metadata markers: reading and inserting EXIF (APP1) and ICC (APP2) segments.
//
// Segment layout (ITU T.81 B.1.1.4): FF <marker> <u16 big-endian length including the two length bytes>
// <payload>. LiteSR reads the segments between SOI (FFD8) and the first SOS (FFDA):
//   APP1 (FFE1) payload "Exif\0\0" + TIFF bytes                          -> EXIF (the first such segment)
//   APP2 (FFE2) payload "ICC_PROFILE\0" + seq (1-based u8) + count (u8) + chunk -> ICC (ICC.1 Annex B.4):
//        chunks are joined in seq order when every seq 1..count appears exactly once with the same count;
//        otherwise the profile is dropped as malformed.
// Writing inserts the segments right after SOI and the JFIF APP0 that TurboJPEG emits: APP1 Exif (at most
// 65,527 TIFF bytes), then APP2 ICC chunks of at most 65,519 bytes (at most 255 chunks, ~16 MB).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace litesr {

struct JpegMetadata {
  std::string exif;          // TIFF bytes, without the "Exif\0\0" identifier
  std::string icc_profile;   // reassembled profile
  bool truncated = false;    // the data ends before the first scan (SOS), possibly inside a segment
};

JpegMetadata read_jpeg_metadata(std::span<const uint8_t> jpeg);

// `jpeg` with EXIF and ICC segments inserted (either may be empty). kInvalidArgument when `jpeg` does not
// start with SOI or the metadata does not fit in JPEG segments.
Result<std::string> insert_jpeg_metadata(std::string_view jpeg, std::string_view exif, std::string_view icc);

}  // namespace litesr

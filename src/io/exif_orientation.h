// EXIF orientation: finding and rewriting the Orientation tag in raw EXIF bytes, and applying it to pixels.
//
// EXIF bytes are a TIFF structure (EXIF 2.32 §4.5.2): byte order "II" (little-endian) or "MM" (big-endian),
// the number 42 (u16), the offset of IFD0 (u32). An IFD is a u16 entry count then 12-byte entries
// {tag u16, type u16, count u32, value-or-offset 4 bytes}. Orientation is tag 0x0112 in IFD0, type SHORT (3),
// count 1, its value in the first two bytes of the value field. Every offset is bounds-checked: the bytes
// come from untrusted files.
//
// Orientation values (how the stored pixels must be transformed for display; W x H is the stored size):
//   1 identity            2 mirror left-right     3 rotate 180          4 mirror top-bottom
//   5 transpose (H x W)   6 rotate 90° clockwise  7 transverse (H x W)  8 rotate 90° counter-clockwise
// (5-8 swap width and height). The display pixel (x, y) comes from the stored pixel:
//   2 (W-1-x, y)   3 (W-1-x, H-1-y)   4 (x, H-1-y)   5 (y, x)   6 (y, H-1-x)   7 (W-1-y, H-1-x)   8 (W-1-y, x)
#pragma once

#include <string>
#include <string_view>

#include "base/image.h"
#include "base/status.h"

namespace litesr {

// `exif` without a leading "Exif\0\0" identifier (JPEG APP1 and some WebP writers include it).
std::string_view strip_exif_identifier(std::string_view exif);

// The Orientation value 1..8, or 1 when the tag is absent, malformed or out of range.
int exif_orientation(std::string_view tiff);

// Rewrites the Orientation value in place (the tag must already exist); false when there is none.
bool set_exif_orientation(std::string& tiff, int orientation);

// The display image for `orientation` (1..8; others are kInvalidArgument). Any channel count and pixel type.
Result<Image> apply_orientation(const Image& image, int orientation);

}  // namespace litesr

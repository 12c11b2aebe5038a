// PNG decoding and encoding with libpng (used by io/image_file.h; see the contract there).
//
// libpng reports errors by longjmp. LiteSR confines every libpng call that can fail to small "guarded"
// functions whose frames hold no C++ objects with destructors: each calls setjmp, runs libpng, and returns
// false when an error longjmps back; the error text is captured by LiteSR's handler (never printed), and the
// png/info structs are destroyed by an RAII owner in the caller. Warnings are discarded silently.
// Error messages here do not name the file; image_file.cpp adds it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "io/image_file.h"

namespace litesr {

// Pixels as stored (no EXIF orientation applied); icc_profile and exif filled from iCCP and eXIf.
Result<DecodedImage> decode_png(std::span<const uint8_t> bytes, const ReadOptions& options);

// u8 -> 8-bit PNG, u16 -> 16-bit PNG; 1-4 channels -> grey, grey+alpha, RGB, RGBA.
Result<std::string> encode_png(const Image& image, const WriteOptions& options);

}  // namespace litesr

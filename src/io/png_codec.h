// PNG decoding and encoding with libpng (used by io/image_file.h; see the contract there).
//
// libpng reports errors by longjmp. LiteSR confines every libpng call that can fail to small "guarded"
// functions whose frames hold no C++ objects with destructors: each calls setjmp, runs libpng, and returns
// false when an error longjmps back; the error text is captured by LiteSR's handler (never printed), and the
// png/info structs are destroyed by an RAII owner in the caller. Warnings are discarded silently.
// Error messages here do not name the file; image_file.cpp adds it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "io/atomic_file.h"
#include "io/image_file.h"
#include "io/image_rows.h"

namespace litesr {

// Pixels as stored (no EXIF orientation applied); icc_profile and exif filled from iCCP and eXIf.
Result<DecodedImage> decode_png(std::span<const uint8_t> bytes, const ReadOptions& options);

// u8 -> 8-bit PNG, u16 -> 16-bit PNG; 1-4 channels -> grey, grey+alpha, RGB, RGBA.
Result<std::string> encode_png(const Image& image, const WriteOptions& options);

// Streaming (io/image_rows.h): a non-interlaced PNG held in `bytes` (kUnsupported when interlaced), and a
// writer that encodes exactly as encode_png into `file`.
Result<std::unique_ptr<ImageRowReader>> open_png_row_reader(std::string bytes, const ReadOptions& options);
Result<std::unique_ptr<ImageRowWriter>> create_png_row_writer(AtomicFileWriter file, int width, int height,
                                                              int channels, PixelType type,
                                                              const WriteOptions& options);

}  // namespace litesr

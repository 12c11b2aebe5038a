// LiteSR's fast PNG encoder (WriteOptions::png_level == kPngLevelFast, the default): PNG files written
// without libpng, about 30x faster than libpng's default at 5-10 % larger files (docs/upscale.md has the table).
//
// File layout (PNG 3rd edition): signature, IHDR, iCCP (when a profile is given), eXIf (when EXIF is given),
// one IDAT chunk per stripe, IEND. No interlace. Samples as in the Image (u16 big-endian on disk).
//
// Compression: every row gets the Average filter (type 3: x - floor((left + up) / 2)); chosen by
// measurement over None/Sub/Up/Avg/Paeth/adaptive on SR outputs, where Avg gives the smallest files of the
// fixed filters and vectorises). The filtered rows are cut into stripes of whole rows of about
// kPngStripeBytes, and each stripe is compressed independently by ISA-L's igzip (level 2) as a raw deflate
// stream ending in a full flush (byte-aligned, non-final, no back-references into the next stripe); the
// last stripe ends the stream. Stripe i's IDAT holds [zlib header if i == 0] + its deflate bytes +
// [Adler-32 of all filtered bytes if last]. The stripe cut depends only on the image's width, channels and
// type, so the bytes are the same whether stripes are compressed one by one (streamed rows) or in parallel
// (whole image, any thread count): the whole-image and streamed writers produce identical files.
// Builds without ISA-L (LITESR_WITH_ISAL=OFF, e.g. the arm64 cross build: docs/arm.md) deflate the same stripes
// with zlib level 1: other deflate bytes, the same pixels.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/image.h"
#include "base/status.h"

namespace litesr {

inline constexpr std::size_t kPngStripeBytes = std::size_t{1} << 20;  // filtered bytes per stripe (about)

// What a PNG can hold, for both PNG encoders: width, height >= 1; 1-4 channels; u8 or u16 samples.
Status check_png_layout(int width, int height, int channels, PixelType type);

// Rows per stripe for rows of `row_bytes` samples bytes (filter byte excluded): >= 1.
int png_stripe_rows(std::size_t row_bytes);

// Encodes rows in order; compressed bytes accumulate in output(), which the caller may drain at any time.
// `icc` must be a profile libpng accepts for this colour type (png_codec.cpp checks); `exif` bare TIFF bytes.
class PngFastEncoder {
 public:
  static Result<std::unique_ptr<PngFastEncoder>> start(int width, int height, int channels, PixelType type,
                                                       std::string_view icc, std::string_view exif);
  ~PngFastEncoder();

  // Rows [first, first + count) of `src` (the encoder's width, channels and type) as the next rows.
  Status add_rows(const Image& src, int first, int count);
  // After the last row: writes the last IDAT and IEND (kInternal before the last row).
  Status finish();
  std::string& output() { return output_; }

 private:
  PngFastEncoder() = default;
  struct State;
  std::unique_ptr<State> state_;
  std::string output_;
};

// The whole image at once; `threads` > 1 compresses stripes in parallel (same bytes for any count).
Result<std::string> encode_png_fast(const Image& image, std::string_view icc, std::string_view exif, int threads);

}  // namespace litesr

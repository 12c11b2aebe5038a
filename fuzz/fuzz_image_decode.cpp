// libFuzzer target for the image decoders: PNG (libpng), JPEG (TurboJPEG + LiteSR's marker parser), WebP
// (libwebp + demux) and the EXIF orientation parser, all reached through decode_image (docs/fuzzing.md).
// Any input must yield either a well-formed image within the pixel limit or a clean error naming the input;
// a crash, sanitizer report, leak or kInternal status is a bug. Decoded images must survive a lossless
// PNG round trip unchanged, and the streaming row reader (io/image_rows.h) must either fail cleanly or yield
// the same samples as the whole-image decode.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>

#include "io/image_file.h"
#include "io/image_rows.h"

namespace {

constexpr std::size_t kFuzzMaxPixels = std::size_t{1} << 22;  // 4 MP keeps iterations fast

// Streams `bytes` in bands of 5 rows; aborts on a malformed error. Returns the image, or an empty one on error.
litesr::Image stream_rows(const uint8_t* data, size_t size, const litesr::ReadOptions& options) {
  auto reader = litesr::open_image_row_reader(std::string(reinterpret_cast<const char*>(data), size), "fuzz", options);
  auto check = [](const litesr::Status& s) {
    if (s.code() == litesr::StatusCode::kInternal) std::abort();
    return s.ok();
  };
  if (!check(reader.status())) return {};
  const litesr::ImageRowsInfo& info = (*reader)->info();
  auto image = litesr::Image::create(info.width, info.height, info.channels, info.type);
  if (!image.ok()) std::abort();
  for (int y = 0; y < info.height; y += 5) {
    if (!check((*reader)->read_rows(*image, y, std::min(5, info.height - y)))) return {};
  }
  if (!check((*reader)->finish())) return {};
  return std::move(image).value();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  litesr::ReadOptions options;
  options.max_pixels = kFuzzMaxPixels;
  const litesr::Image streamed = stream_rows(data, size, options);
  auto result = litesr::decode_image(std::span<const uint8_t>(data, size), "fuzz", options);
  if (!result.ok()) {
    const litesr::Status& s = result.status();
    if (s.code() == litesr::StatusCode::kInternal || s.message().rfind("fuzz: ", 0) != 0) std::abort();
    return 0;
  }
  const litesr::Image& image = result->image;
  if (image.width() <= 0 || image.height() <= 0 || image.channels() < 1 || image.channels() > 4 ||
      static_cast<std::size_t>(image.width()) * image.height() > kFuzzMaxPixels) {
    std::abort();
  }
  if (!streamed.empty()) {  // both decoded: the same samples
    if (streamed.width() != image.width() || streamed.height() != image.height() ||
        streamed.channels() != image.channels() || streamed.type() != image.type()) {
      std::abort();
    }
    for (int y = 0; y < image.height(); ++y) {
      if (std::memcmp(streamed.row_bytes_ptr(y), image.row_bytes_ptr(y), image.row_bytes()) != 0) std::abort();
    }
  }
  if (image.width() * image.height() <= 64 * 64) {
    litesr::WriteOptions png;
    png.format = litesr::ImageFormat::kPng;
    auto bytes = litesr::encode_image(image, png);
    if (!bytes.ok()) std::abort();
    litesr::ReadOptions plain;
    plain.apply_exif_orientation = false;
    auto again = litesr::decode_image(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()), "fuzz-png", plain);
    if (!again.ok() || again->image.width() != image.width() || again->image.height() != image.height()) std::abort();
    for (int y = 0; y < image.height(); ++y) {
      if (std::memcmp(again->image.row_bytes_ptr(y), image.row_bytes_ptr(y), image.row_bytes()) != 0) std::abort();
    }
  }
  return 0;
}

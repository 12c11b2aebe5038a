#include "io/jpeg_codec.h"

#include <turbojpeg.h>

#include <memory>
#include <string>
#include <string_view>

#include "io/encode_pixels.h"
#include "io/jpeg_markers.h"
#include "io/jpeg_rows.h"

namespace litesr {

namespace {

// Owns a TurboJPEG handle.
class TjHandle {
 public:
  explicit TjHandle(tjhandle h) : h_(h) {}
  ~TjHandle() {
    if (h_ != nullptr) tjDestroy(h_);
  }
  TjHandle(const TjHandle&) = delete;
  TjHandle& operator=(const TjHandle&) = delete;
  tjhandle get() const { return h_; }

 private:
  tjhandle h_;
};

// Owns a buffer allocated by TurboJPEG.
class TjBuffer {
 public:
  TjBuffer() = default;
  ~TjBuffer() {
    if (p_ != nullptr) tjFree(p_);
  }
  TjBuffer(const TjBuffer&) = delete;
  TjBuffer& operator=(const TjBuffer&) = delete;
  unsigned char** out() { return &p_; }
  const unsigned char* get() const { return p_; }

 private:
  unsigned char* p_ = nullptr;
};

std::string tj_message(tjhandle h) {
  const char* m = tjGetErrorStr2(h);
  return m != nullptr ? m : "unknown libjpeg error";
}

}  // namespace

static bool is_truncation(std::string_view message) {
  return message.find("Premature end") != std::string_view::npos ||
         message.find("premature end") != std::string_view::npos;
}

Status jpeg_decode_failure(std::string_view message, bool truncated) {
  if (truncated || is_truncation(message)) return corrupt_data("truncated JPEG data");
  // libjpeg-turbo 2.x cannot decode 12-bit, lossless (SOF3) or hierarchical JPEG: well-formed, not corrupt.
  if (message.find("Unsupported") != std::string_view::npos) {
    return unsupported("JPEG variant not supported (libjpeg: " + std::string(message) + ")");
  }
  return corrupt_data("corrupt JPEG data (libjpeg: " + std::string(message) + ")");
}

namespace {

// libjpeg's "Corrupt JPEG data: N extraneous bytes before marker 0x..": bytes skipped between segments, which
// cameras write and which lose no data. TurboJPEG reports it (as any warning) as a failure of the header or
// decode call, and can only tolerate it together with every other warning (missing or corrupt data).
bool is_extraneous_bytes_warning(std::string_view message) {
  return message.find("extraneous bytes before marker") != std::string_view::npos;
}

DecodedImage jpeg_decoded(Image image, const JpegMetadata& meta) {
  DecodedImage out;
  out.image = std::move(image);
  out.format = ImageFormat::kJpeg;
  out.bit_depth = 8;
  out.icc_profile = meta.icc_profile;
  out.exif = meta.exif;
  return out;
}

// A file with extraneous bytes: decoded by libjpeg's scanline API (jpeg_rows.h), which tolerates that one
// warning only, as a streamed read does, so the whole and the streamed read accept the same files.
Result<DecodedImage> decode_jpeg_by_rows(std::span<const uint8_t> bytes, const ReadOptions& options,
                                         const JpegMetadata& meta) {
  LITESR_ASSIGN_OR_RETURN(std::unique_ptr<ImageRowReader> rows,
                          open_jpeg_row_reader(std::string(bytes.begin(), bytes.end()), options));
  const ImageRowsInfo& info = rows->info();
  LITESR_ASSIGN_OR_RETURN(Image image, Image::create(info.width, info.height, info.channels, info.type));
  LITESR_RETURN_IF_ERROR(rows->read_rows(image, 0, info.height));
  LITESR_RETURN_IF_ERROR(rows->finish());
  return jpeg_decoded(std::move(image), meta);
}

}  // namespace

Result<DecodedImage> decode_jpeg(std::span<const uint8_t> bytes, const ReadOptions& options) {
  const JpegMetadata meta = read_jpeg_metadata(bytes);
  TjHandle tj(tjInitDecompress());
  if (tj.get() == nullptr) return resource_exhausted("cannot initialise the JPEG decoder");
  int width = 0;
  int height = 0;
  int subsampling = 0;
  int colorspace = 0;
  if (tjDecompressHeader3(tj.get(), bytes.data(), static_cast<unsigned long>(bytes.size()), &width, &height,
                          &subsampling, &colorspace) != 0) {
    const std::string message = tj_message(tj.get());
    if (is_extraneous_bytes_warning(message)) return decode_jpeg_by_rows(bytes, options, meta);
    return jpeg_decode_failure(message, meta.truncated);
  }
  // libjpeg reports a header without a frame (SOF) as 0x0 when the data ends early.
  if (width <= 0 || height <= 0) return jpeg_decode_failure("no image frame before the end of the data", meta.truncated);
  if (width > kMaxImageSide || height > kMaxImageSide ||
      static_cast<std::size_t>(width) * static_cast<std::size_t>(height) > options.max_pixels) {
    return resource_exhausted("JPEG of " + std::to_string(width) + "x" + std::to_string(height) +
                              " pixels exceeds the limit (" + std::to_string(options.max_pixels) + " pixels, " +
                              std::to_string(kMaxImageSide) + " per side)");
  }
  int pixel_format = TJPF_RGB;
  int channels = 3;
  if (colorspace == TJCS_GRAY) {
    pixel_format = TJPF_GRAY;
    channels = 1;
  } else if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
    return unsupported("CMYK JPEG images are not supported (convert to RGB first)");
  }
  LITESR_ASSIGN_OR_RETURN(Image image, Image::create(width, height, channels, PixelType::kU8));
  const int pitch = static_cast<int>(image.stride());  // bytes, since samples are u8
  const int strict = TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS | TJFLAG_STOPONWARNING;
  if (tjDecompress2(tj.get(), bytes.data(), static_cast<unsigned long>(bytes.size()), image.row_bytes_ptr(0),
                    width, pitch, height, pixel_format, strict) != 0) {
    const std::string message = tj_message(tj.get());
    if (is_extraneous_bytes_warning(message)) return decode_jpeg_by_rows(bytes, options, meta);
    return jpeg_decode_failure(message, meta.truncated);
  }
  return jpeg_decoded(std::move(image), meta);
}

Result<std::string> encode_jpeg(const Image& image, const WriteOptions& options) {
  if (image.empty()) return invalid_argument("cannot write an empty image");
  if (options.quality < 1 || options.quality > 100) {
    return invalid_argument("JPEG quality must be 1..100, got " + std::to_string(options.quality));
  }
  Image storage;
  LITESR_ASSIGN_OR_RETURN(const Image* pixels, u8_encoder_pixels(image, /*flatten_alpha=*/true, storage));
  const Image& flat = *pixels;
  const bool grey = flat.channels() == 1;
  TjHandle tj(tjInitCompress());
  if (tj.get() == nullptr) return resource_exhausted("cannot initialise the JPEG encoder");
  TjBuffer buffer;
  unsigned long size = 0;
  const int subsampling = grey ? TJSAMP_GRAY : (options.quality >= 90 ? TJSAMP_444 : TJSAMP_420);
  if (tjCompress2(tj.get(), flat.row_bytes_ptr(0), flat.width(), static_cast<int>(flat.stride()), flat.height(),
                  grey ? TJPF_GRAY : TJPF_RGB, buffer.out(), &size, subsampling, options.quality,
                  TJFLAG_ACCURATEDCT) != 0) {
    return internal_error("JPEG encoding failed: " + tj_message(tj.get()));
  }
  const std::string_view encoded(reinterpret_cast<const char*>(buffer.get()), size);
  if (options.exif.empty() && options.icc_profile.empty()) return std::string(encoded);
  return insert_jpeg_metadata(encoded, options.exif, options.icc_profile);
}

}  // namespace litesr

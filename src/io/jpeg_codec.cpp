#include "io/jpeg_codec.h"

#include <turbojpeg.h>

#include <string_view>

#include "io/encode_pixels.h"
#include "io/jpeg_markers.h"

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
    return jpeg_decode_failure(tj_message(tj.get()), meta.truncated);
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
    const bool benign = tjGetErrorCode(tj.get()) == TJERR_WARNING &&
                        message.find("extraneous bytes before marker") != std::string::npos;
    if (!benign) return jpeg_decode_failure(message, meta.truncated);
    // Decode again tolerating warnings; any further failure is still an error.
    if (tjDecompress2(tj.get(), bytes.data(), static_cast<unsigned long>(bytes.size()), image.row_bytes_ptr(0),
                      width, pitch, height, pixel_format, TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS) != 0 &&
        tjGetErrorCode(tj.get()) != TJERR_WARNING) {
      return jpeg_decode_failure(tj_message(tj.get()), meta.truncated);
    }
  }
  DecodedImage out;
  out.image = std::move(image);
  out.format = ImageFormat::kJpeg;
  out.bit_depth = 8;
  out.icc_profile = meta.icc_profile;
  out.exif = meta.exif;
  return out;
}

Result<std::string> encode_jpeg(const Image& image, const WriteOptions& options) {
  if (image.empty()) return invalid_argument("cannot write an empty image");
  if (options.quality < 1 || options.quality > 100) {
    return invalid_argument("JPEG quality must be 1..100, got " + std::to_string(options.quality));
  }
  LITESR_ASSIGN_OR_RETURN(Image u8, to_u8(image));
  LITESR_ASSIGN_OR_RETURN(Image flat, flatten_alpha_on_white(u8));
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

#include "io/webp_codec.h"

#include <webp/decode.h>
#include <webp/demux.h>
#include <webp/encode.h>
#include <webp/mux.h>

#include <string_view>

#include "base/image_ops.h"
#include "io/encode_pixels.h"
#include "io/exif_orientation.h"

namespace litesr {

namespace {

Status webp_failure(VP8StatusCode code) {
  switch (code) {
    case VP8_STATUS_NOT_ENOUGH_DATA: return corrupt_data("truncated WebP data");
    case VP8_STATUS_UNSUPPORTED_FEATURE: return unsupported("WebP feature not supported by libwebp");
    case VP8_STATUS_OUT_OF_MEMORY: return resource_exhausted("out of memory while decoding WebP");
    case VP8_STATUS_INVALID_PARAM: return internal_error("invalid WebP decoder parameters");
    default: return corrupt_data("corrupt WebP data (bitstream error " + std::to_string(static_cast<int>(code)) + ")");
  }
}

class Demuxer {
 public:
  explicit Demuxer(const WebPData& data) : d_(WebPDemux(&data)) {}
  ~Demuxer() { WebPDemuxDelete(d_); }
  Demuxer(const Demuxer&) = delete;
  Demuxer& operator=(const Demuxer&) = delete;

  std::string chunk(const char fourcc[4]) const {
    if (d_ == nullptr) return {};
    WebPChunkIterator it;
    std::string out;
    if (WebPDemuxGetChunk(d_, fourcc, 1, &it) != 0) {
      out.assign(reinterpret_cast<const char*>(it.chunk.bytes), it.chunk.size);
      WebPDemuxReleaseChunkIterator(&it);
    }
    return out;
  }

 private:
  WebPDemuxer* d_;
};

std::string_view encoding_error_text(WebPEncodingError e) {
  switch (e) {
    case VP8_ENC_ERROR_OUT_OF_MEMORY:
    case VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY: return "out of memory";
    case VP8_ENC_ERROR_BAD_DIMENSION: return "bad dimensions";
    case VP8_ENC_ERROR_PARTITION0_OVERFLOW:
    case VP8_ENC_ERROR_PARTITION_OVERFLOW: return "partition overflow";
    case VP8_ENC_ERROR_FILE_TOO_BIG: return "file too big";
    default: return "encoder error";
  }
}

// Owns the encoder's picture and its output buffer.
struct WebPEncodeState {
  WebPPicture picture;
  WebPMemoryWriter writer;
  WebPEncodeState() {
    WebPPictureInit(&picture);
    WebPMemoryWriterInit(&writer);
  }
  ~WebPEncodeState() {
    WebPPictureFree(&picture);
    WebPMemoryWriterClear(&writer);
  }
  WebPEncodeState(const WebPEncodeState&) = delete;
  WebPEncodeState& operator=(const WebPEncodeState&) = delete;
};

class Muxer {
 public:
  explicit Muxer(const WebPData& bitstream) : m_(WebPMuxCreate(&bitstream, /*copy_data=*/1)) { WebPDataInit(&out_); }
  ~Muxer() {
    WebPMuxDelete(m_);
    WebPDataClear(&out_);
  }
  Muxer(const Muxer&) = delete;
  Muxer& operator=(const Muxer&) = delete;
  WebPMux* get() const { return m_; }
  WebPData* out() { return &out_; }

 private:
  WebPMux* m_;
  WebPData out_;
};

}  // namespace

Result<DecodedImage> decode_webp(std::span<const uint8_t> bytes, const ReadOptions& options) {
  WebPDecoderConfig config;
  if (WebPInitDecoderConfig(&config) == 0) return internal_error("libwebp version mismatch");
  const VP8StatusCode header = WebPGetFeatures(bytes.data(), bytes.size(), &config.input);
  if (header != VP8_STATUS_OK) return webp_failure(header);
  if (config.input.has_animation != 0) return unsupported("animated WebP images are not supported");
  const int width = config.input.width;
  const int height = config.input.height;
  if (width <= 0 || height <= 0) return corrupt_data("WebP with empty dimensions");
  if (width > kMaxImageSide || height > kMaxImageSide ||
      static_cast<std::size_t>(width) * static_cast<std::size_t>(height) > options.max_pixels) {
    return resource_exhausted("WebP of " + std::to_string(width) + "x" + std::to_string(height) +
                              " pixels exceeds the limit (" + std::to_string(options.max_pixels) + " pixels)");
  }
  const bool alpha = config.input.has_alpha != 0;
  LITESR_ASSIGN_OR_RETURN(Image image, Image::create(width, height, alpha ? 4 : 3, PixelType::kU8));
  config.output.colorspace = alpha ? MODE_RGBA : MODE_RGB;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = image.row_bytes_ptr(0);
  config.output.u.RGBA.stride = static_cast<int>(image.stride());
  config.output.u.RGBA.size = image.size_bytes();
  const VP8StatusCode status = WebPDecode(bytes.data(), bytes.size(), &config);
  WebPFreeDecBuffer(&config.output);  // external memory: releases nothing of ours
  if (status != VP8_STATUS_OK) return webp_failure(status);

  DecodedImage out;
  out.image = std::move(image);
  out.format = ImageFormat::kWebp;
  out.bit_depth = 8;
  const WebPData data{bytes.data(), bytes.size()};
  const Demuxer demux(data);
  out.icc_profile = demux.chunk("ICCP");
  out.exif = std::string(strip_exif_identifier(demux.chunk("EXIF")));
  return out;
}

Result<std::string> encode_webp(const Image& image, const WriteOptions& options) {
  if (image.empty()) return invalid_argument("cannot write an empty image");
  if (image.width() > WEBP_MAX_DIMENSION || image.height() > WEBP_MAX_DIMENSION) {
    return invalid_argument("WebP images are at most " + std::to_string(WEBP_MAX_DIMENSION) +
                            " pixels per side, got " + std::to_string(image.width()) + "x" +
                            std::to_string(image.height()));
  }
  if (!options.lossless && (options.quality < 1 || options.quality > 100)) {
    return invalid_argument("WebP quality must be 1..100, got " + std::to_string(options.quality));
  }
  Image storage;
  LITESR_ASSIGN_OR_RETURN(const Image* u8, u8_encoder_pixels(image, /*flatten_alpha=*/false, storage));
  Image grey_as_rgb;
  if (u8->channels() <= 2) {
    LITESR_ASSIGN_OR_RETURN(grey_as_rgb, grey_to_rgb(*u8));
  }
  const Image& rgb = u8->channels() <= 2 ? grey_as_rgb : *u8;
  const bool alpha = rgb.channels() == 4;

  WebPConfig config;
  if (WebPConfigInit(&config) == 0) return internal_error("libwebp version mismatch");
  config.method = 4;  // speed/size trade-off: libwebp's default
  if (options.lossless) {
    config.lossless = 1;
    config.quality = 75;  // effort for lossless (not fidelity)
    config.exact = 1;     // keep RGB under transparent pixels
  } else {
    config.quality = static_cast<float>(options.quality);
    config.alpha_quality = 100;
  }
  if (WebPValidateConfig(&config) == 0) return internal_error("invalid WebP encoder configuration");

  WebPEncodeState state;
  state.picture.use_argb = options.lossless ? 1 : 0;
  state.picture.width = rgb.width();
  state.picture.height = rgb.height();
  state.picture.writer = WebPMemoryWrite;
  state.picture.custom_ptr = &state.writer;
  const int stride = static_cast<int>(rgb.stride());
  const int imported = alpha ? WebPPictureImportRGBA(&state.picture, rgb.row_bytes_ptr(0), stride)
                             : WebPPictureImportRGB(&state.picture, rgb.row_bytes_ptr(0), stride);
  if (imported == 0) return resource_exhausted("out of memory while preparing the WebP picture");
  if (WebPEncode(&config, &state.picture) == 0) {
    return internal_error("WebP encoding failed: " + std::string(encoding_error_text(state.picture.error_code)));
  }
  const std::string_view exif = strip_exif_identifier(options.exif);
  if (exif.empty() && options.icc_profile.empty()) {
    return std::string(reinterpret_cast<const char*>(state.writer.mem), state.writer.size);
  }
  const WebPData bitstream{state.writer.mem, state.writer.size};
  Muxer mux(bitstream);
  if (mux.get() == nullptr) return internal_error("cannot parse the encoded WebP for metadata");
  if (!options.icc_profile.empty()) {
    const WebPData icc{reinterpret_cast<const uint8_t*>(options.icc_profile.data()), options.icc_profile.size()};
    if (WebPMuxSetChunk(mux.get(), "ICCP", &icc, 1) != WEBP_MUX_OK) return internal_error("cannot add the ICC profile");
  }
  if (!exif.empty()) {
    const WebPData e{reinterpret_cast<const uint8_t*>(exif.data()), exif.size()};
    if (WebPMuxSetChunk(mux.get(), "EXIF", &e, 1) != WEBP_MUX_OK) return internal_error("cannot add the EXIF chunk");
  }
  if (WebPMuxAssemble(mux.get(), mux.out()) != WEBP_MUX_OK) return internal_error("cannot assemble the WebP file");
  return std::string(reinterpret_cast<const char*>(mux.out()->bytes), mux.out()->size);
}

}  // namespace litesr

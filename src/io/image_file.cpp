#include "io/image_file.h"

#include "io/atomic_file.h"
#include "io/exif_orientation.h"
#include "io/jpeg_codec.h"
#include "io/png_codec.h"
#include "io/webp_codec.h"

namespace litesr {

namespace {

Result<DecodedImage> decode_by_format(std::span<const uint8_t> bytes, const ReadOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const ImageFormat format, detect_image_format(bytes));
  switch (format) {
    case ImageFormat::kPng: return decode_png(bytes, options);
    case ImageFormat::kJpeg: return decode_jpeg(bytes, options);
    case ImageFormat::kWebp: return decode_webp(bytes, options);
  }
  return internal_error("unhandled image format");
}

}  // namespace

Result<DecodedImage> decode_image(std::span<const uint8_t> bytes, std::string_view name, const ReadOptions& options) {
  Result<DecodedImage> decoded = decode_by_format(bytes, options);
  if (!decoded.ok()) return decoded.status().with_context(name);
  DecodedImage& out = decoded.value();
  if (options.apply_exif_orientation && !out.exif.empty()) {
    const int orientation = exif_orientation(out.exif);
    if (orientation != 1) {
      Result<Image> oriented = apply_orientation(out.image, orientation);
      if (!oriented.ok()) return oriented.status().with_context(name);
      out.image = std::move(oriented).value();
      set_exif_orientation(out.exif, 1);
    }
  }
  return decoded;
}

Result<DecodedImage> read_image(const std::filesystem::path& path, const ReadOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const std::string bytes, read_file(path));
  return decode_image(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), path.string(),
                      options);
}

Result<std::string> encode_image(const Image& image, const WriteOptions& options) {
  if (!options.format) return invalid_argument("encode_image needs WriteOptions::format");
  if (image.empty()) return invalid_argument("cannot encode an empty image");
  if (image.type() == PixelType::kF32) {
    return invalid_argument("image files store u8 or u16 samples; convert the f32 image first");
  }
  switch (*options.format) {
    case ImageFormat::kPng: return encode_png(image, options);
    case ImageFormat::kJpeg: return encode_jpeg(image, options);
    case ImageFormat::kWebp: return encode_webp(image, options);
  }
  return internal_error("unhandled image format");
}

Status write_image(const std::filesystem::path& path, const Image& image, const WriteOptions& options) {
  WriteOptions resolved = options;
  if (!resolved.format) {
    LITESR_ASSIGN_OR_RETURN(resolved.format, image_format_from_extension(path));
  }
  std::error_code ec;
  if (!options.overwrite && std::filesystem::exists(path, ec)) {
    return already_exists(path.string() + ": already exists (pass --overwrite to replace it)");
  }
  Result<std::string> bytes = encode_image(image, resolved);
  if (!bytes.ok()) return bytes.status().with_context(path.string());
  return write_file_atomically(path, bytes.value(), options.overwrite, options.sync_directory);
}

}  // namespace litesr

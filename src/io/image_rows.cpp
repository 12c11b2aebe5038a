#include "io/image_rows.h"

#include <utility>

#include "io/atomic_file.h"
#include "io/exif_orientation.h"
#include "io/jpeg_rows.h"
#include "io/png_codec.h"

namespace litesr {

Status ImageRowReader::read_rows(Image& dst, int first, int count) {
  if (dst.width() != info_.width || dst.channels() != info_.channels || dst.type() != info_.type) {
    return invalid_argument("row buffer layout differs from the image");
  }
  if (first < 0 || count < 0 || first + count > dst.height()) return invalid_argument("rows outside the buffer");
  if (count > info_.height - rows_read_) return invalid_argument("read past the last row");
  for (int y = first; y < first + count; ++y) {
    LITESR_RETURN_IF_ERROR(decode_row(dst.row_bytes_ptr(y)));
    ++rows_read_;
  }
  return {};
}

Status ImageRowWriter::write_rows(const Image& src, int first, int count) {
  if (src.width() != width_ || src.channels() != channels_ || src.type() != type_) {
    return invalid_argument("rows to write differ from the image layout");
  }
  if (first < 0 || count < 0 || first + count > src.height()) return invalid_argument("rows outside the buffer");
  if (count > height_ - rows_written_) return invalid_argument("write past the last row");
  LITESR_RETURN_IF_ERROR(encode_rows(src, first, count));
  rows_written_ += count;
  return {};
}

Status ImageRowWriter::finish() {
  if (rows_written_ != height_) {
    return internal_error(std::to_string(rows_written_) + " of " + std::to_string(height_) + " rows written");
  }
  return complete();
}

Result<std::unique_ptr<ImageRowReader>> open_image_row_reader(std::string bytes, std::string_view name,
                                                              const ReadOptions& options) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  Result<ImageFormat> format = detect_image_format(std::span(data, bytes.size()));
  if (!format.ok()) return format.status().with_context(name);
  Result<std::unique_ptr<ImageRowReader>> reader = unsupported("WebP images do not stream");
  switch (*format) {
    case ImageFormat::kPng: reader = open_png_row_reader(std::move(bytes), options); break;
    case ImageFormat::kJpeg: reader = open_jpeg_row_reader(std::move(bytes), options); break;
    case ImageFormat::kWebp: break;
  }
  if (!reader.ok()) return reader.status().with_context(name);
  const std::string& exif = (*reader)->info().exif;
  if (options.apply_exif_orientation && !exif.empty() && exif_orientation(exif) != 1) {
    return unsupported(std::string(name) + ": EXIF orientation needs the whole image");
  }
  return reader;
}

Result<std::unique_ptr<ImageRowReader>> open_image_row_reader(const std::filesystem::path& path,
                                                              const ReadOptions& options) {
  LITESR_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  return open_image_row_reader(std::move(bytes), path.string(), options);
}

Result<std::unique_ptr<ImageRowWriter>> create_image_row_writer(const std::filesystem::path& path, int width,
                                                                int height, int channels, PixelType type,
                                                                const WriteOptions& options) {
  ImageFormat format = ImageFormat::kPng;
  if (options.format) {
    format = *options.format;
  } else {
    LITESR_ASSIGN_OR_RETURN(format, image_format_from_extension(path));
  }
  if (format == ImageFormat::kWebp) return unsupported(path.string() + ": WebP output does not stream");
  LITESR_ASSIGN_OR_RETURN(AtomicFileWriter file, AtomicFileWriter::create(path, options.overwrite, options.sync_directory));
  Result<std::unique_ptr<ImageRowWriter>> writer =
      format == ImageFormat::kPng ? create_png_row_writer(std::move(file), width, height, channels, type, options)
                                  : create_jpeg_row_writer(std::move(file), width, height, channels, type, options);
  if (!writer.ok()) return writer.status().with_context(path.string());
  return writer;
}

}  // namespace litesr

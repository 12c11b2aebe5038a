// Streaming image files row by row, for images too large to hold whole (`litesr upscale` of big photos).
//
// A reader decodes an image top to bottom in bands of rows; a writer encodes rows as they come into an
// AtomicFileWriter (io/atomic_file.h), so the destination appears complete or not at all. Memory is the
// band plus the codec's own state (libpng: a few rows; libjpeg: one MCU row, or the coefficients of the
// whole image for a progressive JPEG), never the image.
//
// What streams:
//   read   PNG without interlacing (the same samples as read_image: palette -> RGB(A), tRNS -> alpha, sub-byte
//          grey -> 8 bit, 16 bit kept) and JPEG (grey or colour, the same pixels as read_image: accurate
//          DCT, fancy upsampling; the same strictness about warnings and the same scan limit).
//          kUnsupported, so that callers fall back to read_image: interlaced PNG, WebP, and EXIF orientation
//          other than 1 when ReadOptions::apply_exif_orientation (a rotation needs the whole image). An eXIf
//          chunk after the PNG image data is only seen by finish(): kUnsupported there when it exists.
//   write  PNG (identical bytes to write_image: the same encoder) and JPEG (the same settings as write_image
//          and the same metadata segments; pixels decode identically). kUnsupported for WebP.
// Errors name the file like read_image / write_image. Rows must be read and written in order; a writer
// that is destroyed before finish() leaves nothing behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "base/image.h"
#include "base/status.h"
#include "io/image_file.h"
#include "io/image_format.h"

namespace litesr {

struct ImageRowsInfo {
  int width = 0;
  int height = 0;
  int channels = 0;                   // 1-4, as read_image reports them
  PixelType type = PixelType::kU8;    // u8, or u16 for 16-bit PNG
  ImageFormat format = ImageFormat::kPng;
  std::string icc_profile;            // raw ICC bytes, "" if none
  std::string exif;                   // raw EXIF (TIFF) bytes that precede the image data, "" if none
};

class ImageRowReader {
 public:
  virtual ~ImageRowReader() = default;
  const ImageRowsInfo& info() const { return info_; }
  int rows_read() const { return rows_read_; }
  // Decodes the next `count` rows into rows [first, first + count) of `dst`, which has info()'s width,
  // channels and type. kInvalidArgument past the last row; kCorruptData for truncated or damaged data.
  Status read_rows(Image& dst, int first, int count);
  // After the last row: reads what follows the image data. kUnsupported if EXIF metadata appears there.
  virtual Status finish() = 0;

 protected:
  virtual Status decode_row(uint8_t* row) = 0;  // the next row, info().width · channels samples
  ImageRowsInfo info_;
  int rows_read_ = 0;
};

class ImageRowWriter {
 public:
  virtual ~ImageRowWriter() = default;
  int rows_written() const { return rows_written_; }
  // Encodes rows [first, first + count) of `src` as the next rows of the file; `src` has the width, channels
  // and type given to create_image_row_writer.
  Status write_rows(const Image& src, int first, int count);
  // After the last row: completes the file and moves it into place (kInternal before the last row).
  Status finish();

 protected:
  virtual Status encode_rows(const Image& src, int first, int count) = 0;
  virtual Status complete() = 0;  // every row written: flush the encoder and commit the file
  int width_ = 0, height_ = 0, channels_ = 0;
  PixelType type_ = PixelType::kU8;
  int rows_written_ = 0;
};

// Opens `path` for streaming. kUnsupported when the file cannot stream (see above): use read_image.
Result<std::unique_ptr<ImageRowReader>> open_image_row_reader(const std::filesystem::path& path,
                                                              const ReadOptions& options = {});

// The same for a file already in memory; `name` (usually the file name) prefixes every error message.
Result<std::unique_ptr<ImageRowReader>> open_image_row_reader(std::string bytes, std::string_view name,
                                                              const ReadOptions& options = {});

// A writer for a width x height image with `channels` channels of `type` (u8 or u16) at `path`; the format
// comes from options.format or the extension. kUnsupported for WebP.
Result<std::unique_ptr<ImageRowWriter>> create_image_row_writer(const std::filesystem::path& path, int width,
                                                                int height, int channels, PixelType type,
                                                                const WriteOptions& options = {});

}  // namespace litesr

// Streaming JPEG rows with libjpeg's scanline API (io/image_rows.h has the contract). The whole-image
// codec (jpeg_codec.h, TurboJPEG) and these classes use the same settings, so a streamed read gives the
// same pixels as read_image and a streamed write decodes to the same pixels as write_image.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "io/atomic_file.h"
#include "io/image_file.h"
#include "io/image_rows.h"

namespace litesr {

// A JPEG held in `bytes` (grey or colour; CMYK is kUnsupported). Error messages do not name the file.
Result<std::unique_ptr<ImageRowReader>> open_jpeg_row_reader(std::string bytes, const ReadOptions& options);

// u8/u16 rows with 1-4 channels (alpha flattened onto white, u16 rounded to 8 bits, as encode_jpeg).
Result<std::unique_ptr<ImageRowWriter>> create_jpeg_row_writer(AtomicFileWriter file, int width, int height,
                                                               int channels, PixelType type,
                                                               const WriteOptions& options);

}  // namespace litesr

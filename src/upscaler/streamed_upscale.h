// Upscaling an image file in bands of rows, for images too large to hold whole (`litesr upscale`).
//
// The input is decoded top to bottom (io/image_rows.h) and upscaled one band of LR rows at a time, each
// band with the model's context rows above and below (Session::context_rows), and the output rows of the
// band alone are encoded as they come. With that context the result equals the whole-image upscale exactly
// (bitwise: the fused engine's arithmetic does not depend on the band), while memory is bounded by the band:
// about band_rows·W·(1 + s²)·channels samples plus the codecs' state, never the image. Outputs resized to
// another size (-s 1.5, --size) go through the row-streaming MATLAB resize (eval/matlab_row_resizer.h) in the
// same pass, which holds only its kernel's support on top: the same pixels as the whole-image path.
//
// kUnsupported (call the whole-image path instead) when the model's output depends on the whole image
// (squeeze-excite, multi-frame models), when the input cannot stream (WebP, interlaced PNG, EXIF rotation)
// or the output format cannot (WebP). Nothing is written then, and nothing on any other error either: the
// output appears atomically on success only.
#pragma once

#include <filesystem>
#include <cstdint>
#include <functional>
#include <string>

#include "base/cancel.h"
#include "base/status.h"
#include "io/image_file.h"
#include "io/image_rows.h"
#include "upscaler/model_upscaler.h"

namespace litesr {

struct StreamOptions {
  int band_rows = 0;                // LR rows per band; 0 = about 16 MiB of output samples per band
  int64_t min_output_pixels = 0;    // smaller outputs are not streamed (the whole-image path is simpler)
  std::function<void(int, int)> on_rows;  // optional: LR rows done so far, total rows; after every band
  const CancelToken* cancel = nullptr;    // optional: polled between bands; kCancelled, nothing written
};

struct StreamedUpscale {
  bool streamed = false;   // false: nothing was written; `reason` says why (use the whole-image path)
  std::string reason;
  int input_width = 0, input_height = 0;
  int output_width = 0, output_height = 0;
};

// `write` supplies format, quality and overwrite; the input's ICC profile and EXIF are carried over as by the
// whole-image path. Errors (corrupt input, unwritable output) are errors, not a reason to fall back.
Result<StreamedUpscale> upscale_streamed(ModelUpscaler& upscaler, const std::filesystem::path& input,
                                         const std::filesystem::path& output, WriteOptions write,
                                         const StreamOptions& options);

// The same from a reader already open on the input (no rows read yet); `input_name` names it in errors.
Result<StreamedUpscale> upscale_streamed(ModelUpscaler& upscaler, ImageRowReader& reader, std::string_view input_name,
                                         const std::filesystem::path& output, WriteOptions write,
                                         const StreamOptions& options);

// The reader options of a streamed read: no whole image is ever allocated, so any side up to kMaxImageSide.
ReadOptions streamed_read_options();

}  // namespace litesr

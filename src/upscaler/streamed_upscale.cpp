#include "upscaler/streamed_upscale.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "io/image_rows.h"

namespace litesr {

namespace {

constexpr std::size_t kAutoBandOutputBytes = std::size_t{16} << 20;

// Rows [first, first + count) of `src` copied into rows [at, at + count) of `dst` (same width and layout).
void copy_rows(const Image& src, int first, int count, Image& dst, int at) {
  for (int y = 0; y < count; ++y) std::memcpy(dst.row_bytes_ptr(at + y), src.row_bytes_ptr(first + y), src.row_bytes());
}

// The streamed upscale; kUnsupported when it cannot stream (nothing written).
Result<StreamedUpscale> stream_bands(ModelUpscaler& upscaler, ImageRowReader& reader, std::string_view input,
                                     const std::filesystem::path& output, WriteOptions write,
                                     const StreamOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const int context, upscaler.context_rows());
  const ImageRowsInfo& info = reader.info();
  const int s = upscaler.scale();
  const int width = info.width, height = info.height;
  // Resized outputs (-s/--size): the model's rows (or, for bicubic, the input's) go through the row resizer.
  LITESR_ASSIGN_OR_RETURN(const bool resized, upscaler.resizes_output(width, height));
  const bool model_runs = !(resized && upscaler.resizes_input());
  const int run_scale = model_runs ? s : 1;
  if (static_cast<int64_t>(width) * run_scale > kMaxImageSide || static_cast<int64_t>(height) * run_scale > kMaxImageSide) {
    return invalid_argument(std::string(input) + ": the x" + std::to_string(s) + " output of " + std::to_string(width) +
                            "x" + std::to_string(height) + " would exceed " + std::to_string(kMaxImageSide) +
                            " pixels per side");
  }
  LITESR_ASSIGN_OR_RETURN(const auto out_size, upscaler.output_size(width, height));
  if (static_cast<int64_t>(out_size.first) * out_size.second < options.min_output_pixels) {
    return unsupported("small enough to upscale whole");
  }
  std::optional<MatlabRowResizer> resizer;
  if (resized) {
    LITESR_ASSIGN_OR_RETURN(resizer, upscaler.output_resizer(width, height, info.channels, info.type));
  }

  write.icc_profile = info.icc_profile;
  write.exif = info.exif;
  LITESR_ASSIGN_OR_RETURN(std::unique_ptr<ImageRowWriter> writer,
                          create_image_row_writer(output, out_size.first, out_size.second, info.channels, info.type,
                                                  write));

  int band_rows = options.band_rows;
  if (band_rows <= 0) {
    const std::size_t out_row_bytes =
        static_cast<std::size_t>(width) * run_scale * run_scale * info.channels * pixel_type_size(info.type);
    band_rows = static_cast<int>(std::clamp<std::size_t>(kAutoBandOutputBytes / out_row_bytes, 4 * std::max(context, 4), 4096));
  }
  band_rows = std::min(band_rows, height);

  // `window` holds input rows [held_first, held_first + window.height()); each band needs
  // [y0 − context, y1 + context).
  Image window;
  int held_first = 0;
  for (int y0 = 0; y0 < height; y0 += band_rows) {
    if (options.cancel != nullptr && options.cancel->cancelled()) return cancelled(output.string() + ": interrupted");
    const int y1 = std::min(height, y0 + band_rows);
    const int need_first = std::max(0, y0 - context);
    const int need_end = std::min(height, y1 + context);
    LITESR_ASSIGN_OR_RETURN(Image next, Image::create(width, need_end - need_first, info.channels, info.type));
    const int kept = std::max(0, held_first + window.height() - need_first);  // overlap with the previous band
    if (kept > 0) copy_rows(window, need_first - held_first, kept, next, 0);
    Status s_read = reader.read_rows(next, kept, need_end - need_first - kept);
    if (!s_read.ok()) return s_read.with_context(input);
    window = std::move(next);
    held_first = need_first;

    // The band's rows at the model's scale: rows [(y0 − need_first)·s, (y1 − need_first)·s) of `up`.
    Image up;
    if (model_runs) {
      LITESR_ASSIGN_OR_RETURN(up, upscaler.upscale_at_model_scale(window));
    }
    const Image& band = model_runs ? up : window;
    const int band_first = (y0 - need_first) * run_scale, band_count = (y1 - y0) * run_scale;
    if (resizer) {
      LITESR_RETURN_IF_ERROR(resizer->push_rows(band, band_first, band_count));
      if (resizer->ready_rows() > 0) {
        LITESR_ASSIGN_OR_RETURN(const Image rows, resizer->take_ready_rows());
        LITESR_RETURN_IF_ERROR(writer->write_rows(rows, 0, rows.height()).with_context(output.string()));
      }
    } else {
      LITESR_RETURN_IF_ERROR(writer->write_rows(band, band_first, band_count).with_context(output.string()));
    }
    if (options.on_rows) options.on_rows(y1, height);
  }
  Status s_end = reader.finish();
  if (!s_end.ok()) return s_end.with_context(input);
  LITESR_RETURN_IF_ERROR(writer->finish().with_context(output.string()));
  return StreamedUpscale{true, "", width, height, out_size.first, out_size.second};
}

Result<StreamedUpscale> not_streamed_if_unsupported(Result<StreamedUpscale> result) {
  if (result.ok() || result.status().code() != StatusCode::kUnsupported) return result;
  StreamedUpscale not_streamed;
  not_streamed.reason = std::string(result.status().message());
  return not_streamed;
}

}  // namespace

ReadOptions streamed_read_options() {
  ReadOptions read;
  read.max_pixels = std::size_t{kMaxImageSide} * kMaxImageSide;
  return read;
}

Result<StreamedUpscale> upscale_streamed(ModelUpscaler& upscaler, ImageRowReader& reader, std::string_view input_name,
                                         const std::filesystem::path& output, WriteOptions write,
                                         const StreamOptions& options) {
  return not_streamed_if_unsupported(stream_bands(upscaler, reader, input_name, output, std::move(write), options));
}

Result<StreamedUpscale> upscale_streamed(ModelUpscaler& upscaler, const std::filesystem::path& input,
                                         const std::filesystem::path& output, WriteOptions write,
                                         const StreamOptions& options) {
  if (Result<int> context = upscaler.context_rows(); !context.ok()) {
    return not_streamed_if_unsupported(context.status());
  }
  Result<std::unique_ptr<ImageRowReader>> reader = open_image_row_reader(input, streamed_read_options());
  if (!reader.ok()) return not_streamed_if_unsupported(reader.status());
  return upscale_streamed(upscaler, **reader, input.string(), output, std::move(write), options);
}

}  // namespace litesr

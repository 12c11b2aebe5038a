// The C API (include/litesr/litesr.h) over upscaler/: argument checks, status mapping, and a guard that keeps
// every C++ exception on this side of the boundary.
#include "litesr/litesr.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <new>
#include <string>
#include <utility>

#include "base/image.h"
#include "base/image_size.h"
#include "base/status.h"
#include "upscaler/batch_upscale.h"
#include "upscaler/model_upscaler.h"
#include "upscaler/output_size.h"

struct litesr_upscaler {
  litesr::ModelUpscaler model;
};

namespace {

using litesr::Image;
using litesr::ImageView;
using litesr::kMaxImageSide;
using litesr::OutputSize;
using litesr::PixelType;
using litesr::Result;
using litesr::size_text;
using litesr::Status;
using litesr::StatusCode;

thread_local std::string g_last_error;

litesr_status to_c(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return LITESR_OK;
    case StatusCode::kInvalidArgument: return LITESR_INVALID_ARGUMENT;
    case StatusCode::kNotFound: return LITESR_NOT_FOUND;
    case StatusCode::kAlreadyExists: return LITESR_ALREADY_EXISTS;
    case StatusCode::kIoError: return LITESR_IO_ERROR;
    case StatusCode::kCorruptData: return LITESR_CORRUPT_DATA;
    case StatusCode::kUnsupported: return LITESR_UNSUPPORTED;
    case StatusCode::kResourceExhausted: return LITESR_RESOURCE_EXHAUSTED;
    case StatusCode::kCancelled: return LITESR_CANCELLED;
    case StatusCode::kInternal: return LITESR_INTERNAL;
  }
  return LITESR_INTERNAL;
}

litesr_status report(const Status& s) {
  if (s.ok()) return LITESR_OK;
  try {
    g_last_error = std::string(s.message());
  } catch (...) {  // no memory for the message: the code still says what happened
  }
  return to_c(s.code());
}

// Runs `body` (returning Status) with every exception turned into a status.
template <typename Body>
litesr_status guarded(Body&& body) {
  try {
    return report(body());
  } catch (const std::bad_alloc&) {
    return report(litesr::resource_exhausted("out of memory"));
  } catch (const std::exception& e) {
    return report(litesr::internal_error(std::string("unexpected error: ") + e.what()));
  } catch (...) {
    return report(litesr::internal_error("unexpected error"));
  }
}

PixelType pixel_type(int bit_depth) { return bit_depth == 16 ? PixelType::kU16 : PixelType::kU8; }

// Checks one image description; `what` names it in the message.
Status check_image(const litesr_image* image, const char* what) {
  const std::string name(what);
  if (image == nullptr) return litesr::invalid_argument(name + " is NULL");
  if (image->data == nullptr) return litesr::invalid_argument(name + ".data is NULL");
  if (image->width < 1 || image->height < 1 || image->width > litesr::kMaxImageSide ||
      image->height > litesr::kMaxImageSide) {
    return litesr::invalid_argument(name + " is " + std::to_string(image->width) + "x" +
                                    std::to_string(image->height) + ": each side must be 1.." +
                                    std::to_string(litesr::kMaxImageSide));
  }
  if (image->channels < 1 || image->channels > 4) {
    return litesr::invalid_argument(name + " has " + std::to_string(image->channels) + " channels (1..4)");
  }
  if (image->bit_depth != 8 && image->bit_depth != 16) {
    return litesr::invalid_argument(name + " has a bit depth of " + std::to_string(image->bit_depth) + " (8 or 16)");
  }
  const std::size_t sample = static_cast<std::size_t>(image->bit_depth / 8);
  const std::size_t row = static_cast<std::size_t>(image->width) * image->channels * sample;
  if (image->stride < row || image->stride % sample != 0) {
    return litesr::invalid_argument(name + ".stride " + std::to_string(image->stride) + " must be >= " +
                                    std::to_string(row) + " bytes and a multiple of " + std::to_string(sample));
  }
  if (image->stride > std::numeric_limits<std::size_t>::max() / static_cast<std::size_t>(image->height) ||
      reinterpret_cast<std::uintptr_t>(image->data) % sample != 0) {
    return litesr::invalid_argument(name + ": stride x height overflows, or 16-bit data is not 2-byte aligned");
  }
  return {};
}

template <typename T>
ImageView<T> view_of(const litesr_image& image) {
  return {static_cast<T*>(image.data), image.width, image.height, image.channels,
          static_cast<std::ptrdiff_t>(image.stride / sizeof(T))};
}

// The output size of the options (litesr_upscaler_options::output_scale, output_width, output_height): every
// field checked here, so a bad one is named in the message; {} = none. `scale` must then be 0.
Result<OutputSize> output_size_option(const litesr_upscaler_options& options) {
  const double factor = options.output_scale;
  const bool has_factor = factor != 0.0;  // NaN too
  const bool has_size = options.output_width != 0 || options.output_height != 0;
  if (has_factor && has_size) {
    return litesr::invalid_argument("give output_scale or output_width x output_height, not both");
  }
  if ((has_factor || has_size) && options.scale != 0) {
    return litesr::invalid_argument(
        "give scale or an output size (output_scale, output_width x output_height), not both (scale must be 0 "
        "with an output size)");
  }
  if (has_factor) {
    Result<OutputSize> output = OutputSize::from_scale(factor);
    if (!output.ok()) return litesr::invalid_argument("output_scale: " + output.status().message() + " (0 = none)");
    return output;
  }
  if (has_size) {
    Result<OutputSize> output = OutputSize::from_size(options.output_width, options.output_height);
    if (!output.ok()) {
      return litesr::invalid_argument("output_width x output_height: " + output.status().message() +
                                      " (give both; 0x0 = none)");
    }
    return output;
  }
  return OutputSize{};
}

// The output size for a width x height input (ModelUpscaler::output_size), both ends within 1..kMaxImageSide.
Result<std::pair<int, int>> checked_output_size(const litesr::ModelUpscaler& model, int width, int height) {
  if (width < 1 || height < 1 || width > kMaxImageSide || height > kMaxImageSide) {
    return litesr::invalid_argument("input size " + size_text(width, height) + ": each side must be 1.." +
                                    std::to_string(kMaxImageSide));
  }
  LITESR_ASSIGN_OR_RETURN(const auto size, model.output_size(width, height));
  if (size.first > kMaxImageSide || size.second > kMaxImageSide) {
    return litesr::resource_exhausted("the output of a " + size_text(width, height) + " input would be " +
                                      size_text(size.first, size.second) + ": each side must be at most " +
                                      std::to_string(kMaxImageSide));
  }
  return size;
}

Status upscale_image(litesr::ModelUpscaler& model, const litesr_image* input, const litesr_image* output) {
  LITESR_RETURN_IF_ERROR(check_image(input, "input"));
  LITESR_RETURN_IF_ERROR(check_image(output, "output"));
  LITESR_ASSIGN_OR_RETURN(const auto expected, checked_output_size(model, input->width, input->height));
  if (output->width != expected.first || output->height != expected.second) {
    return litesr::invalid_argument("output is " + size_text(output->width, output->height) + ", expected " +
                                    size_text(expected.first, expected.second) + " for a " +
                                    size_text(input->width, input->height) + " input (litesr_upscaler_output_size)");
  }
  if (output->channels != input->channels || output->bit_depth != input->bit_depth) {
    return litesr::invalid_argument("output must have the input's channels and bit depth");
  }
  if (input->channels == 3 && input->bit_depth == 8) {
    return model.upscale_rgb8_into(view_of<const uint8_t>(*input), view_of<uint8_t>(*output));
  }
  // Grey, alpha and 16-bit go through the image path (alpha upscaled separately), then into `output`.
  const PixelType type = pixel_type(input->bit_depth);
  LITESR_ASSIGN_OR_RETURN(Image src, Image::create(input->width, input->height, input->channels, type));
  for (int y = 0; y < input->height; ++y) {
    std::memcpy(src.row_bytes_ptr(y), static_cast<const uint8_t*>(input->data) + y * input->stride, src.row_bytes());
  }
  LITESR_ASSIGN_OR_RETURN(const Image up, model.upscale(src));
  if (up.width() != output->width || up.height() != output->height || up.channels() != output->channels) {
    return litesr::internal_error("the upscaler returned " + size_text(up.width(), up.height()) + ", not " +
                                  size_text(output->width, output->height));
  }
  for (int y = 0; y < up.height(); ++y) {
    std::memcpy(static_cast<uint8_t*>(output->data) + y * output->stride, up.row_bytes_ptr(y), up.row_bytes());
  }
  return {};
}

}  // namespace

extern "C" {

const char* litesr_version(void) { return LITESR_VERSION; }

const char* litesr_last_error(void) { return g_last_error.c_str(); }

const char* litesr_status_name(litesr_status status) {
  switch (status) {
    case LITESR_OK: return "ok";
    case LITESR_INVALID_ARGUMENT: return "invalid argument";
    case LITESR_NOT_FOUND: return "not found";
    case LITESR_ALREADY_EXISTS: return "already exists";
    case LITESR_IO_ERROR: return "I/O error";
    case LITESR_CORRUPT_DATA: return "corrupt data";
    case LITESR_UNSUPPORTED: return "unsupported";
    case LITESR_RESOURCE_EXHAUSTED: return "resource exhausted";
    case LITESR_CANCELLED: return "cancelled";
    case LITESR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

litesr_status litesr_upscaler_create(const litesr_upscaler_options* options, litesr_upscaler** out) {
  return guarded([&]() -> Status {
    if (out == nullptr) return litesr::invalid_argument("out is NULL");
    *out = nullptr;
    litesr::UpscalerOptions o;
    if (options != nullptr) {
      if (options->model != nullptr) o.model = options->model;
      if (options->scale < 0 || options->threads < 0) {
        return litesr::invalid_argument("scale and threads must be >= 0");
      }
      o.scale = options->scale;
      o.threads = options->threads;
      LITESR_ASSIGN_OR_RETURN(o.output, output_size_option(*options));
    }
    LITESR_ASSIGN_OR_RETURN(litesr::ModelUpscaler model, litesr::ModelUpscaler::open(o));
    *out = new litesr_upscaler{std::move(model)};
    return {};
  });
}

void litesr_upscaler_destroy(litesr_upscaler* upscaler) { delete upscaler; }

litesr_status litesr_upscaler_scale(const litesr_upscaler* upscaler, int* scale) {
  return guarded([&]() -> Status {
    if (upscaler == nullptr || scale == nullptr) return litesr::invalid_argument("upscaler or scale is NULL");
    *scale = upscaler->model.scale();
    return {};
  });
}

litesr_status litesr_upscaler_output_size(const litesr_upscaler* upscaler, int input_width, int input_height,
                                          int* output_width, int* output_height) {
  return guarded([&]() -> Status {
    if (upscaler == nullptr || output_width == nullptr || output_height == nullptr) {
      return litesr::invalid_argument("upscaler, output_width or output_height is NULL");
    }
    LITESR_ASSIGN_OR_RETURN(const auto size, checked_output_size(upscaler->model, input_width, input_height));
    *output_width = size.first;
    *output_height = size.second;
    return {};
  });
}

litesr_status litesr_upscale(litesr_upscaler* upscaler, const litesr_image* input, const litesr_image* output) {
  return guarded([&]() -> Status {
    if (upscaler == nullptr) return litesr::invalid_argument("upscaler is NULL");
    return upscale_image(upscaler->model, input, output);
  });
}

litesr_status litesr_upscale_file(litesr_upscaler* upscaler, const char* input_path, const char* output_path) {
  return guarded([&]() -> Status {
    if (upscaler == nullptr || input_path == nullptr || output_path == nullptr) {
      return litesr::invalid_argument("upscaler, input_path or output_path is NULL");
    }
    const litesr::BatchJob job{input_path, output_path};
    litesr::BatchOptions options;
    options.overwrite = true;
    options.encoders = 0;
    LITESR_ASSIGN_OR_RETURN(const litesr::BatchResult result,
                            litesr::upscale_batch(upscaler->model, std::span(&job, 1), options));
    if (result.items.size() != 1) return litesr::internal_error("the file was not processed");
    return result.items[0].status;
  });
}

}  // extern "C"

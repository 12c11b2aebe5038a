// LiteSR C++ API: the C API (litesr.h) as C++ types: RAII handles, images, exceptions.
//
// Header-only over the C ABI, so a program built with any C++17 compiler and standard library links the same
// liblitesr.so (LiteSR::litesr / pkg-config litesr); no C++ symbol crosses the library boundary.
//
// Errors: every failing call throws litesr::Error (a std::runtime_error) carrying the litesr_status code
// and the library's message; nothing else is thrown except std::bad_alloc from the header's own allocations.
// Threads: as the C API: one Upscaler is used by one thread at a time; separate Upscalers run concurrently,
// each with its own worker threads. Nothing changes process-wide state.
//
//   litesr::Upscaler up({"elsr-x4"});                 // or litesr::Upscaler() for the default model
//   up.upscale_file("photo.jpg", "photo_x4.png");     // files: formats by extension, written atomically
//   litesr::Image sr = up.upscale(lr.view());          // buffers: 1-4 channels, 8 or 16 bit
//   litesr::Upscaler x15({"elsr-x4", 0, 0, 1.5});      // any output size: a factor, or {..., 0, 1920, 1080}
#ifndef LITESR_LITESR_HPP_
#define LITESR_LITESR_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "litesr/litesr.h"

namespace litesr {

// A failed call: status() is the C API's code (LITESR_NOT_FOUND, ...), what() the library's message.
class Error : public std::runtime_error {
 public:
  Error(litesr_status status, const std::string& message)
      : std::runtime_error(std::string(litesr_status_name(status)) + ": " + message), status_(status) {}
  litesr_status status() const noexcept { return status_; }

 private:
  litesr_status status_;
};

namespace detail {
inline void check(litesr_status status) {
  if (status != LITESR_OK) throw Error(status, litesr_last_error());
}
}  // namespace detail

// The library's version ("0.1.0").
inline std::string version() { return litesr_version(); }

// Pixels the caller owns: interleaved samples, top row first (litesr_image; see litesr.h).
struct ImageView {
  void* data = nullptr;  // the first sample of the top row
  int width = 0;         // pixels
  int height = 0;        // pixels
  int channels = 0;      // 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
  int bit_depth = 8;     // 8 (uint8_t samples) or 16 (uint16_t, native byte order)
  std::size_t stride = 0;  // bytes between row starts; 0 = rows packed (width * channels * bit_depth / 8)

  litesr_image c_image() const {
    const std::size_t packed = static_cast<std::size_t>(width < 0 ? 0 : width) * static_cast<std::size_t>(channels < 0 ? 0 : channels) *
                               static_cast<std::size_t>(bit_depth / 8);
    return litesr_image{data, width, height, channels, bit_depth, stride != 0 ? stride : packed};
  }
};

// An owned picture with packed rows (samples zero-initialised).
class Image {
 public:
  Image() = default;
  // Throws Error(LITESR_INVALID_ARGUMENT) for sizes < 1, channels outside 1..4 or a depth other than 8/16.
  Image(int width, int height, int channels, int bit_depth = 8)
      : width_(width), height_(height), channels_(channels), bit_depth_(bit_depth) {
    if (width < 1 || height < 1 || channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16)) {
      throw Error(LITESR_INVALID_ARGUMENT, "litesr::Image needs width, height >= 1, 1-4 channels, 8 or 16 bits");
    }
    data_.resize(stride() * static_cast<std::size_t>(height));
  }

  int width() const { return width_; }
  int height() const { return height_; }
  int channels() const { return channels_; }
  int bit_depth() const { return bit_depth_; }
  std::size_t stride() const {
    return static_cast<std::size_t>(width_) * static_cast<std::size_t>(channels_) * static_cast<std::size_t>(bit_depth_ / 8);
  }
  std::uint8_t* data() { return data_.data(); }
  const std::uint8_t* data() const { return data_.data(); }
  std::size_t size_bytes() const { return data_.size(); }

  ImageView view() { return ImageView{data_.data(), width_, height_, channels_, bit_depth_, stride()}; }
  // A view for reading (upscale() never writes its input).
  ImageView view() const {
    return ImageView{const_cast<std::uint8_t*>(data_.data()), width_, height_, channels_, bit_depth_, stride()};
  }

 private:
  int width_ = 0, height_ = 0, channels_ = 0, bit_depth_ = 8;
  std::vector<std::uint8_t> data_;
};

// A width x height in pixels.
struct Size {
  int width = 0;
  int height = 0;
};

// One model, ready to upscale buffers and files. Move-only.
class Upscaler {
 public:
  // Any output size (litesr_upscaler_options in litesr.h): at most one of output_scale and output_width +
  // output_height, and then scale 0.
  struct Options {
    std::string model;        // a built-in name (`litesr models`) or a .safetensors path; "" = the default model
    int scale = 0;            // 0 = the model's own; bicubic takes 2..8 (0 = 4)
    int threads = 0;          // 0 = all cores
    double output_scale = 0;  // 0 = none; a factor in (1, 16]: each side becomes ceil(side x output_scale)
                              // (a built-in model's family member at the next integer scale runs, then a resize)
    int output_width = 0;     // 0 = none; with output_height: exactly output_width x output_height pixels
    int output_height = 0;
  };

  Upscaler() : Upscaler(Options{}) {}
  explicit Upscaler(const Options& options) {
    const litesr_upscaler_options c{options.model.c_str(), options.scale,        options.threads,
                                    options.output_scale,  options.output_width, options.output_height};
    litesr_upscaler* handle = nullptr;
    detail::check(litesr_upscaler_create(&c, &handle));
    handle_.reset(handle);
  }

  // The scale factor of the model that runs (with output_scale, the family member chosen: elsr-x4 and 1.5 -> 2).
  // Without an output size, outputs are scale() x the input's width and height.
  int scale() const {
    int s = 0;
    detail::check(litesr_upscaler_scale(handle_.get(), &s));
    return s;
  }

  // The size upscale() gives a width x height input: scale() x it, or the output size of the options.
  // Throws LITESR_INVALID_ARGUMENT for a side outside 1..65536 or an exact size the model cannot reach from it.
  Size output_size(int width, int height) const {
    Size out;
    detail::check(litesr_upscaler_output_size(handle_.get(), width, height, &out.width, &out.height));
    return out;
  }

  // Upscales into memory the caller owns (output_size() of the input, the same channels and bit depth); 8-bit RGB
  // at the model's scale is written straight into `output`.
  void upscale(const ImageView& input, const ImageView& output) {
    const litesr_image in = input.c_image(), out = output.c_image();
    detail::check(litesr_upscale(handle_.get(), &in, &out));
  }
  // Upscales into a new image of output_size().
  Image upscale(const ImageView& input) {
    const Size size = output_size(input.width, input.height);
    Image output(size.width, size.height, input.channels, input.bit_depth);
    upscale(input, output.view());
    return output;
  }

  // Reads an image file (PNG, JPEG, WebP), upscales it (to the options' output size, if any) and writes
  // `output_path` atomically in the format of its extension (alpha, 16-bit depth, ICC and EXIF kept); replaces an
  // existing file.
  void upscale_file(const std::string& input_path, const std::string& output_path) {
    detail::check(litesr_upscale_file(handle_.get(), input_path.c_str(), output_path.c_str()));
  }

  // The C handle, for calls the C++ API does not wrap.
  litesr_upscaler* c_handle() { return handle_.get(); }

 private:
  struct Release {
    void operator()(litesr_upscaler* h) const { litesr_upscaler_destroy(h); }
  };
  std::unique_ptr<litesr_upscaler, Release> handle_;
};

}  // namespace litesr

#endif  // LITESR_LITESR_HPP_

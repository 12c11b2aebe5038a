#include "base/image.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace litesr {

namespace {
constexpr std::size_t kRowAlignment = 64;  // bytes; one cache line, enough for AVX-512 loads
}

std::size_t pixel_type_size(PixelType type) {
  switch (type) {
    case PixelType::kU8: return 1;
    case PixelType::kU16: return 2;
    case PixelType::kF32: return 4;
  }
  return 1;
}

std::string_view pixel_type_name(PixelType type) {
  switch (type) {
    case PixelType::kU8: return "u8";
    case PixelType::kU16: return "u16";
    case PixelType::kF32: return "f32";
  }
  return "?";
}

void Image::AlignedFree::operator()(uint8_t* p) const { std::free(p); }

Result<Image> Image::create(int width, int height, int channels, PixelType type) {
  if (width <= 0 || height <= 0) {
    return invalid_argument("image dimensions must be positive, got " + std::to_string(width) + "x" +
                            std::to_string(height));
  }
  if (channels < 1 || channels > 4) {
    return invalid_argument("images have 1-4 channels, got " + std::to_string(channels));
  }
  if (width > kMaxImageSide || height > kMaxImageSide ||
      static_cast<std::size_t>(width) * height * channels > kMaxImageSamples) {
    return resource_exhausted("image of " + std::to_string(width) + "x" + std::to_string(height) + "x" +
                              std::to_string(channels) + " exceeds the limit of " +
                              std::to_string(kMaxImageSide) + " per side");
  }
  const std::size_t elem = pixel_type_size(type);
  const std::size_t row = static_cast<std::size_t>(width) * channels * elem;
  const std::size_t padded_row = (row + kRowAlignment - 1) / kRowAlignment * kRowAlignment;
  const std::size_t total = padded_row * static_cast<std::size_t>(height);
  void* p = std::aligned_alloc(kRowAlignment, total);
  if (p == nullptr) {
    return resource_exhausted("cannot allocate " + std::to_string(total >> 20) + " MiB for a " +
                              std::to_string(width) + "x" + std::to_string(height) + " image");
  }
  std::memset(p, 0, total);
  Image img;
  img.buffer_.reset(static_cast<uint8_t*>(p));
  img.width_ = width;
  img.height_ = height;
  img.channels_ = channels;
  img.type_ = type;
  img.stride_ = static_cast<std::ptrdiff_t>(padded_row / elem);
  return img;
}

std::size_t Image::size_bytes() const {
  return static_cast<std::size_t>(stride_) * height_ * pixel_type_size(type_);
}

Image Image::clone() const {
  if (empty()) return {};
  Result<Image> copy = create(width_, height_, channels_, type_);
  assert(copy.ok());  // the same dimensions were allocatable once
  std::memcpy(copy->buffer_.get(), buffer_.get(), size_bytes());
  return std::move(copy).value();
}

}  // namespace litesr

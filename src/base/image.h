// Image: an owned, interleaved (HWC) pixel buffer of u8, u16 or f32 samples with 1-4 channels, and
// ImageView<T>: a non-owning strided window into one.
//
// Layout: sample (x, y, c) lives at data[y * stride + x * channels + c]; `stride` counts elements
// (not bytes) between the starts of consecutive rows and is >= width * channels. Channel order is
// the file's: G, GA, RGB or RGBA. Rows are 64-byte aligned so SIMD loads of a row start are aligned.
// Value ranges: u8 0..255, u16 0..65535, f32 nominally 0..1 (not clamped).
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/status.h"

namespace litesr {

enum class PixelType : uint8_t { kU8, kU16, kF32 };

std::size_t pixel_type_size(PixelType type);   // bytes per sample
std::string_view pixel_type_name(PixelType type);  // "u8", "u16", "f32"

template <typename T>
constexpr PixelType pixel_type_of();
template <> constexpr PixelType pixel_type_of<uint8_t>() { return PixelType::kU8; }
template <> constexpr PixelType pixel_type_of<uint16_t>() { return PixelType::kU16; }
template <> constexpr PixelType pixel_type_of<float>() { return PixelType::kF32; }

// Largest side and sample count Image::create accepts; bigger requests are resource_exhausted.
inline constexpr int kMaxImageSide = 1 << 16;
inline constexpr std::size_t kMaxImageSamples = std::size_t{1} << 32;

template <typename T>
struct ImageView {
  T* data = nullptr;
  int width = 0;
  int height = 0;
  int channels = 0;
  std::ptrdiff_t stride = 0;  // elements between row starts

  T* row(int y) const { return data + static_cast<std::ptrdiff_t>(y) * stride; }
  T& at(int x, int y, int c) const { return row(y)[static_cast<std::ptrdiff_t>(x) * channels + c]; }
  bool empty() const { return width == 0 || height == 0; }

  // The w x h window whose top-left corner is (x, y); must lie inside this view.
  ImageView crop(int x, int y, int w, int h) const {
    assert(x >= 0 && y >= 0 && w >= 0 && h >= 0 && x + w <= width && y + h <= height);
    return {row(y) + static_cast<std::ptrdiff_t>(x) * channels, w, h, channels, stride};
  }
  operator ImageView<const T>() const {  // NOLINT(google-explicit-constructor)
    return {data, width, height, channels, stride};
  }
};

class Image {
 public:
  Image() = default;
  Image(Image&&) noexcept = default;
  Image& operator=(Image&&) noexcept = default;
  Image(const Image&) = delete;  // copies are explicit: clone()
  Image& operator=(const Image&) = delete;

  // Allocates a zero-filled image. Fails for non-positive or absurd dimensions, channels outside 1..4,
  // or when memory cannot be had.
  static Result<Image> create(int width, int height, int channels, PixelType type);

  Image clone() const;

  int width() const { return width_; }
  int height() const { return height_; }
  int channels() const { return channels_; }
  PixelType type() const { return type_; }
  bool empty() const { return width_ == 0; }
  std::ptrdiff_t stride() const { return stride_; }  // in elements
  std::size_t row_bytes() const { return static_cast<std::size_t>(width_) * channels_ * pixel_type_size(type_); }
  std::size_t size_bytes() const;  // whole buffer including row padding

  template <typename T>
  ImageView<T> view() {
    assert(pixel_type_of<T>() == type_);
    return {reinterpret_cast<T*>(buffer_.get()), width_, height_, channels_, stride_};
  }
  template <typename T>
  ImageView<const T> view() const {
    assert(pixel_type_of<T>() == type_);
    return {reinterpret_cast<const T*>(buffer_.get()), width_, height_, channels_, stride_};
  }
  uint8_t* row_bytes_ptr(int y) { return buffer_.get() + y * stride_ * static_cast<std::ptrdiff_t>(pixel_type_size(type_)); }
  const uint8_t* row_bytes_ptr(int y) const {
    return buffer_.get() + y * stride_ * static_cast<std::ptrdiff_t>(pixel_type_size(type_));
  }

 private:
  struct AlignedFree {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t[], AlignedFree> buffer_;
  int width_ = 0;
  int height_ = 0;
  int channels_ = 0;
  PixelType type_ = PixelType::kU8;
  std::ptrdiff_t stride_ = 0;
};

}  // namespace litesr

#include "base/image_ops.h"

#include <cstring>

namespace litesr {

namespace {

template <typename Src, typename Dst, typename F>
void convert_samples(ImageView<const Src> src, ImageView<Dst> dst, F f) {
  const int n = src.width * src.channels;
  for (int y = 0; y < src.height; ++y) {
    const Src* s = src.row(y);
    Dst* d = dst.row(y);
    for (int i = 0; i < n; ++i) d[i] = f(s[i]);
  }
}

}  // namespace

Result<Image> convert_pixel_type(const Image& src, PixelType type) {
  if (src.type() == type) return src.clone();
  LITESR_ASSIGN_OR_RETURN(Image dst, Image::create(src.width(), src.height(), src.channels(), type));
  using PT = PixelType;
  const PT from = src.type();
  if (from == PT::kU8 && type == PT::kF32) {
    convert_samples(src.view<uint8_t>(), dst.view<float>(), [](uint8_t v) { return v * (1.0f / 255.0f); });
  } else if (from == PT::kU16 && type == PT::kF32) {
    convert_samples(src.view<uint16_t>(), dst.view<float>(), [](uint16_t v) { return v * (1.0f / 65535.0f); });
  } else if (from == PT::kF32 && type == PT::kU8) {
    convert_samples(src.view<float>(), dst.view<uint8_t>(),
                    [](float v) { return static_cast<uint8_t>(quantize_unit(v, 255)); });
  } else if (from == PT::kF32 && type == PT::kU16) {
    convert_samples(src.view<float>(), dst.view<uint16_t>(),
                    [](float v) { return static_cast<uint16_t>(quantize_unit(v, 65535)); });
  } else if (from == PT::kU8 && type == PT::kU16) {
    convert_samples(src.view<uint8_t>(), dst.view<uint16_t>(), [](uint8_t v) { return static_cast<uint16_t>(v * 257); });
  } else {  // u16 -> u8
    convert_samples(src.view<uint16_t>(), dst.view<uint8_t>(),
                    [](uint16_t v) { return static_cast<uint8_t>((v * 255u + 32767u) / 65535u); });
  }
  return dst;
}

Result<Image> extract_channels(const Image& src, int first, int count) {
  if (first < 0 || count < 1 || first + count > src.channels()) {
    return invalid_argument("channel range out of bounds");
  }
  LITESR_ASSIGN_OR_RETURN(Image dst, Image::create(src.width(), src.height(), count, src.type()));
  const std::size_t es = pixel_type_size(src.type());
  for (int y = 0; y < src.height(); ++y) {
    const uint8_t* s = src.row_bytes_ptr(y);
    uint8_t* d = dst.row_bytes_ptr(y);
    for (int x = 0; x < src.width(); ++x) {
      std::memcpy(d + x * count * es, s + (x * src.channels() + first) * es, count * es);
    }
  }
  return dst;
}

Result<Image> concat_channels(const Image& a, const Image& b) {
  if (a.width() != b.width() || a.height() != b.height() || a.type() != b.type()) {
    return invalid_argument("concat_channels: images differ in size or type");
  }
  const int ca = a.channels();
  const int cb = b.channels();
  LITESR_ASSIGN_OR_RETURN(Image dst, Image::create(a.width(), a.height(), ca + cb, a.type()));
  const std::size_t es = pixel_type_size(a.type());
  for (int y = 0; y < a.height(); ++y) {
    const uint8_t* sa = a.row_bytes_ptr(y);
    const uint8_t* sb = b.row_bytes_ptr(y);
    uint8_t* d = dst.row_bytes_ptr(y);
    for (int x = 0; x < a.width(); ++x) {
      std::memcpy(d + x * (ca + cb) * es, sa + x * ca * es, ca * es);
      std::memcpy(d + (x * (ca + cb) + ca) * es, sb + x * cb * es, cb * es);
    }
  }
  return dst;
}

Result<Image> copy_window(const Image& src, int x, int y, int w, int h) {
  if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > src.width() || y + h > src.height()) {
    return invalid_argument("copy_window: the window lies outside the image");
  }
  LITESR_ASSIGN_OR_RETURN(Image out, Image::create(w, h, src.channels(), src.type()));
  const std::size_t pixel = static_cast<std::size_t>(src.channels()) * pixel_type_size(src.type());
  for (int r = 0; r < h; ++r) {
    std::memcpy(out.row_bytes_ptr(r), src.row_bytes_ptr(y + r) + static_cast<std::size_t>(x) * pixel, w * pixel);
  }
  return out;
}

Result<Image> grey_to_rgb(const Image& src) {
  if (src.channels() > 2) return src.clone();
  const bool alpha = src.channels() == 2;
  LITESR_ASSIGN_OR_RETURN(Image dst, Image::create(src.width(), src.height(), alpha ? 4 : 3, src.type()));
  const std::size_t es = pixel_type_size(src.type());
  for (int y = 0; y < src.height(); ++y) {
    const uint8_t* s = src.row_bytes_ptr(y);
    uint8_t* d = dst.row_bytes_ptr(y);
    for (int x = 0; x < src.width(); ++x) {
      const uint8_t* px = s + x * src.channels() * es;
      uint8_t* out = d + x * dst.channels() * es;
      for (int c = 0; c < 3; ++c) std::memcpy(out + c * es, px, es);
      if (alpha) std::memcpy(out + 3 * es, px + es, es);
    }
  }
  return dst;
}

}  // namespace litesr

#include "io/encode_pixels.h"

#include <cstring>

namespace litesr {

Result<Image> to_u8(const Image& image) {
  if (image.type() == PixelType::kU8) return image.clone();
  if (image.type() != PixelType::kU16) {
    return invalid_argument("8-bit formats need u8 or u16 samples, got " + std::string(pixel_type_name(image.type())));
  }
  LITESR_ASSIGN_OR_RETURN(Image out, Image::create(image.width(), image.height(), image.channels(), PixelType::kU8));
  const ImageView<const uint16_t> in = image.view<uint16_t>();
  const ImageView<uint8_t> dst = out.view<uint8_t>();
  const int n = image.width() * image.channels();
  for (int y = 0; y < image.height(); ++y) {
    const uint16_t* src = in.row(y);
    uint8_t* d = dst.row(y);
    for (int i = 0; i < n; ++i) d[i] = static_cast<uint8_t>((uint32_t{src[i]} * 255 + 32767) / 65535);
  }
  return out;
}

Result<Image> flatten_alpha_on_white(const Image& image) {
  if (image.type() != PixelType::kU8) return invalid_argument("flatten_alpha_on_white needs a u8 image");
  const int c = image.channels();
  if (c != 2 && c != 4) return image.clone();
  LITESR_ASSIGN_OR_RETURN(Image out, Image::create(image.width(), image.height(), c - 1, PixelType::kU8));
  const ImageView<const uint8_t> in = image.view<uint8_t>();
  const ImageView<uint8_t> dst = out.view<uint8_t>();
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) {
      const uint32_t a = in.at(x, y, c - 1);
      for (int k = 0; k < c - 1; ++k) {
        // c·a + 255·(255 − a), divided by 255 with rounding half up.
        const uint32_t v = uint32_t{in.at(x, y, k)} * a + 255 * (255 - a);
        dst.at(x, y, k) = static_cast<uint8_t>((v + 127) / 255);
      }
    }
  }
  return out;
}

Result<const Image*> u8_encoder_pixels(const Image& image, bool flatten_alpha, Image& storage) {
  const bool has_alpha = image.channels() == 2 || image.channels() == 4;
  if (image.type() == PixelType::kU8 && !(flatten_alpha && has_alpha)) return &image;
  const Image* u8 = &image;
  if (image.type() != PixelType::kU8) {
    LITESR_ASSIGN_OR_RETURN(storage, to_u8(image));
    u8 = &storage;
  }
  if (flatten_alpha && has_alpha) {
    LITESR_ASSIGN_OR_RETURN(Image flat, flatten_alpha_on_white(*u8));
    storage = std::move(flat);
  }
  return &storage;
}

}  // namespace litesr

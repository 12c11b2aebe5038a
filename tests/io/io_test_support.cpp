#include "io_test_support.h"

#include "io/image_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace litesr::testing {

namespace {

template <typename T>
void fill_pattern(Image& img) {
  const ImageView<T> v = img.view<T>();
  for (int y = 0; y < v.height; ++y)
    for (int x = 0; x < v.width; ++x)
      for (int c = 0; c < v.channels; ++c) {
        const uint32_t h = static_cast<uint32_t>(x * 37 + y * 91 + c * 53) * 2654435761u;
        v.at(x, y, c) = static_cast<T>(sizeof(T) == 1 ? (h >> 24) : (h >> 16));
      }
}

template <typename T>
int max_diff_t(const Image& a, const Image& b) {
  const ImageView<const T> va = a.view<T>();
  const ImageView<const T> vb = b.view<T>();
  int m = 0;
  for (int y = 0; y < va.height; ++y)
    for (int i = 0; i < va.width * va.channels; ++i)
      m = std::max(m, std::abs(static_cast<int>(va.row(y)[i]) - static_cast<int>(vb.row(y)[i])));
  return m;
}

void put_u16(std::string& s, uint16_t v, bool be) {
  s.push_back(static_cast<char>(be ? v >> 8 : v & 0xFF));
  s.push_back(static_cast<char>(be ? v & 0xFF : v >> 8));
}
void put_u32(std::string& s, uint32_t v, bool be) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(be ? v >> (24 - 8 * i) : v >> (8 * i)));
}

}  // namespace

Image make_test_image(int width, int height, int channels, PixelType type) {
  Image img = Image::create(width, height, channels, type).value();
  if (type == PixelType::kU8) fill_pattern<uint8_t>(img);
  if (type == PixelType::kU16) fill_pattern<uint16_t>(img);
  return img;
}

Image make_smooth_image(int width, int height, int channels) {
  Image img = Image::create(width, height, channels, PixelType::kU8).value();
  const ImageView<uint8_t> v = img.view<uint8_t>();
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c) {
        const double t = 0.5 + 0.4 * std::sin(0.07 * x + 0.05 * y + 1.3 * c);
        v.at(x, y, c) = static_cast<uint8_t>(std::lround(255 * t));
      }
  return img;
}

::testing::AssertionResult images_equal(const Image& a, const Image& b) {
  if (a.width() != b.width() || a.height() != b.height() || a.channels() != b.channels() || a.type() != b.type()) {
    return ::testing::AssertionFailure() << "layout differs: " << a.width() << "x" << a.height() << "x"
                                         << a.channels() << " " << pixel_type_name(a.type()) << " vs " << b.width()
                                         << "x" << b.height() << "x" << b.channels() << " "
                                         << pixel_type_name(b.type());
  }
  for (int y = 0; y < a.height(); ++y) {
    if (std::memcmp(a.row_bytes_ptr(y), b.row_bytes_ptr(y), a.row_bytes()) != 0) {
      return ::testing::AssertionFailure() << "row " << y << " differs";
    }
  }
  return ::testing::AssertionSuccess();
}

int max_abs_diff(const Image& a, const Image& b) {
  if (a.width() != b.width() || a.height() != b.height() || a.channels() != b.channels() || a.type() != b.type())
    return -1;
  switch (a.type()) {
    case PixelType::kU8: return max_diff_t<uint8_t>(a, b);
    case PixelType::kU16: return max_diff_t<uint16_t>(a, b);
    case PixelType::kF32: return -1;
  }
  return -1;
}

std::string make_icc_profile(bool grey, std::size_t padding) {
  padding = (padding + 3) / 4 * 4;
  const uint32_t tag_count = padding > 0 ? 2 : 1;
  const uint32_t table_end = 128 + 4 + 12 * tag_count;
  const uint32_t size = table_end + 20 + static_cast<uint32_t>(padding);
  std::string p;
  put_u32(p, size, true);            // 0: profile size
  p += "lsr ";                       // 4: preferred CMM
  put_u32(p, 0x02100000, true);      // 8: version 2.1
  p += "mntr";                       // 12: device class
  p += grey ? "GRAY" : "RGB ";       // 16: colour space
  p += "XYZ ";                       // 20: PCS
  p.append(12, '\0');                // 24: date
  p += "acsp";                       // 36: signature
  p.append(4 + 4 + 4 + 4, '\0');     // 40: platform, flags, manufacturer, model
  p.append(8, '\0');                 // 56: attributes
  put_u32(p, 0, true);               // 64: rendering intent (perceptual)
  put_u32(p, 0x0000F6D6, true);      // 68: PCS illuminant D50 X = 0.9642
  put_u32(p, 0x00010000, true);      //     Y = 1.0
  put_u32(p, 0x0000D32D, true);      //     Z = 0.8249
  p += "lsr ";                       // 80: creator
  p.append(128 - p.size(), '\0');    // 84..127: id and reserved
  put_u32(p, tag_count, true);       // 128: tag count
  p += "wtpt";
  put_u32(p, table_end, true);
  put_u32(p, 20, true);
  if (padding > 0) {
    p += "lsrp";                     // private tag carrying padding
    put_u32(p, table_end + 20, true);
    put_u32(p, static_cast<uint32_t>(padding), true);
  }
  p += "XYZ ";
  put_u32(p, 0, true);
  put_u32(p, 0x0000F6D6, true);
  put_u32(p, 0x00010000, true);
  put_u32(p, 0x0000D32D, true);
  uint32_t lcg = 12345;  // incompressible filler: libpng rejects iCCP chunks shorter than ~90 bytes
  for (std::size_t i = 0; i < padding; ++i) {
    lcg = lcg * 1664525u + 1013904223u;
    p.push_back(static_cast<char>(lcg >> 24));
  }
  return p;
}

std::string make_exif(int orientation, bool big_endian) {
  std::string t = big_endian ? std::string("MM") : std::string("II");
  put_u16(t, 42, big_endian);
  put_u32(t, 8, big_endian);       // IFD0 at offset 8
  put_u16(t, 2, big_endian);       // two entries, sorted by tag
  put_u16(t, 0x010F, big_endian);  // Make, ASCII, 4 bytes inline
  put_u16(t, 2, big_endian);
  put_u32(t, 4, big_endian);
  t += std::string("Lit\0", 4);
  put_u16(t, 0x0112, big_endian);  // Orientation, SHORT, 1 value inline
  put_u16(t, 3, big_endian);
  put_u32(t, 1, big_endian);
  put_u16(t, static_cast<uint16_t>(orientation), big_endian);
  put_u16(t, 0, big_endian);
  put_u32(t, 0, big_endian);       // no next IFD
  return t;
}

uint32_t png_crc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

std::string patch_png_ihdr(const std::string& png, uint32_t width, uint32_t height) {
  // Signature (8) | length (4) "IHDR" (4) width (4) height (4) ... | CRC over type+data (13 bytes of data).
  std::string out = png;
  std::string be;
  put_u32(be, width, true);
  put_u32(be, height, true);
  out.replace(16, 8, be);
  std::string crc;
  put_u32(crc, png_crc32(std::string_view(out).substr(12, 4 + 13)), true);
  out.replace(12 + 4 + 13, 4, crc);
  return out;
}

Result<Image> read_by_rows(const std::filesystem::path& path, int band, const ReadOptions& options) {
  LITESR_ASSIGN_OR_RETURN(std::unique_ptr<ImageRowReader> reader, open_image_row_reader(path, options));
  const ImageRowsInfo& info = reader->info();
  LITESR_ASSIGN_OR_RETURN(Image image, Image::create(info.width, info.height, info.channels, info.type));
  for (int y = 0; y < info.height; y += band) {
    LITESR_RETURN_IF_ERROR(reader->read_rows(image, y, std::min(band, info.height - y)));
  }
  LITESR_RETURN_IF_ERROR(reader->finish());
  return image;
}

Status write_by_rows(const std::filesystem::path& path, const Image& image, int band, const WriteOptions& options) {
  LITESR_ASSIGN_OR_RETURN(std::unique_ptr<ImageRowWriter> writer,
                          create_image_row_writer(path, image.width(), image.height(), image.channels(),
                                                  image.type(), options));
  for (int y = 0; y < image.height(); y += band) {
    LITESR_RETURN_IF_ERROR(writer->write_rows(image, y, std::min(band, image.height() - y)));
  }
  return writer->finish();
}

}  // namespace litesr::testing

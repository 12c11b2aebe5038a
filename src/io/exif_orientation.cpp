#include "io/exif_orientation.h"

#include <cstdint>
#include <cstring>
#include <optional>

namespace litesr {

namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTiffTypeShort = 3;
constexpr std::size_t kIfdEntryBytes = 12;

struct TiffReader {
  std::string_view bytes;
  bool big_endian = false;

  std::optional<uint32_t> u16(std::size_t at) const {
    if (at > bytes.size() || bytes.size() - at < 2) return std::nullopt;
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data() + at);
    return big_endian ? (p[0] << 8 | p[1]) : (p[1] << 8 | p[0]);
  }
  std::optional<uint32_t> u32(std::size_t at) const {
    if (at > bytes.size() || bytes.size() - at < 4) return std::nullopt;
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data() + at);
    return big_endian ? (uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3])
                      : (uint32_t{p[3]} << 24 | uint32_t{p[2]} << 16 | uint32_t{p[1]} << 8 | p[0]);
  }
};

// Byte offset of the Orientation value inside `tiff`, with the byte order, or nullopt.
std::optional<std::size_t> find_orientation_value(std::string_view tiff, bool* big_endian) {
  if (tiff.size() < 8) return std::nullopt;
  TiffReader r{tiff, false};
  if (tiff.substr(0, 2) == "MM") {
    r.big_endian = true;
  } else if (tiff.substr(0, 2) != "II") {
    return std::nullopt;
  }
  if (r.u16(2) != 42u) return std::nullopt;
  const std::optional<uint32_t> ifd0 = r.u32(4);
  if (!ifd0) return std::nullopt;
  const std::optional<uint32_t> count = r.u16(*ifd0);
  if (!count) return std::nullopt;
  for (uint32_t i = 0; i < *count; ++i) {
    const std::size_t entry = std::size_t{*ifd0} + 2 + i * kIfdEntryBytes;
    if (entry > tiff.size() || tiff.size() - entry < kIfdEntryBytes) return std::nullopt;
    if (r.u16(entry) != kOrientationTag) continue;
    if (r.u16(entry + 2) != kTiffTypeShort || r.u32(entry + 4) != 1u) return std::nullopt;
    *big_endian = r.big_endian;
    return entry + 8;
  }
  return std::nullopt;
}

// Source coordinates of display pixel (x, y) for stored size w x h.
inline void source_xy(int orientation, int x, int y, int w, int h, int* sx, int* sy) {
  switch (orientation) {
    case 2: *sx = w - 1 - x; *sy = y; return;
    case 3: *sx = w - 1 - x; *sy = h - 1 - y; return;
    case 4: *sx = x; *sy = h - 1 - y; return;
    case 5: *sx = y; *sy = x; return;
    case 6: *sx = y; *sy = h - 1 - x; return;
    case 7: *sx = w - 1 - y; *sy = h - 1 - x; return;
    case 8: *sx = w - 1 - y; *sy = x; return;
    default: *sx = x; *sy = y; return;
  }
}

template <typename T>
void remap(const Image& src, Image& dst, int orientation) {
  const ImageView<const T> in = src.view<T>();
  const ImageView<T> out = dst.view<T>();
  const int c = in.channels;
  for (int y = 0; y < out.height; ++y) {
    T* row = out.row(y);
    for (int x = 0; x < out.width; ++x) {
      int sx = 0;
      int sy = 0;
      source_xy(orientation, x, y, in.width, in.height, &sx, &sy);
      std::memcpy(row + static_cast<std::ptrdiff_t>(x) * c, &in.at(sx, sy, 0), sizeof(T) * c);
    }
  }
}

}  // namespace

std::string_view strip_exif_identifier(std::string_view exif) {
  constexpr std::string_view kIdentifier("Exif\0\0", 6);
  return exif.substr(0, kIdentifier.size()) == kIdentifier ? exif.substr(kIdentifier.size()) : exif;
}

int exif_orientation(std::string_view tiff) {
  bool big_endian = false;
  const std::optional<std::size_t> at = find_orientation_value(tiff, &big_endian);
  if (!at) return 1;
  const auto v = TiffReader{tiff, big_endian}.u16(*at);
  return v && *v >= 1 && *v <= 8 ? static_cast<int>(*v) : 1;
}

bool set_exif_orientation(std::string& tiff, int orientation) {
  bool big_endian = false;
  const std::optional<std::size_t> at = find_orientation_value(tiff, &big_endian);
  if (!at) return false;
  const auto v = static_cast<uint16_t>(orientation);
  tiff[*at] = static_cast<char>(big_endian ? v >> 8 : v & 0xFF);
  tiff[*at + 1] = static_cast<char>(big_endian ? v & 0xFF : v >> 8);
  return true;
}

Result<Image> apply_orientation(const Image& image, int orientation) {
  if (orientation < 1 || orientation > 8) {
    return invalid_argument("EXIF orientation must be 1..8, got " + std::to_string(orientation));
  }
  if (image.empty()) return invalid_argument("cannot orient an empty image");
  if (orientation == 1) return image.clone();
  const bool swap = orientation >= 5;
  LITESR_ASSIGN_OR_RETURN(Image out, Image::create(swap ? image.height() : image.width(),
                                                   swap ? image.width() : image.height(), image.channels(),
                                                   image.type()));
  switch (image.type()) {
    case PixelType::kU8: remap<uint8_t>(image, out, orientation); break;
    case PixelType::kU16: remap<uint16_t>(image, out, orientation); break;
    case PixelType::kF32: remap<float>(image, out, orientation); break;
  }
  return out;
}

}  // namespace litesr

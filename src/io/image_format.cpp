#include "io/image_format.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <string>

namespace litesr {

namespace {

constexpr std::array<uint8_t, 8> kPngSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
constexpr std::array<uint8_t, 3> kJpegSignature = {0xFF, 0xD8, 0xFF};

bool starts_with(std::span<const uint8_t> bytes, std::string_view magic, std::size_t offset = 0) {
  return bytes.size() >= offset + magic.size() &&
         std::memcmp(bytes.data() + offset, magic.data(), magic.size()) == 0;
}

// True when `bytes` (shorter than `sig`) is a proper prefix of it.
template <std::size_t N>
bool is_truncated_signature(std::span<const uint8_t> bytes, const std::array<uint8_t, N>& sig) {
  return bytes.size() < N && std::equal(bytes.begin(), bytes.end(), sig.begin());
}

// Names a foreign format from its magic, or "" when unknown.
std::string_view foreign_format_name(std::span<const uint8_t> bytes) {
  if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) return "GIF";
  if (starts_with(bytes, "BM") && bytes.size() >= 14) return "BMP";
  if (starts_with(bytes, std::string_view("II*\0", 4)) || starts_with(bytes, std::string_view("MM\0*", 4)))
    return "TIFF";
  if (starts_with(bytes, "qoif")) return "QOI";
  if (starts_with(bytes, "ftypavif", 4) || starts_with(bytes, "ftypavis", 4)) return "AVIF";
  if (starts_with(bytes, "ftypheic", 4) || starts_with(bytes, "ftypheix", 4) || starts_with(bytes, "ftypmif1", 4))
    return "HEIF";
  if (starts_with(bytes, "\xFF\x0A") || starts_with(bytes, std::string_view("\0\0\0\x0CJXL \r\n\x87\n", 12)))
    return "JPEG XL";
  if (starts_with(bytes, "RIFF") && bytes.size() >= 12) return "RIFF (not WebP)";
  if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] >= '1' && bytes[1] <= '7') return "PNM";
  if (starts_with(bytes, "%PDF")) return "PDF";
  // Printable ASCII/UTF-8 in the first bytes: a text file (a common mistake: a list file passed as an image).
  const std::size_t n = std::min<std::size_t>(bytes.size(), 512);
  const bool text = std::all_of(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n), [](uint8_t c) {
    return c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c != 0x7F);
  });
  return text ? "text" : "";
}

}  // namespace

std::string_view image_format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng: return "png";
    case ImageFormat::kJpeg: return "jpg";
    case ImageFormat::kWebp: return "webp";
  }
  return "?";
}

Result<ImageFormat> image_format_from_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".png") return ImageFormat::kPng;
  if (ext == ".jpg" || ext == ".jpeg") return ImageFormat::kJpeg;
  if (ext == ".webp") return ImageFormat::kWebp;
  if (ext.empty()) {
    return invalid_argument(path.string() + ": no file extension to choose the image format from (use .png, "
                            ".jpg, .jpeg or .webp)");
  }
  return invalid_argument(path.string() + ": unknown image extension '" + path.extension().string() +
                          "' (use .png, .jpg, .jpeg or .webp)");
}

bool has_image_extension(const std::filesystem::path& path) { return image_format_from_extension(path).ok(); }

Result<ImageFormat> detect_image_format(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return corrupt_data("empty file");
  if (bytes.size() >= kPngSignature.size() && std::equal(kPngSignature.begin(), kPngSignature.end(), bytes.begin()))
    return ImageFormat::kPng;
  if (bytes.size() >= kJpegSignature.size() &&
      std::equal(kJpegSignature.begin(), kJpegSignature.end(), bytes.begin()))
    return ImageFormat::kJpeg;
  if (starts_with(bytes, "RIFF") && starts_with(bytes, "WEBP", 8)) return ImageFormat::kWebp;
  if (is_truncated_signature(bytes, kPngSignature)) return corrupt_data("truncated PNG data");
  if (is_truncated_signature(bytes, kJpegSignature)) return corrupt_data("truncated JPEG data");
  if (bytes.size() < 12 && starts_with(bytes, std::string_view("RIFF").substr(0, std::min<std::size_t>(bytes.size(), 4))))
    return corrupt_data("truncated WebP data");
  const std::string_view foreign = foreign_format_name(bytes);
  if (foreign == "text") return unsupported("a text file, not a PNG, JPEG or WebP image");
  if (!foreign.empty()) {
    return unsupported(std::string(foreign) + " images are not supported (LiteSR reads PNG, JPEG and WebP)");
  }
  return unsupported("not a PNG, JPEG or WebP image (unrecognised file signature)");
}

}  // namespace litesr

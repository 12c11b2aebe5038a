#include "base/image_size.h"

#include <charconv>
#include <string>

namespace litesr {

Result<ImageSize> parse_image_size(std::string_view text) {
  const std::size_t x = text.find_first_of("xX");
  auto parse = [](std::string_view s, int& v) {
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && ptr == s.data() + s.size() && v >= 1 && v <= 65536;
  };
  ImageSize size;
  if (x == std::string_view::npos || !parse(text.substr(0, x), size.width) ||
      !parse(text.substr(x + 1), size.height)) {
    return invalid_argument("size '" + std::string(text) + "' is not WIDTHxHEIGHT (e.g. 1280x720, 1..65536 each)");
  }
  return size;
}

std::string size_text(int width, int height) { return std::to_string(width) + "x" + std::to_string(height); }

}  // namespace litesr

// Image sizes given on the command line as "WIDTHxHEIGHT" (profile / bench / export --input, resize --size).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace litesr {

// A width x height in pixels.
struct ImageSize {
  int width = 0;
  int height = 0;
};

// Parses "WIDTHxHEIGHT" (e.g. "1280x720"; 'X' also accepted; both 1..65536, nothing else around them).
// kInvalidArgument otherwise.
Result<ImageSize> parse_image_size(std::string_view text);

// "WIDTHxHEIGHT" (e.g. "1280x720"), as messages print a size.
std::string size_text(int width, int height);

}  // namespace litesr

// SHA-256 (FIPS 180-4) of a byte string, as lowercase hex: identifies the model files behind a report, so a
// reader can check that `sha256sum models/elsr-x4.safetensors` is the file that produced the numbers.
#pragma once

#include <string>
#include <string_view>

namespace litesr {

// 64 lowercase hex digits; sha256_hex("") = "e3b0c442...b855".
std::string sha256_hex(std::string_view bytes);

}  // namespace litesr

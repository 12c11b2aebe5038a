// Argument checks shared by Session and MultiFrameSession: an LR view and an SR view of `channels` channels,
// the SR view exactly `scale` times the LR size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/image.h"
#include "base/status.h"

namespace litesr {

// `item` names one input in messages ("image", "frame"); `taker` names what consumes it ("model").
template <typename In, typename Out>
Status check_sr_views(const ImageView<In>& lr, const ImageView<Out>& sr, int channels, int scale,
                      std::string_view item, std::string_view taker) {  // views: no allocation unless failing
  if (lr.empty() || lr.data == nullptr) return invalid_argument("empty input " + std::string(item));
  if (lr.channels != channels || sr.channels != channels) {
    return invalid_argument(std::string(taker) + " takes " + std::to_string(channels) + "-channel images, got " +
                            std::to_string(lr.channels) + " in and " + std::to_string(sr.channels) + " out");
  }
  if (static_cast<int64_t>(sr.width) != static_cast<int64_t>(lr.width) * scale ||
      static_cast<int64_t>(sr.height) != static_cast<int64_t>(lr.height) * scale || sr.data == nullptr) {
    return invalid_argument("output must be " + std::to_string(scale) + "x the input size");
  }
  return {};
}

}  // namespace litesr

// Row y of plane `plane` of a decoded or to-be-encoded FFmpeg frame, as samples of type T (uint8_t for 8-bit
// planes, uint16_t for 10/12-bit ones; const T to read). Internal to src/video.
#pragma once

#include <cstddef>

extern "C" {
#include <libavutil/frame.h>
}

namespace litesr::video_detail {

template <typename T>
T* plane_row(const AVFrame& f, int plane, int y) {
  return reinterpret_cast<T*>(f.data[plane] + static_cast<std::ptrdiff_t>(y) * f.linesize[plane]);
}

}  // namespace litesr::video_detail

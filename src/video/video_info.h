// What a video input holds: probe_video() opens a file or an image-sequence pattern
// ("frames/%08d.png") and describes its best video stream and the streams beside it.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace litesr {

struct VideoInfo {
  std::string path;
  std::string format_name;    // demuxer, e.g. "avi", "matroska,webm", "image2"
  std::string codec_name;     // e.g. "h264", "msmpeg4v3", "png"
  std::string pixel_format;   // decoder output, e.g. "yuv420p10le"
  int width = 0;              // pixels
  int height = 0;
  int bit_depth = 8;          // bits per sample of the decoded pixel format
  double frame_rate = 0;      // average frames per second (0 unknown)
  int64_t frame_count = 0;    // declared by the container, else estimated from duration (0 unknown)
  double duration_s = 0;      // container duration in seconds (0 unknown)
  std::string color_matrix;   // resolved matrix used for conversion: "bt601", "bt709", "bt2020"
  std::string color_range;    // resolved: "limited" or "full"
  int audio_streams = 0;
  int subtitle_streams = 0;
  int data_streams = 0;       // data and attachment streams
};

Result<VideoInfo> probe_video(const std::string& path);

}  // namespace litesr

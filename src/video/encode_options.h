// How the upscaled video is encoded (CLI: -c, --crf, --preset, --pix-fmt, -e key=value).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace litesr {

struct EncodeOptions {
  // FFmpeg encoder name: "libx264", "libx265", "ffv1", "png", "rawvideo", ... Empty: the output
  // container's default (libx264 for .mkv/.mp4/.mov, png for "%08d.png" sequences, ...).
  std::string codec;
  int crf = -1;                 // constant rate factor; -1 = the encoder's default (x264/x265: 23/28)
  std::string preset;           // encoder preset ("medium", "veryfast", ...); empty = encoder default
  // Output pixel format ("yuv420p", "yuv420p10le", "rgb24", ...). Empty: the encoder's format
  // closest to the input's (10-bit input -> 10-bit output; RGB input to H.264/HEVC -> yuv420p).
  std::string pix_fmt;
  std::vector<std::pair<std::string, std::string>> codec_options;  // -e key=value, passed to avcodec_open2
  int threads = 0;              // encoder threads, 0 = FFmpeg's choice
};

}  // namespace litesr

// The last step of a --resume job: one output from the finished video segments (closed-GOP NUT files
// with the original timestamps) and the copy streams of the input, merged in timestamp order.
// Internal to src/video.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "video/video_reader.h"

namespace litesr::video_detail {

struct ConcatConfig {
  std::vector<std::string> segments;  // in order
  std::string input;                  // the job's input, read again for its copy streams
  ReaderOptions copy;                 // which streams to copy (decode_video is ignored)
  std::string output;                 // final name (chooses the container)
  std::string io_path;                // where the bytes go (temporary file)
};

// Returns the input streams the container could not hold, as "#index codec".
Result<std::vector<std::string>> concat_segments(const ConcatConfig& config);

}  // namespace litesr::video_detail

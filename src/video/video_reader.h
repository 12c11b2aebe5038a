// VideoReader: demuxes any FFmpeg input (file or image-sequence pattern) or a YUV4MPEG2 stream on standard
// input (path "-"), decodes its best video stream and hands out, in file order, decoded frames and the packets
// of the streams to be copied. Internal to src/video.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "video/av_handles.h"
#include "video/frame_converter.h"
#include "video/stdio_stream.h"
#include "video/video_info.h"

namespace litesr::video_detail {

struct ReaderOptions {
  bool copy_audio = true;
  bool copy_subtitles = true;
  bool copy_data = true;           // data and attachment streams
  bool decode_video = true;        // false: only copy packets are produced (final mux of --resume)
  int threads = 0;                 // decoder threads, 0 = FFmpeg's choice
  bool strict_length = true;       // ending well short of the declared duration is corrupt_data
  // Standard input only: asked while waiting for bytes; true ends the wait with `cancelled`.
  std::function<bool()> interrupted;
};

class VideoReader {
 public:
  enum class Item { kFrame, kPacket, kEnd };

  // `path` "-" reads YUV4MPEG2 from standard input (anything else there is corrupt_data, said plainly).
  static Result<std::unique_ptr<VideoReader>> open(const std::string& path, const ReaderOptions& options);

  const VideoInfo& info() const { return info_; }
  AVFormatContext* format() const { return fmt_.get(); }
  AVStream* video_stream() const { return fmt_->streams[video_index_]; }
  int video_index() const { return video_index_; }
  const FrameColor& color() const { return color_; }
  // Input stream indices whose packets next() returns (audio/subtitle/data, as selected).
  const std::vector<int>& copy_streams() const { return copy_streams_; }

  // kFrame: `frame` holds the next decoded frame, frame->pts in video_stream()->time_base (never
  // AV_NOPTS_VALUE: missing timestamps are synthesised from the previous frame and its duration).
  // kPacket: `packet` holds a packet of a copy stream (stream_index = input index). kEnd: finished.
  Result<Item> next(AVFrame& frame, AVPacket& packet);
  int64_t frames_decoded() const { return frames_; }

 private:
  VideoReader() = default;
  Status check_complete() const;

  std::string path_;  // as written in messages: the input path, or "stdin"
  ReaderOptions options_;
  std::unique_ptr<StdioStream> stdin_;  // declared before fmt_: outlives the demuxer that reads through it
  InputFormatPtr fmt_;
  bool y4m_ = false;        // YUV4MPEG2 input: a partial last frame is detected at the end
  int64_t video_end_ = -1;  // byte offset just past the last video packet read (-1: none yet)
  CodecContextPtr dec_;
  int video_index_ = -1;
  std::vector<int> copy_streams_;
  std::vector<bool> is_copy_;
  VideoInfo info_;
  FrameColor color_;
  bool demux_eof_ = false;
  int64_t frames_ = 0;
  int64_t next_pts_ = AV_NOPTS_VALUE;
  int64_t last_end_pts_ = AV_NOPTS_VALUE;
};

}  // namespace litesr::video_detail

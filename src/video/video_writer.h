// VideoWriter: encodes RGB-converted AVFrames with one FFmpeg encoder and muxes them, together with
// packets copied from the input (audio, subtitles, data), into one output (file, image-sequence
// pattern, YUV4MPEG2 on standard output, or FFmpeg's "null" muxer for benchmarks). Internal to src/video.
//
// Timestamps: frames carry pts in `time_base` (the input video stream's); packets are rescaled with
// av_packet_rescale_ts to each output stream's time base, so VFR timing survives. Copied packets keep
// their bytes, pts, dts and duration. Container and stream metadata, dispositions and the colour tags
// (primaries, transfer, matrix, range, chroma siting) are carried over.
//
// YUV4MPEG2 (y4m_format.h; path "-" = standard output, or a ".y4m" file): uncompressed frames (FFmpeg's
// wrapped_avframe encoder), a y4m pixel format, no copied streams (reported as skipped), and constant rate:
// y4m has no timestamps and its muxer writes F from the stream time base, so the time base is 1/frame_rate
// and output frame n is shown at n/frame_rate. Each frame goes to the slot nearest its own time (counted from
// the first frame); slots skipped by a variable-rate input repeat the frame before them (still on screen
// then), and a frame whose slot is taken is dropped: the timing of `ffmpeg -vsync cfr`
// (repeated_frames(), dropped_frames()).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "video/av_handles.h"
#include "video/encode_options.h"
#include "video/frame_converter.h"
#include "video/stdio_stream.h"

namespace litesr::video_detail {

struct WriterConfig {
  std::string path;            // the name the muxer is chosen from and written into messages; "-": y4m to stdout
  std::string io_path;         // where the bytes go (a temporary file); empty = `path`
  std::string format_name;     // forced muxer ("nut", "null"); empty = guessed from `path`
  int width = 0;               // output frame size, pixels
  int height = 0;
  AVRational time_base{1, 25};  // of the frames' pts
  AVRational frame_rate{25, 1};  // average, for rate control and the stream header
  EncodeOptions encode;
  int source_bit_depth = 8;
  AVPixelFormat source_pix_fmt = AV_PIX_FMT_YUV420P;
  FrameColor color;            // matrix/range/siting written (and tagged)
  AVColorPrimaries primaries = AVCOL_PRI_UNSPECIFIED;
  AVColorTransferCharacteristic transfer = AVCOL_TRC_UNSPECIFIED;
  const AVFormatContext* source = nullptr;  // container metadata; owner of the copy streams
  const AVStream* source_video = nullptr;   // metadata and disposition of the video stream
  std::vector<int> copy_streams;            // input stream indices to copy into the output
  bool no_b_frames = false;    // segments for --resume: dts must not step back across segments
  std::function<bool()> interrupted;  // standard output only: asked while a write waits (true: cancelled)
};

// What VideoWriter::open(config) will write, worked out without opening anything (the one place for the rule):
// the muxer, the encoder, its pixel format and the colour written (a yuvj* format or y4m's full-range forms make it
// full range). The job uses it to choose its frame path before the first frame (frame_pipeline.cpp).
struct OutputPlan {
  const AVOutputFormat* format = nullptr;
  const AVCodec* codec = nullptr;
  AVPixelFormat pix_fmt = AV_PIX_FMT_NONE;
  FrameColor color;
  bool y4m = false;
};
Result<OutputPlan> plan_output(const WriterConfig& config);

class VideoWriter {
 public:
  static Result<std::unique_ptr<VideoWriter>> open(const WriterConfig& config);
  ~VideoWriter();

  AVPixelFormat pixel_format() const { return enc_->pix_fmt; }
  const char* codec_name() const { return enc_->codec->name; }
  const FrameColor& color() const { return config_.color; }
  // A frame of the encoder's format and size with buffers allocated.
  Result<FramePtr> make_frame() const;
  // Encodes one frame (pts in config.time_base).
  Status write_frame(AVFrame& frame);
  // Writes a packet of input stream `packet.stream_index` (time base of that input stream); packets
  // of streams that are not copied are ignored.
  Status write_packet(AVPacket& packet);
  // Flushes the encoder and writes the trailer. Without finish() the output is incomplete.
  Status finish();
  // Input streams that could not be copied because the container cannot hold them ("#2 subrip").
  const std::vector<std::string>& skipped_streams() const { return skipped_; }
  // Encoder extradata and parameters of the video output stream (for concatenating segments).
  const AVStream* video_stream() const { return out_->streams[0]; }
  // Standard output: a write failed because the reading end of the pipe was closed (EPIPE).
  bool broken_pipe() const { return stdout_ != nullptr && stdout_->broken_pipe(); }
  // YUV4MPEG2: frames written again to fill a gap, and frames left out because their slot was taken.
  int64_t repeated_frames() const { return repeated_; }
  int64_t dropped_frames() const { return dropped_; }

 private:
  VideoWriter() = default;
  Status drain(bool flushing);
  Status encode(AVFrame& frame);  // tags the frame's colour, sends it to the encoder, writes the packets

  WriterConfig config_;
  std::string name_;                     // the output as written in messages: the path, or "stdout"
  std::unique_ptr<StdioStream> stdout_;  // declared before out_: outlives the muxer that writes through it
  OutputFormatPtr out_;
  CodecContextPtr enc_;
  PacketPtr pkt_;
  std::vector<int> out_index_;  // input stream index -> output stream index, -1 = not copied
  std::vector<std::string> skipped_;
  bool header_written_ = false;
  bool finished_ = false;
  bool y4m_ = false;                    // constant-rate output, pts = slot number
  int64_t first_pts_ = AV_NOPTS_VALUE;  // y4m: the first frame's pts, config.time_base
  int64_t next_slot_ = 0;               // y4m: the next output frame number
  FramePtr last_;                       // y4m: a reference to the last frame written, for repeats
  int64_t repeated_ = 0;
  int64_t dropped_ = 0;
};

// Muxer-independent helpers shared with segment concatenation.
// Copies container metadata, skipping tags that the muxer rewrites itself (duration, encoder).
void copy_metadata(AVDictionary** dst, const AVDictionary* src);

}  // namespace litesr::video_detail

// RAII owners for FFmpeg objects and the FFmpeg-error -> Status mapping. Internal to src/video: public
// video headers never include FFmpeg, so the CLI and tests see only LiteSR types.
#pragma once

#include <memory>
#include <string>
#include <string_view>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include "base/status.h"

namespace litesr::video_detail {

struct InputFormatDeleter {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
// An output context owns its AVIOContext (closed here if the muxer opened one), except a caller-supplied one
// (AVFMT_FLAG_CUSTOM_IO, e.g. StdioStream), which its owner frees.
struct OutputFormatDeleter {
  void operator()(AVFormatContext* c) const {
    if (c == nullptr) return;
    if (c->oformat != nullptr && !(c->oformat->flags & AVFMT_NOFILE) && !(c->flags & AVFMT_FLAG_CUSTOM_IO) &&
        c->pb != nullptr)
      avio_closep(&c->pb);
    avformat_free_context(c);
  }
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsDeleter {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
struct DictDeleter {
  void operator()(AVDictionary* d) const { av_dict_free(&d); }
};

using InputFormatPtr = std::unique_ptr<AVFormatContext, InputFormatDeleter>;
using OutputFormatPtr = std::unique_ptr<AVFormatContext, OutputFormatDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;

inline FramePtr make_frame() { return FramePtr(av_frame_alloc()); }
inline PacketPtr make_packet() { return PacketPtr(av_packet_alloc()); }

// "what: <av_strerror text>" as a Status; AVERROR_INVALIDDATA and friends map to corrupt_data,
// ENOENT to not_found, ENOMEM to resource_exhausted, EXIT to cancelled, everything else to io_error.
inline Status av_error(int err, std::string_view what) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof(buf));
  std::string message = std::string(what) + ": " + buf;
  if (err == AVERROR_INVALIDDATA || err == AVERROR_EOF || err == AVERROR_BUG) return corrupt_data(std::move(message));
  if (err == AVERROR(ENOENT)) return not_found(std::move(message));
  if (err == AVERROR(ENOMEM)) return resource_exhausted(std::move(message));
  if (err == AVERROR_EXIT) return cancelled(std::move(message));
  if (err == AVERROR_ENCODER_NOT_FOUND || err == AVERROR_DECODER_NOT_FOUND || err == AVERROR_PATCHWELCOME ||
      err == AVERROR(ENOSYS))
    return unsupported(std::move(message));
  return io_error(std::move(message));
}

// A frame of `format`, width x height, with its buffers allocated (av_frame_get_buffer).
inline Result<FramePtr> make_frame(AVPixelFormat format, int width, int height) {
  FramePtr f = make_frame();
  if (!f) return resource_exhausted("cannot allocate a frame");
  f->format = format;
  f->width = width;
  f->height = height;
  const int err = av_frame_get_buffer(f.get(), 0);
  if (err < 0) return av_error(err, "frame buffer");
  return f;
}

}  // namespace litesr::video_detail

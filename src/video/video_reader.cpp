#include "video/video_reader.h"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string_view>

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace litesr::video_detail {
namespace {

// Every YUV4MPEG2 stream starts with these bytes and a space (libavformat/yuv4mpeg.h Y4M_MAGIC; the format:
// https://wiki.multimedia.cx/index.php/YUV4MPEG2).
constexpr std::string_view kY4mMagic = "YUV4MPEG2 ";
constexpr const char* kY4mHint =
    "`-i -` reads YUV4MPEG2, e.g. `ffmpeg -i IN -f yuv4mpegpipe - | litesr video -i - -o OUT`";

// The first bytes of a non-y4m input, for the error message: printable ASCII as is, the rest as \xNN.
std::string describe_start(const std::string& head) {
  std::string s;
  for (const char c : head) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isprint(u) != 0) {
      s += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      s += buf;
    }
  }
  return s;
}

// Opens the YUV4MPEG2 demuxer on standard input through `in`; empty or non-y4m input is a plain error.
Result<AVFormatContext*> open_stdin(StdioStream& in, const std::string& name) {
  LITESR_ASSIGN_OR_RETURN(const std::string head, in.peek(kY4mMagic.size(), name));
  if (head.empty()) return corrupt_data(name + ": empty input, no YUV4MPEG2 stream: " + kY4mHint);
  if (head != kY4mMagic)
    return corrupt_data(name + ": not a YUV4MPEG2 stream (it starts with \"" + describe_start(head) +
                        "\"): " + kY4mHint);
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) return resource_exhausted(name + ": cannot allocate the demuxer");
  raw->pb = in.avio();  // avformat_open_input marks it AVFMT_FLAG_CUSTOM_IO: closing the demuxer leaves it to us
  const int err = avformat_open_input(&raw, "pipe:0", av_find_input_format("yuv4mpegpipe"), nullptr);
  if (err < 0) return av_error(err, name + ": not a valid YUV4MPEG2 stream header");  // raw is freed on failure
  return raw;
}

}  // namespace

Result<std::unique_ptr<VideoReader>> VideoReader::open(const std::string& path, const ReaderOptions& options) {
  std::unique_ptr<VideoReader> r(new VideoReader());
  const bool from_stdin = is_stdio_path(path);
  r->path_ = from_stdin ? "stdin" : path;
  r->options_ = options;
  const std::string& name = r->path_;
  AVFormatContext* raw = nullptr;
  int err = 0;
  if (from_stdin) {
    LITESR_ASSIGN_OR_RETURN(r->stdin_,
                            StdioStream::open(STDIN_FILENO, StdioStream::Direction::kRead, options.interrupted));
    LITESR_ASSIGN_OR_RETURN(raw, open_stdin(*r->stdin_, name));
  } else {
    err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
    if (err < 0) return av_error(err, name + ": cannot open input");
  }
  r->fmt_.reset(raw);
  AVFormatContext* fmt = raw;
  r->y4m_ = std::strcmp(fmt->iformat->name, "yuv4mpegpipe") == 0;
  err = avformat_find_stream_info(fmt, nullptr);
  if (err < 0) return av_error(err, name + ": cannot read stream information");
  const AVCodec* decoder = nullptr;
  r->video_index_ = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
  if (r->video_index_ < 0) return av_error(r->video_index_, name + ": no decodable video stream");
  AVStream* vs = fmt->streams[r->video_index_];

  VideoInfo& info = r->info_;
  info.path = name;
  info.format_name = fmt->iformat->name;
  info.codec_name = avcodec_get_name(vs->codecpar->codec_id);
  r->is_copy_.assign(fmt->nb_streams, false);
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    AVStream* s = fmt->streams[i];
    const AVMediaType type = s->codecpar->codec_type;
    bool copy = false;
    if (type == AVMEDIA_TYPE_AUDIO) {
      ++info.audio_streams;
      copy = options.copy_audio;
    } else if (type == AVMEDIA_TYPE_SUBTITLE) {
      ++info.subtitle_streams;
      copy = options.copy_subtitles;
    } else if (type == AVMEDIA_TYPE_DATA || type == AVMEDIA_TYPE_ATTACHMENT) {
      ++info.data_streams;
      copy = options.copy_data;
    } else if (type == AVMEDIA_TYPE_VIDEO && static_cast<int>(i) != r->video_index_ &&
               (s->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0) {
      copy = options.copy_data;  // cover art
    }
    if (copy) {
      r->copy_streams_.push_back(static_cast<int>(i));
      r->is_copy_[i] = true;
    } else if (static_cast<int>(i) != r->video_index_) {
      s->discard = AVDISCARD_ALL;
    }
  }
  if (!options.decode_video) vs->discard = AVDISCARD_ALL;

  r->dec_.reset(avcodec_alloc_context3(decoder));
  if (!r->dec_) return resource_exhausted(name + ": cannot allocate decoder");
  err = avcodec_parameters_to_context(r->dec_.get(), vs->codecpar);
  if (err < 0) return av_error(err, name + ": decoder parameters");
  r->dec_->pkt_timebase = vs->time_base;
  r->dec_->thread_count = options.threads;
  r->dec_->err_recognition |= AV_EF_EXPLODE;  // corrupt bitstreams are errors, not concealed
  if (options.decode_video) {
    err = avcodec_open2(r->dec_.get(), decoder, nullptr);
    if (err < 0) return av_error(err, name + ": cannot open decoder " + decoder->name);
  }
  const AVCodecContext* dec = r->dec_.get();
  info.width = dec->width;
  info.height = dec->height;
  const AVPixelFormat pix = dec->pix_fmt;
  info.pixel_format = pix == AV_PIX_FMT_NONE ? "none" : av_get_pix_fmt_name(pix);
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(pix);
  info.bit_depth = desc != nullptr ? desc->comp[0].depth : 8;
  const AVRational rate = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : vs->r_frame_rate;
  info.frame_rate = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0.0;
  info.duration_s = fmt->duration > 0 ? fmt->duration / static_cast<double>(AV_TIME_BASE) : 0.0;
  const double stream_duration = vs->duration > 0 ? vs->duration * av_q2d(vs->time_base) : info.duration_s;
  info.frame_count = vs->nb_frames > 0 ? vs->nb_frames
                                       : static_cast<int64_t>(std::llround(stream_duration * info.frame_rate));
  r->color_ = resolve_frame_color(vs->codecpar->color_space, vs->codecpar->color_range,
                                  vs->codecpar->chroma_location, pix, info.width, info.height);
  info.color_matrix = color_matrix_name(r->color_.matrix);
  info.color_range = color_range_name(r->color_.range);
  return r;
}

Result<VideoReader::Item> VideoReader::next(AVFrame& frame, AVPacket& packet) {
  AVFormatContext* fmt = fmt_.get();
  while (true) {
    if (options_.decode_video) {
      const int err = avcodec_receive_frame(dec_.get(), &frame);
      if (err >= 0) {
        int64_t pts = frame.best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE) pts = next_pts_ != AV_NOPTS_VALUE ? next_pts_ : 0;
        frame.pts = pts;
        int64_t duration = frame.pkt_duration;  // AVFrame.duration arrives after FFmpeg 5.1
        if (duration <= 0) {
          const AVRational rate = video_stream()->avg_frame_rate.num > 0 ? video_stream()->avg_frame_rate
                                                                          : video_stream()->r_frame_rate;
          duration = rate.num > 0 ? av_rescale_q(1, av_inv_q(rate), video_stream()->time_base) : 1;
          if (duration <= 0) duration = 1;
        }
        next_pts_ = pts + duration;
        last_end_pts_ = next_pts_;
        ++frames_;
        return Item::kFrame;
      }
      if (err == AVERROR_EOF) {
        LITESR_RETURN_IF_ERROR(check_complete());
        return Item::kEnd;
      }
      if (err != AVERROR(EAGAIN)) return av_error(err, path_ + ": decoding frame " + std::to_string(frames_));
    } else if (demux_eof_) {
      return Item::kEnd;
    }
    if (demux_eof_) return internal_error(path_ + ": decoder wants input after end of stream");
    av_packet_unref(&packet);
    const int rerr = av_read_frame(fmt, &packet);
    if (rerr == AVERROR_EOF || (rerr < 0 && avio_feof(fmt->pb) && fmt->pb->error == 0)) {
      demux_eof_ = true;
      if (fmt->pb != nullptr && fmt->pb->error < 0) return av_error(fmt->pb->error, path_ + ": read error");
      if (options_.decode_video) {
        const int serr = avcodec_send_packet(dec_.get(), nullptr);
        if (serr < 0) return av_error(serr, path_ + ": flushing decoder");
      }
      continue;
    }
    if (rerr < 0) return av_error(rerr, path_ + ": reading packet");
    if (packet.stream_index == video_index_ && options_.decode_video) {
      if (packet.pos >= 0) video_end_ = packet.pos + packet.size;
      const int serr = avcodec_send_packet(dec_.get(), &packet);
      av_packet_unref(&packet);
      if (serr < 0 && serr != AVERROR(EAGAIN))
        return av_error(serr, path_ + ": corrupt video data near frame " + std::to_string(frames_));
      continue;
    }
    if (packet.stream_index >= 0 && static_cast<std::size_t>(packet.stream_index) < is_copy_.size() &&
        is_copy_[packet.stream_index]) {
      return Item::kPacket;
    }
    av_packet_unref(&packet);
  }
}

// A clean end of file that stops well short of the stream's declared duration is a truncated file.
Status VideoReader::check_complete() const {
  if (!options_.strict_length) return {};
  if (frames_ == 0) return corrupt_data(path_ + ": no video frame could be decoded");
  // YUV4MPEG2 declares no length, and libavformat's demuxer ends quietly at a partial frame
  // (libavformat/yuv4mpegdec.c: AVERROR_EOF on a short read): bytes consumed past the last complete frame
  // mean the writer stopped mid-frame (an upstream that died, a cut file).
  if (y4m_ && video_end_ >= 0 && fmt_->pb != nullptr) {
    const int64_t consumed = avio_tell(fmt_->pb);
    if (consumed > video_end_) {
      return corrupt_data(path_ + ": truncated: the YUV4MPEG2 stream ends inside a frame (" + std::to_string(frames_) +
                          " complete frames, then " + std::to_string(consumed - video_end_) + " bytes)");
    }
  }
  const AVStream* vs = video_stream();
  // (Not nb_frames: AVI counts frame slots, and VFR files such as tree.avi fill 68 of 444.)
  // The video stream's own duration: the stream header, else Matroska's per-stream DURATION tag
  // ("HH:MM:SS.nnnnnnnnn"); tolerance 0.25 s or 3 %. Without either, the container's duration (which
  // other streams may extend) with tolerance 1 s or 5 %.
  if (last_end_pts_ == AV_NOPTS_VALUE) return {};
  double declared = 0, tolerance = 0;
  if (vs->duration > 0) {
    declared = vs->duration * av_q2d(vs->time_base);
  } else if (const AVDictionaryEntry* tag = av_dict_get(vs->metadata, "DURATION", nullptr, 0)) {
    int h = 0, m = 0;
    double sec = 0;
    if (std::sscanf(tag->value, "%d:%d:%lf", &h, &m, &sec) == 3) declared = h * 3600.0 + m * 60.0 + sec;
  }
  if (declared > 0) {
    tolerance = std::max(0.25, 0.03 * declared);
  } else if (fmt_->duration > 0) {
    declared = fmt_->duration / static_cast<double>(AV_TIME_BASE);
    tolerance = std::max(1.0, 0.05 * declared);
  }
  if (declared > 0) {
    const double start = vs->start_time != AV_NOPTS_VALUE ? vs->start_time * av_q2d(vs->time_base) : 0.0;
    const double reached = last_end_pts_ * av_q2d(vs->time_base) - start;
    if (reached < declared - tolerance) {
      return corrupt_data(path_ + ": truncated: the stream declares " + std::to_string(declared) +
                          " s, decoding ended at " + std::to_string(reached) + " s");
    }
  }
  return {};
}

Result<VideoInfo> probe_video(const std::string& path) {
  LITESR_ASSIGN_OR_RETURN(auto reader, VideoReader::open(path, ReaderOptions{}));
  return reader->info();
}

}  // namespace litesr::video_detail

namespace litesr {
Result<VideoInfo> probe_video(const std::string& path) { return video_detail::probe_video(path); }
}  // namespace litesr

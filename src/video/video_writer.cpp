#include "video/video_writer.h"

#include <unistd.h>

#include <cstring>

extern "C" {
#include <libavutil/avstring.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

#include "video/y4m_format.h"

namespace litesr::video_detail {
namespace {

bool is_rgb_pix_fmt(AVPixelFormat fmt) {
  const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt);
  return d != nullptr && (d->flags & AV_PIX_FMT_FLAG_RGB) != 0;
}

bool in_list(const AVPixelFormat* list, AVPixelFormat fmt) {
  if (list == nullptr) return true;  // the encoder takes anything (rawvideo)
  for (; *list != AV_PIX_FMT_NONE; ++list)
    if (*list == fmt) return true;
  return false;
}

Result<AVPixelFormat> choose_pix_fmt(const AVCodec* codec, const WriterConfig& c) {
  if (!c.encode.pix_fmt.empty()) {
    const AVPixelFormat fmt = av_get_pix_fmt(c.encode.pix_fmt.c_str());
    if (fmt == AV_PIX_FMT_NONE) return invalid_argument("unknown pixel format '" + c.encode.pix_fmt + "'");
    if (!in_list(codec->pix_fmts, fmt))
      return invalid_argument("encoder " + std::string(codec->name) + " does not take pixel format " + c.encode.pix_fmt);
    return fmt;
  }
  const AVPixelFormat src = c.source_pix_fmt;
  if (codec->pix_fmts == nullptr) return is_direct_pixel_format(src) ? src : AV_PIX_FMT_RGB24;
  if ((codec->id == AV_CODEC_ID_H264 || codec->id == AV_CODEC_ID_HEVC) && is_rgb_pix_fmt(src)) {
    const AVPixelFormat want = c.source_bit_depth > 8 ? AV_PIX_FMT_YUV420P10LE : AV_PIX_FMT_YUV420P;
    if (in_list(codec->pix_fmts, want)) return want;
  }
  if (in_list(codec->pix_fmts, src)) return src;
  const AVPixelFormat best = avcodec_find_best_pix_fmt_of_list(codec->pix_fmts, src, 0, nullptr);
  if (best == AV_PIX_FMT_NONE) return unsupported(std::string("encoder ") + codec->name + " has no usable pixel format");
  return best;
}

}  // namespace

void copy_metadata(AVDictionary** dst, const AVDictionary* src) {
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(src, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    if (av_strcasecmp(e->key, "duration") == 0 || av_strcasecmp(e->key, "encoder") == 0 ||
        av_strncasecmp(e->key, "_statistics", 11) == 0 || av_strncasecmp(e->key, "number_of_", 10) == 0)
      continue;
    av_dict_set(dst, e->key, e->value, 0);
  }
}

Result<OutputPlan> plan_output(const WriterConfig& config) {
  OutputPlan plan;
  plan.color = config.color;
  const bool to_stdout = is_stdio_path(config.path);
  const std::string path = to_stdout ? "stdout" : config.path;
  plan.format = to_stdout ? av_guess_format(kY4mMuxer, nullptr, nullptr)
                : config.format_name.empty() ? av_guess_format(nullptr, path.c_str(), nullptr)
                                             : av_guess_format(config.format_name.c_str(), nullptr, nullptr);
  if (plan.format == nullptr) return unsupported(path + ": no container format known for this file name");
  plan.y4m = std::strcmp(plan.format->name, kY4mMuxer) == 0;
  // Encoder: by name, or the default of the container the file name implies; y4m: uncompressed frames.
  if (plan.y4m) {
    LITESR_RETURN_IF_ERROR(check_y4m_encode_options(config.encode, path));
    plan.codec = avcodec_find_encoder(AV_CODEC_ID_WRAPPED_AVFRAME);
    if (plan.codec == nullptr) return unsupported(path + ": this FFmpeg has no wrapped_avframe encoder for YUV4MPEG2");
  } else if (!config.encode.codec.empty()) {
    plan.codec = avcodec_find_encoder_by_name(config.encode.codec.c_str());
    if (plan.codec == nullptr) return unsupported("unknown or unavailable encoder '" + config.encode.codec + "'");
    if (plan.codec->type != AVMEDIA_TYPE_VIDEO) return invalid_argument("'" + config.encode.codec + "' is not a video encoder");
  } else {
    const AVOutputFormat* named = av_guess_format(nullptr, path.c_str(), nullptr);
    const AVCodecID id = av_guess_codec(named != nullptr ? named : plan.format, nullptr, path.c_str(), nullptr, AVMEDIA_TYPE_VIDEO);
    plan.codec = avcodec_find_encoder(id);
    if (plan.codec == nullptr) return unsupported(path + ": no video encoder for this container");
  }
  if (plan.y4m) {
    bool full_range = false;
    LITESR_ASSIGN_OR_RETURN(plan.pix_fmt, choose_y4m_pix_fmt(config.encode.pix_fmt, config.source_pix_fmt, &full_range));
    if (full_range) plan.color.range = ColorRange::kFull;  // a yuvj* format, written as plain + FULL
  } else {
    LITESR_ASSIGN_OR_RETURN(plan.pix_fmt, choose_pix_fmt(plan.codec, config));
  }

  if (plan.pix_fmt == AV_PIX_FMT_YUVJ420P || plan.pix_fmt == AV_PIX_FMT_YUVJ422P || plan.pix_fmt == AV_PIX_FMT_YUVJ444P)
    plan.color.range = ColorRange::kFull;  // the J formats are full range by definition
  return plan;
}

Result<std::unique_ptr<VideoWriter>> VideoWriter::open(const WriterConfig& config) {
  std::unique_ptr<VideoWriter> w(new VideoWriter());
  w->config_ = config;
  const bool to_stdout = is_stdio_path(config.path);
  w->name_ = to_stdout ? "stdout" : config.path;
  const std::string& path = w->name_;
  const std::string io_path = config.io_path.empty() ? config.path : config.io_path;
  LITESR_ASSIGN_OR_RETURN(const OutputPlan plan, plan_output(config));
  const AVOutputFormat* ofmt = plan.format;
  w->y4m_ = plan.y4m;
  w->config_.color = plan.color;
  AVFormatContext* raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, ofmt, nullptr, to_stdout ? nullptr : io_path.c_str());
  if (err < 0) return av_error(err, path + ": cannot create output");
  w->out_.reset(raw);
  AVFormatContext* out = raw;

  if (w->y4m_) out->strict_std_compliance = FF_COMPLIANCE_UNOFFICIAL;  // 9..16-bit y4m is an FFmpeg extension
  const AVCodec* codec = plan.codec;
  const AVPixelFormat pix_fmt = plan.pix_fmt;
  const FrameColor& color = w->config_.color;
  w->enc_.reset(avcodec_alloc_context3(codec));
  if (!w->enc_) return resource_exhausted("cannot allocate encoder");
  AVCodecContext* enc = w->enc_.get();
  enc->width = config.width;
  enc->height = config.height;
  enc->pix_fmt = pix_fmt;
  // y4m: constant rate, one tick per frame (its muxer writes F from the stream time base).
  enc->time_base = w->y4m_ ? av_inv_q(config.frame_rate) : config.time_base;
  enc->framerate = config.frame_rate;
  enc->thread_count = config.encode.threads;
  if (config.source_video != nullptr) {
    // The container's sample aspect ratio wins over the codec's, as in av_guess_sample_aspect_ratio (y4m's A
    // field, for one, is only on the stream).
    const AVRational container = config.source_video->sample_aspect_ratio;
    enc->sample_aspect_ratio =
        container.num > 0 && container.den > 0 ? container : config.source_video->codecpar->sample_aspect_ratio;
  }
  enc->color_primaries = config.primaries;
  enc->color_trc = config.transfer;
  if (is_rgb_pix_fmt(pix_fmt)) {
    enc->colorspace = AVCOL_SPC_RGB;
    enc->color_range = AVCOL_RANGE_JPEG;
  } else {
    enc->colorspace = to_av_colorspace(color.matrix);
    enc->color_range = color.range == ColorRange::kFull ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    enc->chroma_sample_location = color.chroma_location;
  }
  if (config.no_b_frames) enc->max_b_frames = 0;
  if ((ofmt->flags & AVFMT_GLOBALHEADER) != 0) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (config.encode.crf >= 0 && av_opt_set_double(enc->priv_data, "crf", config.encode.crf, 0) < 0)
    return invalid_argument(std::string("encoder ") + codec->name + " has no crf option");
  if (!config.encode.preset.empty() && av_opt_set(enc->priv_data, "preset", config.encode.preset.c_str(), 0) < 0)
    return invalid_argument(std::string("encoder ") + codec->name + " does not accept preset '" + config.encode.preset + "'");
  AVDictionary* opts_raw = nullptr;
  bool has_x265_params = false;
  for (const auto& [key, value] : config.encode.codec_options) {
    av_dict_set(&opts_raw, key.c_str(), value.c_str(), 0);
    has_x265_params |= key == "x265-params";
  }
  if (codec->id == AV_CODEC_ID_HEVC && std::strcmp(codec->name, "libx265") == 0 && !has_x265_params)
    av_dict_set(&opts_raw, "x265-params", "log-level=error", 0);  // x265 logs to stderr itself
  std::unique_ptr<AVDictionary, DictDeleter> opts(opts_raw);
  opts_raw = opts.release();
  err = avcodec_open2(enc, codec, &opts_raw);
  opts.reset(opts_raw);
  if (err < 0) return av_error(err, std::string("cannot open encoder ") + codec->name + " for " + path);
  if (const AVDictionaryEntry* left = av_dict_get(opts.get(), "", nullptr, AV_DICT_IGNORE_SUFFIX))
    return invalid_argument(std::string("encoder ") + codec->name + " has no option '" + left->key + "'");

  AVStream* vs = avformat_new_stream(out, nullptr);
  if (vs == nullptr) return resource_exhausted("cannot add the video stream");
  err = avcodec_parameters_from_context(vs->codecpar, enc);
  if (err < 0) return av_error(err, "video stream parameters");
  vs->time_base = enc->time_base;
  vs->avg_frame_rate = config.frame_rate;
  vs->sample_aspect_ratio = enc->sample_aspect_ratio;
  if (config.source_video != nullptr) {
    copy_metadata(&vs->metadata, config.source_video->metadata);
    vs->disposition = config.source_video->disposition;
  }

  // Copied streams: those the container can hold.
  // (image sequences, the benchmark's null muxer and y4m hold no other stream)
  const bool image_sequence = std::strcmp(ofmt->name, "image2") == 0 || std::strcmp(ofmt->name, "null") == 0 || w->y4m_;
  if (std::strcmp(ofmt->name, "image2") == 0) av_opt_set_int(out->priv_data, "start_number", 0, 0);
  if (config.source != nullptr) {
    w->out_index_.assign(config.source->nb_streams, -1);
    for (int in : config.copy_streams) {
      const AVStream* is = config.source->streams[in];
      const char* cname = avcodec_get_name(is->codecpar->codec_id);
      if (image_sequence || avformat_query_codec(ofmt, is->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 0) {
        w->skipped_.push_back("#" + std::to_string(in) + " " + cname);
        continue;
      }
      AVStream* os = avformat_new_stream(out, nullptr);
      if (os == nullptr) return resource_exhausted("cannot add a stream");
      err = avcodec_parameters_copy(os->codecpar, is->codecpar);
      if (err < 0) return av_error(err, "stream parameters");
      os->codecpar->codec_tag = 0;  // let the muxer pick its own tag
      os->time_base = is->time_base;
      os->disposition = is->disposition;
      copy_metadata(&os->metadata, is->metadata);
      w->out_index_[in] = os->index;
    }
    copy_metadata(&out->metadata, config.source->metadata);
  }

  if (to_stdout) {
    LITESR_ASSIGN_OR_RETURN(w->stdout_,
                            StdioStream::open(STDOUT_FILENO, StdioStream::Direction::kWrite, config.interrupted));
    out->pb = w->stdout_->avio();
    out->flags |= AVFMT_FLAG_CUSTOM_IO;  // the deleter and finish() leave it to stdout_
  } else if ((ofmt->flags & AVFMT_NOFILE) == 0) {
    err = avio_open(&out->pb, io_path.c_str(), AVIO_FLAG_WRITE);
    if (err < 0) return av_error(err, io_path + ": cannot create file");
  }
  err = avformat_write_header(out, nullptr);
  if (err < 0) return av_error(err, path + ": cannot write header");
  w->header_written_ = true;
  w->pkt_ = make_packet();
  return w;
}

VideoWriter::~VideoWriter() = default;

Result<FramePtr> VideoWriter::make_frame() const {
  return video_detail::make_frame(enc_->pix_fmt, enc_->width, enc_->height);
}

Status VideoWriter::write_frame(AVFrame& frame) {
  if (!y4m_) return encode(frame);
  if (first_pts_ == AV_NOPTS_VALUE) first_pts_ = frame.pts;
  const int64_t slot = av_rescale_q_rnd(frame.pts - first_pts_, config_.time_base, enc_->time_base,
                                        static_cast<AVRounding>(AV_ROUND_NEAR_INF | AV_ROUND_PASS_MINMAX));
  if (slot < next_slot_) {  // another frame already fills this instant
    ++dropped_;
    return {};
  }
  for (; next_slot_ < slot && last_ != nullptr; ++next_slot_, ++repeated_) {
    last_->pts = next_slot_;
    LITESR_RETURN_IF_ERROR(encode(*last_));
  }
  frame.pts = next_slot_++;
  LITESR_RETURN_IF_ERROR(encode(frame));
  // Kept for repeats; the caller's next av_frame_make_writable() then gives its frame a fresh buffer.
  if (last_ == nullptr) last_ = video_detail::make_frame();
  if (last_ == nullptr) return resource_exhausted("cannot allocate a frame");
  av_frame_unref(last_.get());
  const int err = av_frame_ref(last_.get(), &frame);
  if (err < 0) return av_error(err, name_ + ": keeping the last frame");
  return {};
}

Status VideoWriter::encode(AVFrame& frame) {
  frame.pict_type = AV_PICTURE_TYPE_NONE;
  frame.color_primaries = enc_->color_primaries;
  frame.color_trc = enc_->color_trc;
  frame.colorspace = enc_->colorspace;
  frame.color_range = enc_->color_range;
  frame.chroma_location = enc_->chroma_sample_location;
  const int err = avcodec_send_frame(enc_.get(), &frame);
  if (err < 0) return av_error(err, name_ + ": encoding");
  return drain(false);
}

Status VideoWriter::drain(bool flushing) {
  AVStream* vs = out_->streams[0];
  while (true) {
    int err = avcodec_receive_packet(enc_.get(), pkt_.get());
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return {};
    if (err < 0) return av_error(err, name_ + (flushing ? ": flushing encoder" : ": encoding"));
    av_packet_rescale_ts(pkt_.get(), enc_->time_base, vs->time_base);
    pkt_->stream_index = 0;
    err = av_interleaved_write_frame(out_.get(), pkt_.get());
    if (err < 0) return av_error(err, name_ + ": writing video packet");
  }
}

Status VideoWriter::write_packet(AVPacket& packet) {
  if (config_.source == nullptr || packet.stream_index < 0 ||
      static_cast<std::size_t>(packet.stream_index) >= out_index_.size() || out_index_[packet.stream_index] < 0) {
    av_packet_unref(&packet);
    return {};
  }
  const int out_index = out_index_[packet.stream_index];
  av_packet_rescale_ts(&packet, config_.source->streams[packet.stream_index]->time_base,
                       out_->streams[out_index]->time_base);
  packet.stream_index = out_index;
  packet.pos = -1;
  const int err = av_interleaved_write_frame(out_.get(), &packet);
  if (err < 0) return av_error(err, name_ + ": writing copied packet");
  return {};
}

Status VideoWriter::finish() {
  if (finished_) return {};
  finished_ = true;
  int err = avcodec_send_frame(enc_.get(), nullptr);
  if (err < 0) return av_error(err, name_ + ": flushing encoder");
  LITESR_RETURN_IF_ERROR(drain(true));
  err = av_write_trailer(out_.get());
  if (err < 0) return av_error(err, name_ + ": writing trailer");
  if (out_->pb != nullptr) {
    if ((out_->flags & AVFMT_FLAG_CUSTOM_IO) != 0) avio_flush(out_->pb);
    const int pb_error = out_->pb->error;
    if ((out_->oformat->flags & AVFMT_NOFILE) == 0 && (out_->flags & AVFMT_FLAG_CUSTOM_IO) == 0) {
      err = avio_closep(&out_->pb);
      if (err < 0) return av_error(err, name_ + ": closing file");
    }
    if (pb_error < 0) return av_error(pb_error, name_ + ": write error");
  }
  return {};
}

}  // namespace litesr::video_detail

#include "video/segment_concat.h"

#include <cstring>

#include "video/video_writer.h"

namespace litesr::video_detail {
namespace {

// Reads the video packets of consecutive segment files as one stream.
class SegmentSource {
 public:
  explicit SegmentSource(const std::vector<std::string>& paths) : paths_(paths) {}

  Status open_next() {
    fmt_.reset();
    if (next_ >= paths_.size()) return {};
    const std::string& path = paths_[next_++];
    AVFormatContext* raw = nullptr;
    int err = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
    if (err < 0) return av_error(err, path + ": cannot open segment");
    fmt_.reset(raw);
    err = avformat_find_stream_info(raw, nullptr);
    if (err < 0) return av_error(err, path + ": cannot read segment");
    if (raw->nb_streams != 1) return corrupt_data(path + ": a segment holds exactly one video stream");
    return {};
  }
  const AVStream* stream() const { return fmt_ ? fmt_->streams[0] : nullptr; }

  // False at the end of the last segment.
  Result<bool> read(AVPacket& pkt) {
    while (fmt_) {
      const int err = av_read_frame(fmt_.get(), &pkt);
      if (err >= 0) return true;
      if (err != AVERROR_EOF) return av_error(err, paths_[next_ - 1] + ": reading segment");
      LITESR_RETURN_IF_ERROR(open_next());
    }
    return false;
  }

 private:
  const std::vector<std::string>& paths_;
  std::size_t next_ = 0;
  InputFormatPtr fmt_;
};

int64_t order_ts(const AVPacket& p) { return p.dts != AV_NOPTS_VALUE ? p.dts : p.pts; }

}  // namespace

Result<std::vector<std::string>> concat_segments(const ConcatConfig& config) {
  if (config.segments.empty()) return internal_error("concat_segments: no segment");
  SegmentSource segments(config.segments);
  LITESR_RETURN_IF_ERROR(segments.open_next());
  ReaderOptions ropts = config.copy;
  ropts.decode_video = false;
  ropts.strict_length = false;
  LITESR_ASSIGN_OR_RETURN(auto reader, VideoReader::open(config.input, ropts));
  const AVFormatContext* in = reader->format();

  const AVOutputFormat* ofmt = av_guess_format(nullptr, config.output.c_str(), nullptr);
  if (ofmt == nullptr) return unsupported(config.output + ": no container format known for this file name");
  AVFormatContext* raw = nullptr;
  int err = avformat_alloc_output_context2(&raw, ofmt, nullptr, config.io_path.c_str());
  if (err < 0) return av_error(err, config.output + ": cannot create output");
  OutputFormatPtr out(raw);

  AVStream* vs = avformat_new_stream(raw, nullptr);
  if (vs == nullptr) return resource_exhausted("cannot add the video stream");
  err = avcodec_parameters_copy(vs->codecpar, segments.stream()->codecpar);
  if (err < 0) return av_error(err, "video stream parameters");
  vs->codecpar->codec_tag = 0;
  const AVRational seg_tb = segments.stream()->time_base;
  vs->time_base = seg_tb;
  const AVStream* in_video = reader->video_stream();
  vs->avg_frame_rate = in_video->avg_frame_rate;
  vs->sample_aspect_ratio = vs->codecpar->sample_aspect_ratio;
  vs->disposition = in_video->disposition;
  copy_metadata(&vs->metadata, in_video->metadata);

  std::vector<std::string> skipped;
  std::vector<int> out_index(in->nb_streams, -1);
  for (int i : reader->copy_streams()) {
    const AVStream* is = in->streams[i];
    if (avformat_query_codec(ofmt, is->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 0) {
      skipped.push_back("#" + std::to_string(i) + " " + avcodec_get_name(is->codecpar->codec_id));
      continue;
    }
    AVStream* os = avformat_new_stream(raw, nullptr);
    if (os == nullptr) return resource_exhausted("cannot add a stream");
    err = avcodec_parameters_copy(os->codecpar, is->codecpar);
    if (err < 0) return av_error(err, "stream parameters");
    os->codecpar->codec_tag = 0;
    os->time_base = is->time_base;
    os->disposition = is->disposition;
    copy_metadata(&os->metadata, is->metadata);
    out_index[i] = os->index;
  }
  copy_metadata(&raw->metadata, in->metadata);
  if ((ofmt->flags & AVFMT_NOFILE) == 0) {
    err = avio_open(&raw->pb, config.io_path.c_str(), AVIO_FLAG_WRITE);
    if (err < 0) return av_error(err, config.io_path + ": cannot create file");
  }
  err = avformat_write_header(raw, nullptr);
  if (err < 0) return av_error(err, config.output + ": cannot write header");

  // Two-way merge by decode timestamp keeps the muxer's interleaving buffer small.
  PacketPtr vpkt = make_packet(), cpkt = make_packet();
  FramePtr unused = make_frame();
  LITESR_ASSIGN_OR_RETURN(bool have_v, segments.read(*vpkt));
  bool have_c = false;
  auto read_copy = [&]() -> Status {
    while (true) {
      LITESR_ASSIGN_OR_RETURN(const VideoReader::Item item, reader->next(*unused, *cpkt));
      if (item == VideoReader::Item::kEnd) {
        have_c = false;
        return {};
      }
      if (out_index[cpkt->stream_index] >= 0) {
        have_c = true;
        return {};
      }
      av_packet_unref(cpkt.get());
    }
  };
  LITESR_RETURN_IF_ERROR(read_copy());
  while (have_v || have_c) {
    bool take_v = have_v;
    if (have_v && have_c) {
      const int64_t tv = order_ts(*vpkt), tc = order_ts(*cpkt);
      if (tv != AV_NOPTS_VALUE && tc != AV_NOPTS_VALUE)
        take_v = av_compare_ts(tv, seg_tb, tc, in->streams[cpkt->stream_index]->time_base) <= 0;
    }
    if (take_v) {
      av_packet_rescale_ts(vpkt.get(), seg_tb, vs->time_base);
      vpkt->stream_index = 0;
      vpkt->pos = -1;
      err = av_interleaved_write_frame(raw, vpkt.get());
      if (err < 0) return av_error(err, config.output + ": writing video packet");
      LITESR_ASSIGN_OR_RETURN(have_v, segments.read(*vpkt));
    } else {
      const int o = out_index[cpkt->stream_index];
      av_packet_rescale_ts(cpkt.get(), in->streams[cpkt->stream_index]->time_base, raw->streams[o]->time_base);
      cpkt->stream_index = o;
      cpkt->pos = -1;
      err = av_interleaved_write_frame(raw, cpkt.get());
      if (err < 0) return av_error(err, config.output + ": writing copied packet");
      LITESR_RETURN_IF_ERROR(read_copy());
    }
  }
  err = av_write_trailer(raw);
  if (err < 0) return av_error(err, config.output + ": writing trailer");
  if (raw->pb != nullptr && (ofmt->flags & AVFMT_NOFILE) == 0) {
    const int pb_error = raw->pb->error;
    err = avio_closep(&raw->pb);
    if (err < 0 || pb_error < 0) return av_error(err < 0 ? err : pb_error, config.output + ": write error");
  }
  return skipped;
}

}  // namespace litesr::video_detail

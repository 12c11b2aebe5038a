#include "video/y4m_format.h"

#include <cstring>

extern "C" {
#include <libavutil/pixdesc.h>
}

#include "video/stdio_stream.h"

namespace litesr::video_detail {
namespace {

// The pixel formats FFmpeg's y4m muxer writes (libavformat/yuv4mpegenc.c, yuv4_init), less yuva444p (LiteSR
// produces no alpha) and the yuvj* aliases (mapped to their plain twins). The 9..16-bit ones need
// strict_std_compliance <= FF_COMPLIANCE_UNOFFICIAL, which VideoWriter sets for y4m.
constexpr AVPixelFormat kY4mFormats[] = {
    AV_PIX_FMT_YUV420P,     AV_PIX_FMT_YUV422P,     AV_PIX_FMT_YUV444P,     AV_PIX_FMT_YUV411P,
    AV_PIX_FMT_GRAY8,       AV_PIX_FMT_YUV420P9LE,  AV_PIX_FMT_YUV422P9LE,  AV_PIX_FMT_YUV444P9LE,
    AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV422P10LE, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_YUV420P12LE,
    AV_PIX_FMT_YUV422P12LE, AV_PIX_FMT_YUV444P12LE, AV_PIX_FMT_YUV420P14LE, AV_PIX_FMT_YUV422P14LE,
    AV_PIX_FMT_YUV444P14LE, AV_PIX_FMT_YUV420P16LE, AV_PIX_FMT_YUV422P16LE, AV_PIX_FMT_YUV444P16LE,
    AV_PIX_FMT_GRAY9LE,     AV_PIX_FMT_GRAY10LE,    AV_PIX_FMT_GRAY12LE,    AV_PIX_FMT_GRAY16LE,
    AV_PIX_FMT_NONE};

bool is_y4m_pix_fmt(AVPixelFormat fmt) {
  for (const AVPixelFormat* f = kY4mFormats; *f != AV_PIX_FMT_NONE; ++f)
    if (*f == fmt) return true;
  return false;
}

// yuvj420p -> yuv420p etc. (the J formats are their plain twins with full range); others unchanged.
AVPixelFormat without_jpeg_alias(AVPixelFormat fmt, bool* full_range) {
  switch (fmt) {
    case AV_PIX_FMT_YUVJ420P:
      *full_range = true;
      return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P:
      *full_range = true;
      return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P:
      *full_range = true;
      return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ411P:
      *full_range = true;
      return AV_PIX_FMT_YUV411P;
    default:
      return fmt;
  }
}

// Primaries and transfers a reader of an untagged stream assumes anyway: BT.709 primaries (BT.601's 525/625
// ones differ by a few thousandths in xy, and players treat them alike) and the SDR BT.709-family curves.
bool primaries_readers_assume(AVColorPrimaries p) {
  return p == AVCOL_PRI_UNSPECIFIED || p == AVCOL_PRI_RESERVED || p == AVCOL_PRI_RESERVED0 || p == AVCOL_PRI_BT709 ||
         p == AVCOL_PRI_BT470BG || p == AVCOL_PRI_SMPTE170M || p == AVCOL_PRI_SMPTE240M;
}
bool transfer_readers_assume(AVColorTransferCharacteristic t) {
  return t == AVCOL_TRC_UNSPECIFIED || t == AVCOL_TRC_RESERVED || t == AVCOL_TRC_RESERVED0 || t == AVCOL_TRC_BT709 ||
         t == AVCOL_TRC_SMPTE170M || t == AVCOL_TRC_BT2020_10 || t == AVCOL_TRC_BT2020_12 || t == AVCOL_TRC_GAMMA22 ||
         t == AVCOL_TRC_GAMMA28 || t == AVCOL_TRC_IEC61966_2_1;
}

}  // namespace

bool is_y4m_output(const std::string& path) {
  if (is_stdio_path(path)) return true;
  const AVOutputFormat* f = av_guess_format(nullptr, path.c_str(), nullptr);
  return f != nullptr && std::strcmp(f->name, kY4mMuxer) == 0;
}

Status check_y4m_encode_options(const EncodeOptions& encode, const std::string& where) {
  const std::string pipe_hint = " (pipe it into an encoder instead: `... -o - | ffmpeg -i - -c:v libx264 out.mp4`)";
  if (!encode.codec.empty() && encode.codec != "rawvideo" && encode.codec != "wrapped_avframe")
    return invalid_argument(where + ": YUV4MPEG2 holds uncompressed frames only, so -c " + encode.codec +
                            " does not apply" + pipe_hint);
  if (encode.crf >= 0 || !encode.preset.empty() || !encode.codec_options.empty())
    return invalid_argument(where + ": YUV4MPEG2 holds uncompressed frames: --crf, --preset and -e do not apply" +
                            pipe_hint);
  if (!encode.pix_fmt.empty()) {
    bool full = false;
    LITESR_RETURN_IF_ERROR(choose_y4m_pix_fmt(encode.pix_fmt, AV_PIX_FMT_YUV420P, &full).status());
  }
  return {};
}

Result<AVPixelFormat> choose_y4m_pix_fmt(const std::string& requested, AVPixelFormat source, bool* full_range) {
  *full_range = false;
  if (!requested.empty()) {
    const AVPixelFormat fmt = without_jpeg_alias(av_get_pix_fmt(requested.c_str()), full_range);
    if (fmt == AV_PIX_FMT_NONE) return invalid_argument("unknown pixel format '" + requested + "'");
    if (!is_y4m_pix_fmt(fmt))
      return invalid_argument("YUV4MPEG2 cannot hold pixel format " + requested +
                              "; it holds yuv420p, yuv422p, yuv444p, yuv411p, gray and their 9..16-bit little-endian "
                              "forms (yuv420p10le, ...)");
    return fmt;
  }
  const AVPixelFormat src = without_jpeg_alias(source, full_range);
  if (is_y4m_pix_fmt(src)) return src;
  const AVPixelFormat best = avcodec_find_best_pix_fmt_of_list(kY4mFormats, src, 0, nullptr);
  if (best == AV_PIX_FMT_NONE) return unsupported("no YUV4MPEG2 pixel format can hold the input's");
  return best;
}

Y4mColor plan_y4m_color(const FrameColor& resolved, AVColorSpace matrix_tag, AVColorPrimaries primaries,
                        AVColorTransferCharacteristic transfer, int out_width, int out_height) {
  Y4mColor plan;
  plan.color = resolved;
  // What a reader that follows the usual convention (ours: resolve_frame_color) assumes for the output size.
  const ColorMatrix guessed = resolve_frame_color(AVCOL_SPC_UNSPECIFIED, AVCOL_RANGE_UNSPECIFIED,
                                                  AVCHROMA_LOC_UNSPECIFIED, AV_PIX_FMT_YUV420P, out_width, out_height)
                                  .matrix;
  const bool tagged =
      matrix_tag != AVCOL_SPC_UNSPECIFIED && matrix_tag != AVCOL_SPC_RESERVED && matrix_tag != AVCOL_SPC_RGB;
  if (!tagged) plan.color.matrix = guessed;

  std::string lost, setparams;
  auto add = [&](const std::string& what, const char* option, const char* name) {
    lost += (lost.empty() ? "" : ", ") + what + " " + name;
    setparams += (setparams.empty() ? "" : ":") + std::string(option) + "=" + name;
  };
  if (tagged && plan.color.matrix != guessed) add("matrix", "colorspace", av_color_space_name(matrix_tag));
  if (!primaries_readers_assume(primaries)) add("primaries", "color_primaries", av_color_primaries_name(primaries));
  if (!transfer_readers_assume(transfer)) add("transfer", "color_trc", av_color_transfer_name(transfer));
  if (!lost.empty()) {
    plan.warning = "YUV4MPEG2 cannot carry the input's colour tags (" + lost +
                   "); readers will assume BT.709 "
                   "primaries and transfer and, for " +
                   std::to_string(out_width) + "x" + std::to_string(out_height) + ", the " +
                   std::string(color_matrix_name(guessed)) +
                   " matrix: tag the stream where it is read, e.g. `ffmpeg -i - -vf setparams=" + setparams + " ...`";
  }
  return plan;
}

}  // namespace litesr::video_detail

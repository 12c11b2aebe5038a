// What a YUV4MPEG2 (y4m) output can and cannot hold, for `-o -` (standard output) and `-o clip.y4m`.
// Internal to src/video.
//
// The format (https://wiki.multimedia.cx/index.php/YUV4MPEG2; FFmpeg's libavformat/yuv4mpegenc.c): one text
// header line "YUV4MPEG2 W<width> H<height> F<num>:<den> I<p|t|b> A<sar> C<chroma> XCOLORRANGE=<LIMITED|FULL>"
// then, per frame, "FRAME\n" and the raw planes. So y4m carries the pixel format (4:2:0 / 4:2:2 / 4:4:4 / 4:1:1,
// grey; 9..16-bit little-endian only as an FFmpeg extension, written with strict -1), a constant frame rate,
// the sample aspect ratio, interlacing, the range, and for 4:2:0 the chroma siting (C420jpeg = centre,
// C420mpeg2 = left, C420paldv = top-left). It has no timestamps, no audio or subtitles, and no field for the
// colour matrix, primaries or transfer: readers guess those (for the matrix, from the frame size).
// FFmpeg 5.1's muxer takes only wrapped_avframe packets (later versions take rawvideo too); the bytes written
// are the raw planes either way.
#pragma once

#include <string>

#include "base/status.h"
#include "video/av_handles.h"
#include "video/encode_options.h"
#include "video/frame_converter.h"

namespace litesr::video_detail {

inline constexpr const char* kY4mMuxer = "yuv4mpegpipe";

// True for "-" (standard output) and for file names FFmpeg maps to the y4m muxer (".y4m").
bool is_y4m_output(const std::string& path);

// y4m output is uncompressed: -c must be empty, rawvideo or wrapped_avframe; --crf, --preset and -e do not
// apply; --pix-fmt must be a y4m format (above; yuvj* are taken as their plain twin plus full range).
// `where` names the output in messages ("stdout", "out.y4m").
Status check_y4m_encode_options(const EncodeOptions& encode, const std::string& where);

// The y4m pixel format for an output: `requested` (--pix-fmt) when set, else the source's own when y4m holds it,
// else the closest one y4m holds (avcodec_find_best_pix_fmt_of_list: rgb24 -> yuv444p, nv12 -> yuv420p, ...).
// yuvj420p/422p/444p map to yuv420p/422p/444p; *full_range is then set (the range goes in XCOLORRANGE).
Result<AVPixelFormat> choose_y4m_pix_fmt(const std::string& requested, AVPixelFormat source, bool* full_range);

// The colour a y4m output is written in, and what a reader of it cannot learn.
struct Y4mColor {
  FrameColor color;     // matrix, range and siting to write
  std::string warning;  // non-empty: tags y4m drops that a reader would guess wrong, and how to restore them
};
// `resolved` is the input's colour as decoded (resolve_frame_color); `matrix_tag`, `primaries` and `transfer`
// are the input stream's tags (a matrix tag of unspecified, reserved or RGB counts as none). An untagged input is
// written in the matrix readers assume for the output size (BT.709 from 1280 wide or 577 high, else BT.601, as
// resolve_frame_color), so its colours survive the trip; a tagged one keeps its matrix, and `warning` says so when
// readers would assume another, or when the primaries or transfer are not the SDR BT.709 family readers assume.
Y4mColor plan_y4m_color(const FrameColor& resolved, AVColorSpace matrix_tag, AVColorPrimaries primaries,
                        AVColorTransferCharacteristic transfer, int out_width, int out_height);

}  // namespace litesr::video_detail

// Luma networks on the decoded Y'CbCr planes (docs/video.md "Luma models"): for planar Y'CbCr in and out the job
// runs a luma model on the decoded Y' plane and upscales Cb and Cr by bicubic on their own (subsampled) grids, with
// no R'G'B' round trip. Internal to src/video (uses FFmpeg types).
//
// Values: a sample of depth n is handed on as code / (255 · 2^(n − 8)) in f32, Y' and chroma alike. 8-bit limited
// range Y' 16..235 becomes 16/255..235/255: the Y/255 a luma network is trained on (MATLAB rgb2ycbcr, DESIGN §5),
// and deeper limited-range samples scale exactly (BT.2100: code_n = code_8 · 2^(n − 8)). Written back as
// (int)(clamp(v · 255 · 2^(n − 8), 0, 2^n − 1) + 0.5).
// The network sees the stream's own Y' (BT.709 for HD, BT.601 for SD), not BT.601's Y' of the R'G'B' frame that
// the RGB path hands it: the luma the SR literature's code reads from a video's Y'CbCr.
//
// Chroma: MATLAB's bicubic (Keys a = −0.5, symmetric borders; base/resample_weights.h) on each chroma plane, by the
// job's scale, with the samples at their sites (chroma_offsets, frame_converter.h): output chroma sample i of an
// axis with subsampling s and site offset o sits at output luma s·i + o, that is input luma ((s·i + o + 0.5) / S −
// 0.5) for scale S, input chroma ((s·i + o + 0.5) / S − 0.5 − o) / s — MATLAB's pixel-centre mapping shifted by
// (1 − 1/S) · (0.5 − (o + 0.5) / s) input chroma samples (3/16 for 4:2:0's left siting at x4, 0 for centred sites).
#pragma once

#include "base/image.h"
#include "base/resample_weights.h"
#include "base/status.h"
#include "video/av_handles.h"
#include "video/frame_converter.h"

namespace litesr::video_detail {

// Whether the planes can go through as they are: both formats planar Y'CbCr (planar_yuv) with the same chroma
// subsampling, both limited range (luma networks are trained on limited-range Y'), the same matrix and siting.
bool luma_planes_apply(AVPixelFormat in_fmt, const FrameColor& in_color, AVPixelFormat out_fmt,
                       const FrameColor& out_color);

// Chroma plane side for a luma side and a log2 subsampling (FFmpeg's AV_CEIL_RSHIFT).
int chroma_length(int luma_length, int log2_subsampling);

// A decoded frame of a planar_yuv format -> `y` (width x height x 1) and `chroma` (cw x 2·ch x 1: the Cb plane's
// rows, then Cr's), values as above.
Status read_planes(const AVFrame& frame, ImageView<float> y, ImageView<float> chroma);
// The planes (sizes as read_planes gives for the frame's format and size) -> an allocated frame of a planar_yuv
// format.
Status write_planes(ImageView<const float> y, ImageView<const float> chroma, AVFrame& frame);

// Upscales stacked Cb/Cr planes (as read_planes gives them) by an integer factor, as described above.
class ChromaUpscaler {
 public:
  // For frames of `luma_width` x `luma_height` in format `fmt` (planar_yuv) with chroma sited at `loc`.
  static Result<ChromaUpscaler> create(AVPixelFormat fmt, AVChromaLocation loc, int luma_width, int luma_height,
                                       int scale);
  int in_width() const { return columns_.in_len; }    // one input chroma plane
  int in_height() const { return rows_.in_len; }
  int out_width() const { return columns_.out_len; }  // one output chroma plane
  int out_height() const { return rows_.out_len; }
  // in: in_width x 2·in_height x 1; out: out_width x 2·out_height x 1.
  Status run(ImageView<const float> in, ImageView<float> out);

 private:
  ResampleWeights columns_, rows_;
  std::vector<float> column_weights_, row_weights_;  // the tables' weights in f32
  std::vector<float> rows_scratch_;                  // one plane's rows resized across: in_height x out_width
};

}  // namespace litesr::video_detail

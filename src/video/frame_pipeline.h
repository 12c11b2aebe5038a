// The video upscaling job: demux + decode -> RGB f32 -> SR callback -> RGB f32 -> encode + mux, with
// decode, SR and encode on their own threads joined by bounded queues (docs/video.md); the SR step on one thread, or
// on one thread per lane where the upscaler has lanes (Upscaler::lanes). A luma network can take
// the frames' Y'CbCr planes instead (Upscaler::luma_plane, video/luma_planes.h).
//
// Video knows nothing of networks: the caller supplies the SR step as a callback.
//   FrameUpscaler(lr, sr): lr is H x W x 3 f32 R'G'B' in [0,1] (HWC, the stream's transfer function,
//     not clamped); sr is (scale·H) x (scale·W) x 3, to be filled. Called from one thread, in order (each lane's
//     from its own thread, in the order of its units).
//   WindowUpscaler(lr[0..n), sr[0..n), reset): multi-frame models (EVSRNet: T = 10). Frames come in
//     non-overlapping windows of n <= window_frames consecutive frames (shorter at the end, at scene
//     cuts and at --resume segment starts); `reset` = true means "no temporal state carries over
//     from the previous window" (first window, after a scene cut, at a segment start, or always when
//     reset_each_window).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/image.h"
#include "base/row_sink.h"
#include "base/status.h"
#include "video/encode_options.h"
#include "video/video_info.h"

namespace litesr {

using FrameUpscaler = std::function<Status(ImageView<const float> lr_rgb, ImageView<float> sr_rgb)>;
using WindowUpscaler = std::function<Status(std::span<const ImageView<const float>> lr_rgb,
                                            std::span<const ImageView<float>> sr_rgb, bool reset)>;
// A luma network on a frame's Y' plane: lr_y is [H, W, 1] f32, the decoded Y' code / (255 · 2^(depth − 8)) (8-bit
// limited range: Y'/255 in [16/255, 235/255]; video/luma_planes.h), sr_y is [sH, sW, 1], to be filled.
using LumaPlaneUpscaler = std::function<Status(ImageView<const float> lr_y, ImageView<float> sr_y)>;
// lr -> sr as FrameUpscaler, telling `rows` of sr's rows as they are finished (base/row_sink.h: every row once, in
// groups of `scale` rows or in one call for the whole frame, all before returning), so that the job converts each
// group to Y'CbCr while it is still in cache. `reset`: this frame starts a window without temporal state (multi-frame
// models, which continue the window in the calls after it with reset = false; single-frame models ignore it).
using RowStreamUpscaler =
    std::function<Status(ImageView<const float> lr_rgb, ImageView<float> sr_rgb, bool reset, RowSink& rows)>;

struct Upscaler {
  int scale = 1;                      // output side = scale x input side
  FrameUpscaler frame;                // set exactly one of `frame` and `window`
  WindowUpscaler window;
  // Optional beside `frame`, for luma networks: where the input and the output are planar Y'CbCr with the same
  // chroma subsampling, matrix and siting, limited range (luma_planes_apply), frames go through on their planes:
  // this runs on Y', Cb and Cr are upscaled by bicubic, no R'G'B' round trip. Elsewhere `frame` runs on R'G'B'.
  LumaPlaneUpscaler luma_plane;
  // The same beside `window`, for multi-frame luma networks: windows of Y' planes ([H, W, 1] as luma_plane's).
  WindowUpscaler luma_window;
  int window_frames = 10;             // T, frames per window (window mode)
  bool reset_each_window = true;      // every window starts without temporal state
  // The window upscaler takes a window's frames one call at a time as well (calls after a window's first, with
  // reset = false, continue its state): each frame then goes on to encoding as soon as it is upscaled, instead of
  // after the window's last (ModelVideoUpscaler: multi-frame sessions run one frame per step).
  bool window_streams = false;
  // Optional beside `frame`, or beside a streaming `window` (window_streams): the same step, handing its output rows
  // on as they are finished. The R'G'B' path runs it where the writer's Y'CbCr format converts groups of `scale`
  // rows on their own (RgbToFrame::converts_row_groups: 4:2:0 with left or centre chroma siting, 4:2:2, 4:4:4), and
  // `frame` / `window` followed by a whole-frame conversion elsewhere; both give the same frames.
  RowStreamUpscaler rows;
  // A window ends early when the mean absolute luma difference (0..1) between consecutive frames
  // reaches this value; the next window starts with reset. 0 disables cut detection.
  double scene_cut_threshold = 0.25;
  // Optional: two or more upscalers like this one (the same scale, window and callbacks), each with its own model
  // state and one thread, that the job runs side by side instead of this one — "lanes" (docs/video.md "Threads"):
  // units of frames, one window (or one frame for `frame`), go round robin to the lanes, unit k to lanes[k % n],
  // each lane on its own thread, and come out in order. No band boundaries are recomputed and no threads meet per
  // frame, which on 2 cores runs the recurrent EVSRNets 7–11 % faster end to end than one session on both. Used only
  // where units are independent — single frames, or windows that all start without state (reset_each_window) — and
  // the frames the lanes hold fit the job's memory bound; elsewhere this one runs.
  std::vector<Upscaler> lanes;
};

// Pipes: input "-" reads a YUV4MPEG2 stream from standard input, output "-" writes one to standard output
// (y4m_format.h says what y4m holds). Neither can seek, be read twice or be renamed, so --resume takes
// neither; stdout gets no temporary file (on failure the reader has seen part of the stream); a closed
// downstream (EPIPE) is an io_error naming it, never SIGPIPE; a terminal is refused as either end.
struct VideoJobOptions {
  std::string input;   // file, image-sequence pattern ("lr/%08d.png") or "-" (stdin, y4m)
  std::string output;  // file, pattern ("sr/%08d.png") or "-" (stdout, y4m); unused with benchmark
  EncodeOptions encode;
  bool copy_audio = true;             // copy audio packets unchanged
  bool copy_subtitles = true;         // copy subtitle packets unchanged
  bool copy_data = true;              // copy data/attachment streams and cover art
  bool benchmark = false;             // decode, upscale and encode, but write nothing
  bool overwrite = false;             // replace an existing output
  // Encode closed-GOP segments into "<output>.litesr-work/", concatenate at the end; a later run with
  // resume continues after the last finished segment. B-frames are disabled in this mode.
  bool resume = false;
  int segment_frames = 0;             // frames per segment, 0 = about 2 s of video (at least 16)
  std::string job_signature;          // what else defines the job (model, scale): a changed one restarts
  int queue_frames = 4;               // capacity of each inter-stage queue, frames (lanes: + 2 windows each)
  // Upscaler::lanes are used only while the frames their queues can hold (input frames both ways, upscaled ones on
  // the way out) stay within this many bytes.
  int64_t max_lane_queue_bytes = int64_t{1} << 30;
  int decode_threads = 0;             // decoder threads, 0 = FFmpeg's choice
  int convert_threads = 0;            // R'G'B' -> Y'CbCr conversion threads (between two SR frames), 0 = one per core
  int64_t max_frames = 0;             // stop after this many frames (0 = all); the output ends there
  bool luma_planes = true;            // false: Upscaler::luma_plane is not used (R'G'B' frames, the round trip)
  const CancelToken* cancel = nullptr;
  // Called from the encode thread after each written frame: (frames done, total or 0 when unknown).
  std::function<void(int64_t done, int64_t total)> on_progress;
};

struct VideoJobStats {
  VideoInfo input;
  int64_t frames = 0;            // frames in the output (y4m: upscaled frames, before repeats for a VFR input)
  int64_t frames_resumed = 0;    // of which taken from finished segments of an earlier run
  int segments = 0;              // resume mode: segments in the output
  // CPU seconds per stage, measured on the stage's own thread (fps = frames / seconds).
  double decode_s = 0;           // demux + decode
  double to_rgb_s = 0;           // Y'CbCr -> RGB f32 (luma planes: planes -> f32, chroma upscaled)
  double sr_s = 0;               // the callback (lanes: their CPU seconds summed / the lane count, as side by side)
  int sr_lanes = 1;              // upscalers run side by side (Upscaler::lanes), or 1
  double from_rgb_s = 0;         // RGB f32 -> Y'CbCr, wall seconds x its threads (streamed rows, Upscaler::rows: the
                                 // groups' busy time on every thread; luma planes: f32 planes -> the frame)
  bool luma_planes = false;      // the frames went through on their Y'CbCr planes (Upscaler::luma_plane)
  double encode_s = 0;           // encode + mux
  double wall_s = 0;             // whole job, end to end
  std::string encoder;           // encoder and pixel format used, e.g. "libx264 yuv420p10le"
  std::vector<std::string> skipped_streams;  // input streams the output container cannot hold
  std::vector<std::string> warnings;         // what the output lost and how to get it back (y4m colour tags, VFR)
};

// Checks what can be checked before any work (nothing is opened or read): the option combinations, and
// for pipes: --resume, encoder options a y4m output cannot take, a terminal as stdin or stdout. An error
// here is the caller's usage error. run_video_job() checks the same first.
Status check_video_job_options(const VideoJobOptions& options);

Result<VideoJobStats> run_video_job(const VideoJobOptions& options, const Upscaler& upscaler);

// Sets FFmpeg's log level from a verbosity count (0: errors only, 1: warnings, 2+: info).
void set_ffmpeg_verbosity(int verbosity);

}  // namespace litesr

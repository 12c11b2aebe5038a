#include "video/frame_pipeline.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
}

#include "base/bounded_queue.h"
#include "video/luma_planes.h"
#include "video/segment_concat.h"
#include "video/video_reader.h"
#include "video/video_writer.h"
#include "video/y4m_format.h"

namespace litesr {
namespace {

namespace fs = std::filesystem;
using namespace video_detail;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Stage costs are CPU seconds of the stage's own thread (POSIX CLOCK_THREAD_CPUTIME_ID), so they do
// not grow when the stages, or other processes, compete for the cores.
double thread_cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Recycles f32 frames (or planes) of one size between the stages (no 11 MB zero-fill per 720p frame).
class ImagePool {
 public:
  ImagePool(int width, int height, int channels) : width_(width), height_(height), channels_(channels) {}
  Result<Image> acquire() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        Image img = std::move(free_.back());
        free_.pop_back();
        return img;
      }
    }
    return Image::create(width_, height_, channels_, PixelType::kF32);
  }
  void release(Image img) {
    if (img.empty()) return;
    std::lock_guard lock(mu_);
    free_.push_back(std::move(img));
  }

 private:
  int width_, height_, channels_;
  std::mutex mu_;
  std::vector<Image> free_;
};

// One unit flowing through the queues: a video frame (lr, then sr) or a packet to copy.
struct Item {
  PacketPtr packet;  // set: a copy-stream packet
  int64_t index = 0;  // frame number in the input (0-based)
  int64_t pts = 0;    // in the input video stream's time base
  Image lr, sr;   // R'G'B' frames, or the Y' planes (luma plane path)
  Image chroma;   // luma plane path: the upscaled Cb and Cr planes, stacked (luma_planes.h)
  FramePtr yuv;   // R'G'B' path: the upscaled frame in the writer's pixel format (sr converted; sr released)
  bool reset = false;     // window upscalers: this frame starts a window without temporal state (LaneRouter)
  bool unit_end = false;  // no frame, no packet: the marker after each unit on a lane's queues (LaneRouter)
};

// Frames in the writer's pixel format, reused once the encoder has let go of their buffers.
class YuvFramePool {
 public:
  YuvFramePool(AVPixelFormat format, int width, int height) : format_(format), width_(width), height_(height) {}
  Result<FramePtr> acquire() {
    FramePtr f;
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        f = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (f && av_frame_is_writable(f.get())) return f;
    return make_frame(format_, width_, height_);  // new, or the old one's buffer is still the encoder's (y4m's last)
  }
  void release(FramePtr f) {
    if (!f) return;
    std::lock_guard lock(mu_);
    free_.push_back(std::move(f));
  }

 private:
  AVPixelFormat format_;
  int width_, height_;
  std::mutex mu_;
  std::vector<FramePtr> free_;
};
using Queue = BoundedQueue<Item>;

// First error wins; it aborts every queue so every stage stops, and sets `io_stop`, which a read of stdin or
// a write to stdout waiting in poll() checks (StdioStream), so no stage waits on a pipe after a failure.
class JobState {
 public:
  explicit JobState(std::atomic<bool>& io_stop) : io_stop_(io_stop) {}
  void abort_on_failure(Queue& q) { queues_.push_back(&q); }  // before any stage starts
  void fail(Status s) {
    {
      std::lock_guard lock(mu_);
      if (!failed_) status_ = std::move(s);
      failed_ = true;
    }
    io_stop_.store(true);
    for (Queue* q : queues_) q->abort();
  }
  bool failed() const {
    std::lock_guard lock(mu_);
    return failed_;
  }
  Status status() const {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  std::vector<Queue*> queues_;
  std::atomic<bool>& io_stop_;
  mutable std::mutex mu_;
  bool failed_ = false;
  Status status_;
};

Status cancelled_status() { return cancelled("interrupted"); }
// A read of stdin or write to stdout given up on Ctrl-C (StdioStream, AVERROR_EXIT) says so like any other stage.
Status plain_if_cancelled(Status s) { return s.code() == StatusCode::kCancelled ? cancelled_status() : s; }

bool is_pattern(const std::string& path) { return path.find('%') != std::string::npos; }

// ---- lanes: units of frames upscaled side by side ---------------------------------------------
// The frames are cut into units — a window (window upscalers) or one frame — and unit k goes to lane k mod n, each
// lane an upscaler with its own state on its own thread (Upscaler::lanes; one lane: the upscaler itself). The decode
// thread routes the items into the lanes' queues (LaneRouter: packets go with the unit being filled, a marker closes
// each unit), each lane upscales its units in order (SrLane), and the encode thread takes the lanes' outputs back
// unit by unit, round robin (LaneMerge): frames and packets leave in the order they came.

// A luma thumbnail for scene-cut detection (windows only): every 8th sample of every 8th row, 0..1 — BT.601 luma
// of an R'G'B' frame, or a Y' plane (limited range, stretched to 0..1 so that cut thresholds mean the same on both
// paths).
std::vector<float> luma_thumbnail(const Image& img) {
  std::vector<float> t;
  const ImageView<const float> v = img.view<float>();
  for (int y = 0; y < v.height; y += 8) {
    const float* row = v.row(y);
    for (int x = 0; x < v.width; x += 8) {
      t.push_back(v.channels == 1 ? (row[x] - 16.0f / 255.0f) * (255.0f / 219.0f)
                                  : 0.299f * row[3 * x] + 0.587f * row[3 * x + 1] + 0.114f * row[3 * x + 2]);
    }
  }
  return t;
}

// Window boundaries and unit ends, on the decode thread. A window ends after window_frames frames, before a scene cut
// (against the previous frame's luma thumbnail) and before a --resume segment start; the windows after a cut or a
// segment start, the first, and with reset_each_window every window, start without temporal state.
class LaneRouter {
 public:
  LaneRouter(std::vector<Queue*> lanes, const Upscaler& upscaler, int segment_frames)
      : lanes_(std::move(lanes)), upscaler_(upscaler), segment_frames_(segment_frames) {}

  // False when the job was aborted.
  bool push(Item it) {
    if (it.packet) {
      ++unit_items_;
      return lanes_[lane_]->push(std::move(it));
    }
    if (!upscaler_.window) {  // single frames: a unit each
      ++unit_items_;
      return lanes_[lane_]->push(std::move(it)) && end_unit();
    }
    if (cut_or_segment_start(it)) {
      if (in_window_ > 0 && !end_unit()) return false;
      reset_ = true;
    }
    if (in_window_ == 0) {  // the window's first frame (a unit of its own: the last one ended before it)
      it.reset = reset_ || upscaler_.reset_each_window;
      reset_ = false;
    }
    ++in_window_;
    ++unit_items_;
    if (!lanes_[lane_]->push(std::move(it))) return false;
    return in_window_ < std::max(1, upscaler_.window_frames) || end_unit();
  }
  // The end of the stream: the unit being filled ends, every lane's queue closes.
  void close() {
    if (unit_items_ > 0 && !end_unit()) return;
    for (Queue* q : lanes_) q->close();
  }

 private:
  bool end_unit() {
    // The marker tells LaneMerge to move on and SrLane that a window is complete: single frames on one lane need
    // neither.
    if (lanes_.size() > 1 || upscaler_.window) {
      Item marker;
      marker.unit_end = true;
      if (!lanes_[lane_]->push(std::move(marker))) return false;
    }
    lane_ = (lane_ + 1) % lanes_.size();
    in_window_ = 0;
    unit_items_ = 0;
    return true;
  }
  bool cut_or_segment_start(const Item& it) {
    std::vector<float> thumb = luma_thumbnail(it.lr);
    bool cut = false;
    if (upscaler_.scene_cut_threshold > 0 && prev_thumb_.size() == thumb.size() && !thumb.empty()) {
      double diff = 0;
      for (std::size_t i = 0; i < thumb.size(); ++i) diff += std::fabs(thumb[i] - prev_thumb_[i]);
      cut = diff / thumb.size() >= upscaler_.scene_cut_threshold;
    }
    prev_thumb_ = std::move(thumb);
    return cut || (segment_frames_ > 0 && it.index % segment_frames_ == 0);
  }

  std::vector<Queue*> lanes_;
  const Upscaler& upscaler_;
  int segment_frames_;
  std::size_t lane_ = 0;    // the lane of the unit being filled
  int in_window_ = 0;       // its frames (windows)
  int unit_items_ = 0;      // its frames and packets
  bool reset_ = true;       // the next window starts without temporal state
  std::vector<float> prev_thumb_;
};

// The lanes' outputs in unit order, on the encode thread: empty at the end of the stream or on an abort.
class LaneMerge {
 public:
  explicit LaneMerge(std::vector<Queue*> lanes) : lanes_(std::move(lanes)) {}
  std::optional<Item> pop() {
    while (true) {
      std::optional<Item> it = lanes_[lane_]->pop();
      if (!it || !it->unit_end) return it;
      lane_ = (lane_ + 1) % lanes_.size();
    }
  }

 private:
  std::vector<Queue*> lanes_;
  std::size_t lane_ = 0;
};

// ---- stage 1: demux + decode + Y'CbCr -> RGB ----------------------------------------------------
// The luma plane path's frame preparation: every frame's planes in the format and colour the job chose the path
// for. A frame that differs (its tags or format change mid-stream) goes through R'G'B' to get there.
struct PlaneReader {
  AVPixelFormat format;
  FrameColor color;
  ChromaUpscaler chroma;
  ImagePool& chroma_pool;
  Image chroma_lr{};   // the frame's Cb and Cr, stacked
  Image rgb{};         // a differing frame as R'G'B'
  FramePtr converted{};  // ... and in `format` / `color`
  FrameToRgb to_rgb{};
  RgbToFrame from_rgb{};

  Status read(const AVFrame& frame, const FrameColor& frame_color, Item& item) {
    if (chroma_lr.empty()) {
      LITESR_ASSIGN_OR_RETURN(chroma_lr, Image::create(chroma.in_width(), 2 * chroma.in_height(), 1, PixelType::kF32));
    }
    const AVFrame* planes = &frame;
    if (frame.format != format || frame_color != color) {
      if (rgb.empty()) {
        LITESR_ASSIGN_OR_RETURN(rgb, Image::create(frame.width, frame.height, 3, PixelType::kF32));
        LITESR_ASSIGN_OR_RETURN(converted, make_frame(format, frame.width, frame.height));
      }
      LITESR_RETURN_IF_ERROR(to_rgb.convert(frame, frame_color, rgb.view<float>()));
      LITESR_RETURN_IF_ERROR(from_rgb.convert(rgb.view<float>(), color, *converted));
      planes = converted.get();
    }
    LITESR_RETURN_IF_ERROR(read_planes(*planes, item.lr.view<float>(), chroma_lr.view<float>()));
    LITESR_ASSIGN_OR_RETURN(item.chroma, chroma_pool.acquire());
    return chroma.run(chroma_lr.view<float>(), item.chroma.view<float>());
  }
};

struct DecodeStage {
  VideoReader& reader;
  LaneRouter& out;
  ImagePool& pool;
  JobState& state;
  const VideoJobOptions& options;
  int64_t skip_frames;    // frames already in finished segments
  bool forward_packets;   // false in resume mode (the final concat copies them)
  PlaneReader* planes = nullptr;  // set: the luma plane path
  double decode_s = 0, to_rgb_s = 0;

  void run() {
    FramePtr frame = make_frame();
    PacketPtr pkt = make_packet();
    FrameToRgb convert;
    const AVStream* vs = reader.video_stream();
    const VideoInfo& info = reader.info();
    int64_t index = 0;
    while (!state.failed()) {
      if (options.cancel != nullptr && options.cancel->cancelled()) return state.fail(cancelled_status());
      const double t0 = thread_cpu_now();
      Result<VideoReader::Item> item = reader.next(*frame, *pkt);
      decode_s += (thread_cpu_now() - t0);
      if (!item.ok()) return state.fail(plain_if_cancelled(item.status()));
      if (*item == VideoReader::Item::kEnd) break;
      if (*item == VideoReader::Item::kPacket) {
        if (!forward_packets) {
          av_packet_unref(pkt.get());
          continue;
        }
        Item it;
        it.packet = make_packet();
        av_packet_move_ref(it.packet.get(), pkt.get());
        if (!out.push(std::move(it))) return;
        continue;
      }
      if (options.max_frames > 0 && index >= options.max_frames) {
        av_frame_unref(frame.get());
        break;
      }
      if (index < skip_frames) {
        av_frame_unref(frame.get());
        ++index;
        continue;
      }
      if (frame->width != info.width || frame->height != info.height) {
        return state.fail(unsupported(info.path + ": the frame size changes mid-stream (frame " +
                                      std::to_string(index) + ")"));
      }
      Result<Image> lr = pool.acquire();
      if (!lr.ok()) return state.fail(lr.status());
      const double t1 = thread_cpu_now();
      const FrameColor color = resolve_frame_color(
          frame->colorspace != AVCOL_SPC_UNSPECIFIED ? frame->colorspace : vs->codecpar->color_space,
          frame->color_range != AVCOL_RANGE_UNSPECIFIED ? frame->color_range : vs->codecpar->color_range,
          frame->chroma_location != AVCHROMA_LOC_UNSPECIFIED ? frame->chroma_location : vs->codecpar->chroma_location,
          static_cast<AVPixelFormat>(frame->format), frame->width, frame->height);
      Item it;
      it.lr = std::move(*lr);
      const Status st = planes != nullptr ? planes->read(*frame, color, it) : convert.convert(*frame, color, it.lr.view<float>());
      to_rgb_s += (thread_cpu_now() - t1);
      if (!st.ok()) return state.fail(st.with_context(info.path));
      it.index = index++;
      it.pts = frame->pts;
      av_frame_unref(frame.get());
      if (!out.push(std::move(it))) return;
    }
    out.close();
  }
};

// Threads of the R'G'B' -> Y'CbCr conversion: `requested` when > 0, else one per hardware thread.
int resolve_convert_threads(int requested) {
  if (requested > 0) return requested;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// ---- stage 2: the SR callback, one thread per lane --------------------------------------------
// Streamed rows (Upscaler::rows): each group of upscaled rows converted into the frame's Y'CbCr by the thread that
// stored it, while the rows are in cache. Busy time of the calls: all threads', and the SR thread's own share.
class YuvRowSink final : public RowSink {
 public:
  YuvRowSink(const RgbToFrame& convert, ImageView<const float> rgb, const FrameColor& color, AVFrame& frame)
      : convert_(convert), rgb_(rgb), color_(color), frame_(frame), owner_(std::this_thread::get_id()) {}
  void rows_ready(int y0, int y1) override {
    const auto t0 = Clock::now();
    convert_.convert_rows(rgb_, color_, frame_, y0, y1);
    const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count();
    busy_ns_ += ns;
    if (std::this_thread::get_id() == owner_) owner_ns_ += ns;
  }
  double busy_s() const { return static_cast<double>(busy_ns_.load()) * 1e-9; }
  double owner_s() const { return static_cast<double>(owner_ns_.load()) * 1e-9; }

 private:
  const RgbToFrame& convert_;
  ImageView<const float> rgb_;
  const FrameColor& color_;
  AVFrame& frame_;
  std::thread::id owner_;
  std::atomic<int64_t> busy_ns_{0}, owner_ns_{0};
};

// One lane: upscales its units in order and, on the R'G'B' path, converts each result to the writer's Y'CbCr right
// away: group by group as the SR workers store them where the upscaler streams rows (stream_rows), else after the
// frame on `convert_threads` threads — either way while the frame is still in cache, rather than on the encode
// thread against the next frame's SR (docs/video.md "Threads").
struct SrLane {
  Queue& in;
  Queue& out;
  ImagePool& pool;
  JobState& state;
  const Upscaler& upscaler;  // this lane's
  bool planes = false;  // the luma plane path: Upscaler::luma_plane / luma_window on the Y' planes
  YuvFramePool* yuv_pool = nullptr;  // R'G'B' path: frames to convert into
  FrameColor yuv_color{};            // ... and the writer's Y'CbCr
  int convert_threads = 1;
  bool stream_rows = false;  // R'G'B' path through Upscaler::rows (RgbToFrame::converts_row_groups)
  RgbToFrame convert{};
  double sr_s = 0;        // the lane thread's CPU seconds, less the conversions it ran
  double from_rgb_s = 0;  // wall seconds of the conversions x convert_threads, or the streamed groups' busy time
  // R'G'B' path: it.sr -> it.yuv, it.sr back to the pool.
  Status to_yuv(Item& it) {
    if (planes || it.packet) return {};
    LITESR_ASSIGN_OR_RETURN(it.yuv, yuv_pool->acquire());
    const auto t0 = Clock::now();
    LITESR_RETURN_IF_ERROR(convert.convert(it.sr.view<float>(), yuv_color, *it.yuv, convert_threads));
    from_rgb_s += std::chrono::duration<double>(Clock::now() - t0).count() * convert_threads;
    pool.release(std::exchange(it.sr, Image()));  // a moved-from Image keeps its size
    return {};
  }

  // Streamed rows: it.lr -> it.sr with every group of rows converted into it.yuv as it is stored; it.sr back to the
  // pool.
  Status upscale_streamed(Item& it, bool reset) {
    LITESR_ASSIGN_OR_RETURN(it.yuv, yuv_pool->acquire());
    YuvRowSink sink(convert, it.sr.view<float>(), yuv_color, *it.yuv);
    const double t0 = thread_cpu_now();
    const Status st = upscaler.rows(it.lr.view<float>(), it.sr.view<float>(), reset, sink);
    sr_s += thread_cpu_now() - t0 - sink.owner_s();
    from_rgb_s += sink.busy_s();
    LITESR_RETURN_IF_ERROR(st);
    pool.release(std::exchange(it.sr, Image()));
    return {};
  }

  // Single frames: each upscaled (and converted) as it comes. Windows — a unit each, ended by its marker: the
  // window's frames held until the marker and upscaled in one call, or one call each as they come for a streaming
  // upscaler (Upscaler::window_streams), the reset (its first frame's) on the window's first call only.
  void run() {
    std::vector<Item> held;  // windows: frames and packets not yet upscaled / passed on, in order
    bool window_open = false;  // the current window's first frame was upscaled: later calls continue it
    bool window_reset = false;
    auto flush = [&]() -> bool {
      if (std::any_of(held.begin(), held.end(), [](const Item& it) { return !it.packet; })) {
        if (!run_window(held, !window_open && window_reset)) return false;
        window_open = true;
      }
      for (Item& it : held)
        if (!out.push(std::move(it))) return false;
      held.clear();
      return true;
    };
    while (std::optional<Item> it = in.pop()) {
      if (it->unit_end) {
        if (!flush() || !out.push(std::move(*it))) return;
        window_open = false;
        window_reset = false;
      } else if (upscaler.window) {
        const bool frame = !it->packet;
        window_reset = window_reset || it->reset;  // set on the window's first frame only
        held.push_back(std::move(*it));
        if (frame && upscaler.window_streams && !flush()) return;
      } else {
        if (!it->packet && !upscale_frame(*it)) return;
        if (!out.push(std::move(*it))) return;
      }
    }
    if (!state.failed()) out.close();  // every unit ended with its marker: nothing is held
  }

  // One frame of a single-frame upscaler; false after a failure.
  bool upscale_frame(Item& it) {
    Result<Image> sr = pool.acquire();
    if (!sr.ok()) {
      state.fail(sr.status());
      return false;
    }
    it.sr = std::move(*sr);
    auto context = [&] { return "upscaling frame " + std::to_string(it.index); };  // on errors only
    if (stream_rows) {
      if (const Status st = upscale_streamed(it, /*reset=*/false); !st.ok()) {
        state.fail(st.with_context(context()));
        return false;
      }
      return true;
    }
    const double t0 = thread_cpu_now();
    const Status st = planes ? upscaler.luma_plane(it.lr.view<float>(), it.sr.view<float>())
                             : upscaler.frame(it.lr.view<float>(), it.sr.view<float>());
    sr_s += (thread_cpu_now() - t0);
    if (!st.ok()) {
      state.fail(st.with_context(context()));
      return false;
    }
    if (const Status cs = to_yuv(it); !cs.ok()) {
      state.fail(cs);
      return false;
    }
    return true;
  }

  // Runs `items`' frames (packets skipped) as one call of the window upscaler; false after a failure.
  bool run_window(std::span<Item> items, bool reset) {
    std::vector<ImageView<const float>> lr;
    std::vector<ImageView<float>> sr;
    for (Item& it : items) {
      if (it.packet) continue;
      Result<Image> img = pool.acquire();
      if (!img.ok()) {
        state.fail(img.status());
        return false;
      }
      it.sr = std::move(*img);
      lr.push_back(it.lr.view<float>());
      sr.push_back(it.sr.view<float>());
    }
    if (lr.empty()) return true;
    if (stream_rows) {  // the window's frames one call each, the first with `reset`
      bool first = true;
      for (Item& it : items) {
        if (it.packet) continue;
        if (const Status st = upscale_streamed(it, first && reset); !st.ok()) {
          state.fail(st.with_context("upscaling frame " + std::to_string(it.index)));
          return false;
        }
        first = false;
      }
      return true;
    }
    const double t0 = thread_cpu_now();
    const WindowUpscaler& window = planes ? upscaler.luma_window : upscaler.window;
    const Status st = window(lr, sr, reset);
    sr_s += (thread_cpu_now() - t0);
    if (!st.ok()) {
      state.fail(st.with_context("upscaling a window of " + std::to_string(lr.size()) + " frames"));
      return false;
    }
    for (Item& it : items) {
      if (const Status cs = to_yuv(it); !cs.ok()) {
        state.fail(cs);
        return false;
      }
    }
    return true;
  }
};

// ---- resume work directory ----------------------------------------------------------------------
std::string segment_name(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "seg_%06d.nut", i);
  return buf;
}

std::string job_signature_text(const VideoJobOptions& o, const Upscaler& u, int segment_frames) {
  std::ostringstream s;
  std::error_code ec;
  s << "input=" << fs::absolute(o.input, ec).string() << "\n";
  if (fs::is_regular_file(o.input, ec)) {
    s << "input_size=" << fs::file_size(o.input, ec) << "\n";
    s << "input_mtime=" << fs::last_write_time(o.input, ec).time_since_epoch().count() << "\n";
  }
  s << "scale=" << u.scale << "\nwindow=" << (u.window ? u.window_frames : 0) << "\n";
  s << "codec=" << o.encode.codec << "\ncrf=" << o.encode.crf << "\npreset=" << o.encode.preset
    << "\npix_fmt=" << o.encode.pix_fmt << "\n";
  for (const auto& [k, v] : o.encode.codec_options) s << "opt " << k << "=" << v << "\n";
  s << "segment_frames=" << segment_frames << "\nmax_frames=" << o.max_frames << "\njob=" << o.job_signature << "\n";
  return s.str();
}

// Prepares the work dir; returns how many finished segments can be reused.
Result<int> prepare_work_dir(const fs::path& dir, const std::string& signature) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return io_error(dir.string() + ": cannot create work directory: " + ec.message());
  const fs::path job = dir / "job.txt";
  std::string old;
  {
    std::ifstream f(job, std::ios::binary);
    if (f) old.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  if (old != signature) {  // another job (or none): start over
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().filename().string().rfind("seg_", 0) == 0) fs::remove(e.path(), ec);
    }
    std::ofstream f(job, std::ios::binary | std::ios::trunc);
    f << signature;
    if (!f) return io_error(job.string() + ": cannot write");
    return 0;
  }
  int n = 0;
  while (fs::exists(dir / segment_name(n), ec)) ++n;
  return n;
}

// A --resume segment's writer: the job's, into work_dir, in NUT, without copied streams or B-frames.
WriterConfig segment_writer_config(const WriterConfig& base, const fs::path& work_dir, int segment) {
  WriterConfig c = base;
  c.path = (work_dir / segment_name(segment)).string();
  c.io_path = c.path + ".tmp";
  c.format_name = "nut";
  c.source = nullptr;
  c.copy_streams.clear();
  c.no_b_frames = true;
  return c;
}

// ---- stage 3: RGB -> Y'CbCr, encode, mux (runs on the calling thread) ---------------------------
struct EncodeStage {
  LaneMerge& in;
  ImagePool& lr_pool;
  ImagePool& sr_pool;
  ImagePool& chroma_pool;
  YuvFramePool& yuv_pool;
  JobState& state;
  const VideoJobOptions& options;
  WriterConfig base;            // size, timing, colour, copy streams
  VideoWriter* writer = nullptr;  // single-output mode
  // Resume mode: a new segment writer every `segment_frames` frames.
  fs::path work_dir{};
  int segment_frames = 0;
  int first_segment = 0;
  std::unique_ptr<VideoWriter> segment{};
  int segment_index = -1;
  int64_t frames = 0;
  int64_t done_before = 0;
  int64_t total = 0;
  bool planes = false;  // the luma plane path: frames are written from their planes
  double from_rgb_s = 0, encode_s = 0;
  std::string encoder{};

  Status close_segment() {
    if (!segment) return {};
    const double t0 = thread_cpu_now();
    Status st = segment->finish();
    encode_s += (thread_cpu_now() - t0);
    segment.reset();
    const fs::path final_path = work_dir / segment_name(segment_index);
    const fs::path tmp = fs::path(final_path.string() + ".tmp");
    if (!st.ok()) return st;
    std::error_code ec;
    fs::rename(tmp, final_path, ec);
    if (ec) return io_error(final_path.string() + ": " + ec.message());
    return {};
  }

  Status run() {
    FramePtr frame;  // the luma plane path's
    while (std::optional<Item> it = in.pop()) {
      if (options.cancel != nullptr && options.cancel->cancelled()) return cancelled_status();
      if (it->packet) {
        if (writer != nullptr) {
          const double t0 = thread_cpu_now();
          LITESR_RETURN_IF_ERROR(writer->write_packet(*it->packet));
          encode_s += (thread_cpu_now() - t0);
        }
        continue;
      }
      VideoWriter* w = writer;
      if (segment_frames > 0) {
        const int seg = static_cast<int>(it->index / segment_frames);
        if (seg != segment_index) {
          LITESR_RETURN_IF_ERROR(close_segment());
          segment_index = seg;
          const double t0 = thread_cpu_now();
          LITESR_ASSIGN_OR_RETURN(segment, VideoWriter::open(segment_writer_config(base, work_dir, seg)));
          encode_s += (thread_cpu_now() - t0);
          frame.reset();
        }
        w = segment.get();
      }
      if (encoder.empty()) encoder = std::string(w->codec_name()) + " " + av_get_pix_fmt_name(w->pixel_format());
      const double t0 = thread_cpu_now();
      AVFrame* out = it->yuv.get();  // the R'G'B' path: converted by the SR stage
      if (planes) {
        if (!frame) {
          LITESR_ASSIGN_OR_RETURN(frame, w->make_frame());
        }
        int err = av_frame_make_writable(frame.get());  // the encoder may still hold the last buffer
        if (err < 0) return av_error(err, "frame buffer");
        LITESR_RETURN_IF_ERROR(write_planes(it->sr.view<float>(), it->chroma.view<float>(), *frame));
        out = frame.get();
      }
      const double t1 = thread_cpu_now();
      from_rgb_s += t1 - t0;
      out->pts = it->pts;
      LITESR_RETURN_IF_ERROR(w->write_frame(*out));
      encode_s += (thread_cpu_now() - t1);
      lr_pool.release(std::move(it->lr));
      sr_pool.release(std::move(it->sr));
      chroma_pool.release(std::move(it->chroma));
      yuv_pool.release(std::move(it->yuv));
      ++frames;
      if (options.on_progress) options.on_progress(done_before + frames, total);
    }
    if (state.failed()) return state.status();
    const double t0 = thread_cpu_now();
    if (writer != nullptr) LITESR_RETURN_IF_ERROR(writer->finish());
    encode_s += (thread_cpu_now() - t0);
    return close_segment();
  }
};

// Removes a partial output on every path that does not commit it.
class OutputGuard {
 public:
  explicit OutputGuard(std::vector<fs::path> paths) : paths_(std::move(paths)) {}
  ~OutputGuard() {
    if (committed_) return;
    std::error_code ec;
    for (const fs::path& p : paths_) fs::remove(p, ec);
  }
  void add(fs::path p) { paths_.push_back(std::move(p)); }
  void commit() { committed_ = true; }

 private:
  std::vector<fs::path> paths_;
  bool committed_ = false;
};

fs::path temp_path_for(const fs::path& output) {
  return output.parent_path() / ("." + output.filename().string() + ".litesr-tmp");
}

// What the job's two ends are (one place for the rules; a benchmark has no output).
struct JobEnds {
  bool from_stdin = false;    // -i -: y4m on standard input
  bool to_stdout = false;     // -o -: y4m on standard output
  bool sequence_out = false;  // an image-sequence pattern ("sr/%08d.png")
  bool y4m_out = false;       // y4m, to stdout or to a .y4m file
};

JobEnds job_ends(const VideoJobOptions& options) {
  JobEnds e;
  e.from_stdin = is_stdio_path(options.input);
  e.to_stdout = !options.benchmark && is_stdio_path(options.output);
  e.sequence_out = !options.benchmark && !e.to_stdout && is_pattern(options.output);
  e.y4m_out = !options.benchmark && is_y4m_output(options.output);
  return e;
}

}  // namespace

void set_ffmpeg_verbosity(int verbosity) {
  av_log_set_level(verbosity <= 0 ? AV_LOG_ERROR : verbosity == 1 ? AV_LOG_WARNING : AV_LOG_INFO);
}

Status check_video_job_options(const VideoJobOptions& options) {
  if (options.input.empty()) return invalid_argument("no input given");
  if (!options.benchmark && options.output.empty()) return invalid_argument("no output given");
  const auto [from_stdin, to_stdout, sequence_out, y4m_out] = job_ends(options);
  if (options.resume) {
    if (to_stdout)
      return invalid_argument(
          "--resume cannot write to a pipe (-o -): it keeps segment files in OUT.litesr-work/ "
          "and renames the finished file into place; write to a file, or drop --resume");
    if (from_stdin)
      return invalid_argument(
          "--resume cannot read a pipe (-i -): a rerun decodes the input again from its start "
          "and the final merge reads it once more; read a file, or drop --resume");
    if (options.benchmark || sequence_out)
      return invalid_argument("--resume needs a container output (not a benchmark or an image sequence)");
    if (y4m_out)
      return invalid_argument(
          "--resume cannot write YUV4MPEG2 (.y4m): its segments are encoded video, which y4m "
          "cannot hold");
  }
  if (y4m_out) LITESR_RETURN_IF_ERROR(check_y4m_encode_options(options.encode, to_stdout ? "stdout" : options.output));
  if (from_stdin && isatty(STDIN_FILENO) == 1)
    return invalid_argument(
        "-i -: standard input is a terminal; pipe a YUV4MPEG2 stream in "
        "(`ffmpeg -i IN -f yuv4mpegpipe - | litesr video -i - -o OUT`)");
  if (to_stdout && isatty(STDOUT_FILENO) == 1)
    return invalid_argument(
        "-o -: standard output is a terminal; send it to a pipe or a file "
        "(`litesr video -i IN -o - | ffmpeg -i - OUT`)");
  return {};
}

Result<VideoJobStats> run_video_job(const VideoJobOptions& options, const Upscaler& upscaler) {
  const auto start = Clock::now();
  if (upscaler.scale < 1 || upscaler.scale > 16) return invalid_argument("scale must be 1..16");
  if (static_cast<bool>(upscaler.frame) == static_cast<bool>(upscaler.window))
    return invalid_argument("exactly one of Upscaler::frame and Upscaler::window must be set");
  LITESR_RETURN_IF_ERROR(check_video_job_options(options));
  const auto [from_stdin, to_stdout, sequence_out, y4m_out] = job_ends(options);
  // Set by JobState::fail: reads of stdin and writes to stdout waiting in poll() give up (as on Ctrl-C).
  std::atomic<bool> io_stop{false};
  const CancelToken* cancel = options.cancel;
  const auto io_interrupted = [&io_stop, cancel] {
    return io_stop.load() || (cancel != nullptr && cancel->cancelled());
  };

  ReaderOptions ropts;
  ropts.copy_audio = options.copy_audio && !options.benchmark;
  ropts.copy_subtitles = options.copy_subtitles && !options.benchmark;
  ropts.copy_data = options.copy_data && !options.benchmark;
  ropts.threads = options.decode_threads;
  ropts.strict_length = options.max_frames == 0;
  ropts.interrupted = io_interrupted;
  Result<std::unique_ptr<VideoReader>> opened = VideoReader::open(options.input, ropts);
  if (!opened.ok()) return plain_if_cancelled(opened.status());
  std::unique_ptr<VideoReader> reader = std::move(opened).value();
  const VideoInfo& info = reader->info();
  VideoJobStats stats;
  stats.input = info;

  const fs::path output = options.output;
  std::error_code ec;
  if (!options.benchmark && !sequence_out && !to_stdout && !options.overwrite && fs::exists(output, ec))
    return already_exists(options.output + ": exists (use --overwrite)");
  if (sequence_out) {
    if (!output.parent_path().empty()) fs::create_directories(output.parent_path(), ec);
    char first[4096];
    if (av_get_frame_filename2(first, sizeof(first), options.output.c_str(), 0, 0) < 0)
      return invalid_argument(options.output + ": an image-sequence pattern needs one %d (e.g. %08d.png)");
    if (!options.overwrite && fs::exists(first, ec)) return already_exists(std::string(first) + ": exists (use --overwrite)");
  }

  const AVStream* vs = reader->video_stream();
  WriterConfig wc;
  wc.width = info.width * upscaler.scale;
  wc.height = info.height * upscaler.scale;
  wc.time_base = vs->time_base;
  wc.frame_rate = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : vs->r_frame_rate;
  // y4m is constant-rate: the rate that represents every timestamp (libavformat's guess: the stream's base rate,
  // r_frame_rate, unless implausible), as `ffmpeg -vsync cfr` uses; tree.avi: 15 fps, its 68 frames in 444 slots.
  if (y4m_out) wc.frame_rate = av_guess_frame_rate(reader->format(), reader->video_stream(), nullptr);
  if (wc.frame_rate.num <= 0 || wc.frame_rate.den <= 0) wc.frame_rate = {25, 1};
  wc.encode = options.encode;
  if (options.benchmark && wc.encode.codec.empty()) wc.encode.codec = "rawvideo";
  wc.source_bit_depth = info.bit_depth;
  wc.source_pix_fmt = static_cast<AVPixelFormat>(vs->codecpar->format);
  wc.color = reader->color();
  const AVPixFmtDescriptor* in_desc = av_pix_fmt_desc_get(wc.source_pix_fmt);
  if (in_desc != nullptr && (in_desc->flags & AV_PIX_FMT_FLAG_RGB) != 0)
    wc.color = {ColorMatrix::kBt709, ColorRange::kLimited, AVCHROMA_LOC_LEFT};  // RGB in: tag BT.709 out
  wc.primaries = vs->codecpar->color_primaries;
  wc.transfer = vs->codecpar->color_trc;
  if (y4m_out) {  // no colour tags in y4m: write what its readers will assume, or say what they cannot know
    const bool rgb_in = in_desc != nullptr && (in_desc->flags & AV_PIX_FMT_FLAG_RGB) != 0;
    const Y4mColor plan = plan_y4m_color(wc.color, rgb_in ? AVCOL_SPC_UNSPECIFIED : vs->codecpar->color_space,
                                         wc.primaries, wc.transfer, wc.width, wc.height);
    wc.color = plan.color;
    if (!plan.warning.empty()) stats.warnings.push_back(plan.warning);
  }
  wc.source = reader->format();
  wc.source_video = vs;
  wc.copy_streams = reader->copy_streams();

  int segment_frames = 0;
  int first_segment = 0;
  fs::path work_dir;
  if (options.resume) {
    segment_frames = options.segment_frames > 0
                         ? options.segment_frames
                         : std::max(16, static_cast<int>(std::lround(2.0 * (info.frame_rate > 0 ? info.frame_rate : 25))));
    if (upscaler.window) {  // windows never straddle a segment
      const int t = std::max(1, upscaler.window_frames);
      segment_frames = (segment_frames + t - 1) / t * t;
    }
    work_dir = fs::path(options.output + ".litesr-work");
    // The segments are NUT files: they get the encoder the output itself would get (H.264 for .mp4), not NUT's.
    if (wc.encode.codec.empty()) {
      WriterConfig final_output = wc;
      final_output.path = options.output;
      LITESR_ASSIGN_OR_RETURN(const OutputPlan plan, plan_output(final_output));
      wc.encode.codec = plan.codec->name;
    }
    LITESR_ASSIGN_OR_RETURN(first_segment, prepare_work_dir(work_dir, job_signature_text(options, upscaler, segment_frames)));
  }
  const int64_t skip = static_cast<int64_t>(first_segment) * segment_frames;

  // Single-output writer (not in resume mode).
  std::unique_ptr<VideoWriter> writer;
  const fs::path temp = temp_path_for(output);
  OutputGuard guard({});
  if (!options.resume) {
    WriterConfig c = wc;
    if (options.benchmark) {
      c.path = options.output.empty() ? "benchmark" : options.output;
      c.format_name = "null";
      c.source = nullptr;
      c.copy_streams.clear();
    } else if (to_stdout) {  // y4m straight to the pipe: no temporary file, nothing to rename
      c.path = options.output;
      c.interrupted = io_interrupted;
    } else if (sequence_out) {
      c.path = options.output;
    } else {
      c.path = options.output;
      c.io_path = temp.string();
      guard.add(temp);
    }
    LITESR_ASSIGN_OR_RETURN(writer, VideoWriter::open(c));
    stats.skipped_streams = writer->skipped_streams();
  }

  OutputPlan out;  // what the writer encodes (--resume: its segments' writers, not open yet)
  if (writer != nullptr) {
    out.pix_fmt = writer->pixel_format();
    out.color = writer->color();
  } else {
    LITESR_ASSIGN_OR_RETURN(out, plan_output(segment_writer_config(wc, work_dir, first_segment)));
  }
  // The luma plane path, where the input's planes can go through to what the writer encodes (luma_planes.h).
  std::optional<PlaneReader> plane_reader;
  std::unique_ptr<ImagePool> chroma_pool;
  if (((upscaler.luma_plane && upscaler.frame) || (upscaler.luma_window && upscaler.window)) && options.luma_planes) {
    if (luma_planes_apply(wc.source_pix_fmt, reader->color(), out.pix_fmt, out.color)) {
      LITESR_ASSIGN_OR_RETURN(ChromaUpscaler chroma, ChromaUpscaler::create(wc.source_pix_fmt, reader->color().chroma_location,
                                                                           info.width, info.height, upscaler.scale));
      chroma_pool = std::make_unique<ImagePool>(chroma.out_width(), 2 * chroma.out_height(), 1);
      plane_reader.emplace(PlaneReader{wc.source_pix_fmt, reader->color(), std::move(chroma), *chroma_pool});
    }
  }
  if (!chroma_pool) chroma_pool = std::make_unique<ImagePool>(1, 1, 1);  // unused
  const bool planes = plane_reader.has_value();
  const int channels = planes ? 1 : 3;

  // The lanes (Upscaler::lanes) where units are independent and the frames their queues hold fit the bound: each
  // lane's queues take two windows beyond queue_frames, so that a unit can be routed whole while the lane before it
  // works.
  const int qcap = std::max(1, options.queue_frames);
  const int window = upscaler.window ? std::max(1, upscaler.window_frames) : 1;
  const int lane_cap = upscaler.lanes.size() >= 2 ? qcap + 2 * window : qcap;
  // What the queued items hold: an input frame each way, and on the way out the upscaled frame (the writer's Y'CbCr;
  // luma planes: the f32 Y' plane and the upscaled chroma planes).
  const int64_t lr_bytes = int64_t{info.width} * info.height * channels * static_cast<int64_t>(sizeof(float));
  const int64_t sr_bytes = planes ? (int64_t{wc.width} * wc.height + int64_t{plane_reader->chroma.out_width()} * 2 *
                                                                         plane_reader->chroma.out_height()) *
                                        static_cast<int64_t>(sizeof(float))
                                  : std::max(0, av_image_get_buffer_size(out.pix_fmt, wc.width, wc.height, 1));
  const bool use_lanes = upscaler.lanes.size() >= 2 && (!upscaler.window || upscaler.reset_each_window) &&
                         static_cast<int64_t>(upscaler.lanes.size()) * lane_cap * (2 * lr_bytes + sr_bytes) <=
                             options.max_lane_queue_bytes;
  std::vector<const Upscaler*> lane_upscalers;
  if (use_lanes) {
    for (const Upscaler& lane : upscaler.lanes) lane_upscalers.push_back(&lane);
  } else {
    lane_upscalers.push_back(&upscaler);
  }
  const std::size_t lanes = lane_upscalers.size();
  JobState state(io_stop);
  std::deque<Queue> queues;  // lane i's input and output: 2i and 2i + 1 (a deque: stable addresses)
  std::vector<Queue*> lane_in, lane_out;
  for (std::size_t i = 0; i < lanes; ++i) {
    for (std::vector<Queue*>* side : {&lane_in, &lane_out}) {
      side->push_back(&queues.emplace_back(use_lanes ? lane_cap : qcap));
      state.abort_on_failure(*side->back());
    }
  }
  LaneRouter router(lane_in, upscaler, segment_frames);
  LaneMerge merge(lane_out);
  ImagePool lr_pool(info.width, info.height, channels), sr_pool(wc.width, wc.height, channels);
  DecodeStage decode{*reader, router, lr_pool, state, options, skip, !options.resume && !options.benchmark};
  decode.planes = planes ? &*plane_reader : nullptr;
  YuvFramePool yuv_pool(out.pix_fmt, wc.width, wc.height);
  std::vector<std::unique_ptr<SrLane>> sr;
  for (std::size_t i = 0; i < lanes; ++i) {
    const Upscaler& u = *lane_upscalers[i];
    sr.push_back(std::make_unique<SrLane>(SrLane{*lane_in[i], *lane_out[i], sr_pool, state, u}));
    SrLane& lane = *sr.back();
    lane.planes = planes;
    lane.yuv_pool = &yuv_pool;
    lane.yuv_color = out.color;
    lane.convert_threads = use_lanes ? 1 : resolve_convert_threads(options.convert_threads);
    lane.stream_rows = !planes && u.rows && RgbToFrame::converts_row_groups(out.pix_fmt, out.color, upscaler.scale);
  }
  EncodeStage encode{merge, lr_pool, sr_pool, *chroma_pool, yuv_pool, state, options, wc, writer.get()};
  encode.planes = planes;
  encode.work_dir = work_dir;
  encode.segment_frames = segment_frames;
  encode.first_segment = first_segment;
  encode.done_before = skip;
  encode.total = options.max_frames > 0 ? std::min<int64_t>(options.max_frames, info.frame_count) : info.frame_count;
  if (encode.total <= 0) encode.total = options.max_frames;

  std::thread decode_thread([&] { decode.run(); });
  std::vector<std::thread> sr_threads;
  for (auto& lane : sr) sr_threads.emplace_back([&lane] { lane->run(); });
  Status st = encode.run();
  if (!st.ok()) state.fail(plain_if_cancelled(st));
  decode_thread.join();
  for (std::thread& t : sr_threads) t.join();
  if (state.failed()) {
    st = state.status();
    if (writer != nullptr && writer->broken_pipe()) {
      st = io_error(
          "stdout: the program reading the output closed the pipe (EPIPE) before the end: the output "
          "stream is incomplete (" +
          std::to_string(encode.frames) + " frames had been passed to it)");
    }
    if (encode.segment) {  // an unfinished segment is never reused
      encode.segment.reset();
      fs::remove(work_dir / (segment_name(encode.segment_index) + ".tmp"), ec);
    }
    if (sequence_out) {  // remove the images written so far
      for (int64_t i = 0; i <= encode.frames; ++i) {
        char name[4096];
        if (av_get_frame_filename2(name, sizeof(name), options.output.c_str(), static_cast<int>(i), 0) >= 0)
          fs::remove(name, ec);
      }
    }
    return st;
  }
  if (options.cancel != nullptr && options.cancel->cancelled()) return cancelled_status();

  if (options.resume) {
    ConcatConfig cc;
    int n = 0;
    while (fs::exists(work_dir / segment_name(n), ec)) cc.segments.push_back((work_dir / segment_name(n++)).string());
    if (cc.segments.empty()) return corrupt_data(options.input + ": no video frame to encode");
    cc.input = options.input;
    cc.copy = ropts;
    cc.output = options.output;
    cc.io_path = temp.string();
    guard.add(temp);
    LITESR_ASSIGN_OR_RETURN(stats.skipped_streams, concat_segments(cc));
    stats.segments = n;
  }
  if (!options.benchmark && !sequence_out && !to_stdout) {
    if (options.overwrite) fs::remove(output, ec);
    fs::rename(temp, output, ec);
    if (ec) return io_error(options.output + ": cannot rename the finished output into place: " + ec.message());
  }
  guard.commit();
  if (options.resume) fs::remove_all(work_dir, ec);

  if (writer != nullptr && writer->repeated_frames() + writer->dropped_frames() > 0) {
    char text[256];
    std::snprintf(text, sizeof(text),
                  "YUV4MPEG2 is constant-rate (%.3f fps): to keep the input's timing, %lld frames were repeated and "
                  "%lld dropped (a variable-frame-rate input)",
                  av_q2d(wc.frame_rate), static_cast<long long>(writer->repeated_frames()),
                  static_cast<long long>(writer->dropped_frames()));
    stats.warnings.emplace_back(text);
  }
  stats.frames = skip + encode.frames;
  stats.luma_planes = planes;
  stats.frames_resumed = skip;
  stats.decode_s = decode.decode_s;
  stats.to_rgb_s = decode.to_rgb_s;
  stats.sr_lanes = static_cast<int>(lanes);
  for (const auto& lane : sr) {
    stats.sr_s += lane->sr_s / static_cast<double>(lanes);
    if (!planes) stats.from_rgb_s += lane->from_rgb_s;
  }
  if (planes) stats.from_rgb_s = encode.from_rgb_s;
  stats.encode_s = encode.encode_s;
  stats.encoder = encode.encoder;
  stats.wall_s = seconds_since(start);
  return stats;
}

}  // namespace litesr

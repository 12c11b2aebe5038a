#include "upscaler/batch_upscale.h"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "base/bounded_queue.h"
#include "io/atomic_file.h"
#include "io/image_rows.h"
#include "upscaler/streamed_upscale.h"

namespace litesr {

namespace fs = std::filesystem;

namespace {

// One file on its way through the stages. `item` is final once `done` is set (skipped, failed, streamed).
struct Work {
  BatchItem item;
  bool done = false;
  std::string bytes;                         // the file as read
  std::unique_ptr<ImageRowReader> rows;      // set when the file streams (owns a copy of `bytes`)
  DecodedImage decoded;                      // the whole-image path
  Image upscaled;
};

void fail(Work& w, Status status) {
  w.item.outcome = BatchOutcome::kFailed;
  w.item.status = std::move(status);
  w.done = true;
}

// Hands finished items to the callback one at a time and keeps them in job order.
class ItemLog {
 public:
  ItemLog(std::size_t jobs, const BatchCallbacks& callbacks) : slots_(jobs), callbacks_(callbacks) {}
  void report(const BatchItem& item) {
    std::lock_guard lock(mu_);
    slots_[item.index] = item;
    if (callbacks_.on_item) callbacks_.on_item(item);
  }
  std::vector<BatchItem> items() const {
    std::vector<BatchItem> out;
    for (const std::optional<BatchItem>& s : slots_) {
      if (s) out.push_back(*s);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::optional<BatchItem>> slots_;
  const BatchCallbacks& callbacks_;
};

// Lanes run images side by side (shared); an image on the upscaler's own threads runs alone (exclusive): it waits
// for the lanes' images in progress, and lanes wait while it is pending or running.
class LaneGate {
 public:
  void enter_shared() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !exclusive_ && exclusive_waiting_ == 0; });
    ++shared_;
  }
  void leave_shared() {
    std::lock_guard lock(mu_);
    --shared_;
    cv_.notify_all();
  }
  void enter_exclusive() {
    std::unique_lock lock(mu_);
    ++exclusive_waiting_;
    cv_.wait(lock, [&] { return !exclusive_ && shared_ == 0; });
    --exclusive_waiting_;
    exclusive_ = true;
  }
  void leave_exclusive() {
    std::lock_guard lock(mu_);
    exclusive_ = false;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int shared_ = 0, exclusive_waiting_ = 0;
  bool exclusive_ = false;
};

Status create_parent_folder(const fs::path& output) {
  std::error_code ec;
  if (output.has_parent_path()) fs::create_directories(output.parent_path(), ec);
  if (ec) return io_error(output.parent_path().string() + ": cannot create folder: " + ec.message());
  return {};
}

class BatchRunner {
 public:
  BatchRunner(ModelUpscaler& upscaler, std::span<const BatchJob> jobs, const BatchOptions& options,
              const BatchCallbacks& callbacks, std::span<ModelUpscaler* const> lanes)
      : upscaler_(upscaler),
        lanes_(lanes),
        jobs_(jobs),
        options_(options),
        callbacks_(callbacks),
        log_(jobs.size(), callbacks) {
    if (Result<int> context = upscaler.context_rows(); !context.ok()) {
      model_cannot_stream_ = std::string(context.status().message());
    }
  }

  bool cancelled() const { return options_.cancel != nullptr && options_.cancel->cancelled(); }
  std::vector<BatchItem> items() const { return log_.items(); }

  // Stage 1: read the file once; open it for streaming when it is large enough, else decode it whole.
  Work read(std::size_t index) {
    const BatchJob& job = jobs_[index];
    Work w;
    w.item.index = index;
    std::error_code ec;
    if (!options_.overwrite && fs::exists(job.output, ec)) {
      w.item.outcome = BatchOutcome::kSkipped;
      w.done = true;
      return w;
    }
    Result<std::string> bytes = read_file(job.input);
    if (!bytes.ok()) {
      fail(w, bytes.status());
      return w;
    }
    w.bytes = std::move(bytes).value();
    const std::string name = job.input.string();
    if (options_.stream_min_output_pixels == kNeverStream) {
      // whole, as asked
    } else if (!model_cannot_stream_.empty()) {
      w.item.not_streamed_reason = model_cannot_stream_;
    } else {
      Result<std::unique_ptr<ImageRowReader>> rows = open_image_row_reader(w.bytes, name, streamed_read_options());
      if (rows.ok()) {
        const ImageRowsInfo& info = (*rows)->info();
        Result<std::pair<int, int>> size = upscaler_.output_size(info.width, info.height);
        if (!size.ok()) {
          fail(w, size.status().with_context(name));
          return w;
        }
        if (int64_t{size->first} * size->second >= options_.stream_min_output_pixels) {
          w.rows = std::move(rows).value();
          return w;
        }
      } else if (rows.status().code() != StatusCode::kUnsupported) {
        fail(w, rows.status());
        return w;
      } else {
        w.item.not_streamed_reason = std::string(rows.status().message());
      }
    }
    decode(w);
    return w;
  }

  Work read_guarded(std::size_t index) {
    Work w;
    w.item.index = index;
    guarded(w, [&] { w = read(index); });
    return w;
  }

  // Stage 2: upscale (or stream the file through in bands, which also writes it) on `upscaler`, lane `lane` (-1: the
  // upscaler itself).
  void upscale(Work& w, ModelUpscaler& upscaler, int lane) {
    const BatchJob& job = jobs_[w.item.index];
    if (w.rows) {
      if (Status s = create_parent_folder(job.output); !s.ok()) return fail(w, s);
      StreamOptions stream;
      stream.band_rows = options_.band_rows;
      stream.cancel = options_.cancel;
      if (callbacks_.on_rows) stream.on_rows = [&](int done, int total) { callbacks_.on_rows(job, done, total); };
      Result<StreamedUpscale> streamed =
          upscale_streamed(upscaler, *w.rows, job.input.string(), job.output, write_options(w, 1), stream);
      w.rows.reset();
      if (!streamed.ok()) return fail(w, streamed.status());
      if (streamed->streamed) {
        w.item.streamed = true;
        w.item.input_width = streamed->input_width;
        w.item.input_height = streamed->input_height;
        w.item.output_width = streamed->output_width;
        w.item.output_height = streamed->output_height;
        w.done = true;
        return;
      }
      w.item.not_streamed_reason = streamed->reason;
      decode(w);  // the output format cannot stream (WebP): nothing was read from the rows yet
      if (w.done) return;
    }
    w.bytes.clear();
    w.bytes.shrink_to_fit();
    Result<Image> up = upscaler.upscale(w.decoded.image);
    if (!up.ok()) return fail(w, up.status().with_context(job.input.string()));
    w.upscaled = std::move(up).value();
    w.item.lane = lane;
    w.item.input_width = w.decoded.image.width();
    w.item.input_height = w.decoded.image.height();
    w.item.output_width = w.upscaled.width();
    w.item.output_height = w.upscaled.height();
    w.decoded.image = Image();
  }

  // Stage 3: encode and write atomically.
  void write(Work& w, int threads) {
    const BatchJob& job = jobs_[w.item.index];
    if (Status s = create_parent_folder(job.output); !s.ok()) return fail(w, s);
    if (Status s = write_image(job.output, w.upscaled, write_options(w, threads)); !s.ok()) return fail(w, s);
    w.upscaled = Image();
    w.done = true;
  }

  void report(const Work& w) { log_.report(w.item); }

  // A stage on one file; running out of memory fails that file (the stages run on the pipeline's threads,
  // which no exception may leave).
  template <typename Stage>
  void guarded(Work& w, Stage&& stage) {
    try {
      stage();
    } catch (const std::bad_alloc&) {
      fail(w, resource_exhausted(jobs_[w.item.index].input.string() + ": out of memory"));
    }
  }

  Status run_sequential() {
    const int threads = options_.encode_threads > 0 ? options_.encode_threads : upscaler_.threads();
    for (std::size_t i = 0; i < jobs_.size(); ++i) {
      if (cancelled()) return {};
      Work w = read_guarded(i);
      if (!w.done) guarded(w, [&] { upscale(w, upscaler_, -1); });
      if (is_cancellation(w)) return {};
      if (!w.done) guarded(w, [&] { write(w, threads); });
      report(w);
    }
    return {};
  }

  Status run_pipelined() {
    BoundedQueue<Work> decoded(static_cast<std::size_t>(options_.queue_depth));
    BoundedQueue<Work> upscaled(static_cast<std::size_t>(options_.queue_depth));
    std::vector<std::thread> threads;
    auto stop_all = [&] {
      decoded.abort();
      upscaled.close();
      for (std::thread& t : threads) t.join();
    };
    try {
      threads.emplace_back([&] {
        for (std::size_t i = 0; i < jobs_.size() && !cancelled(); ++i) {
          Work w = read_guarded(i);
          if (w.done) {
            report(w);
          } else if (!decoded.push(std::move(w))) {
            break;  // aborted: the upscaler stage stopped
          }
        }
        decoded.close();
      });
      for (int e = 0; e < options_.encoders; ++e) {
        threads.emplace_back([&] {
          while (std::optional<Work> w = upscaled.pop()) {
            guarded(*w, [&] { write(*w, 1); });
            report(*w);
          }
        });
      }
    } catch (const std::system_error& e) {
      stop_all();
      return resource_exhausted(std::string("cannot start the batch pipeline's threads: ") + e.what());
    }
    // The upscaler stage: the calling thread, or one thread per lane (the calling thread joins them).
    auto upscale_stage = [&](int lane) {
      LaneGate* gate = lane >= 0 ? &gate_ : nullptr;
      while (std::optional<Work> w = decoded.pop()) {
        if (cancelled()) break;
        const bool alone = gate == nullptr || !fits_lane(*w);
        if (gate != nullptr) alone ? gate->enter_exclusive() : gate->enter_shared();
        guarded(*w, [&] { alone ? upscale(*w, upscaler_, -1) : upscale(*w, *lanes_[lane], lane); });
        if (gate != nullptr) alone ? gate->leave_exclusive() : gate->leave_shared();
        if (is_cancellation(*w)) break;
        if (w->done) {
          report(*w);
        } else {
          upscaled.push(std::move(*w));
        }
      }
    };
    if (lanes_.size() >= 2) {
      std::vector<std::thread> lane_threads;
      try {
        for (std::size_t i = 1; i < lanes_.size(); ++i) lane_threads.emplace_back(upscale_stage, static_cast<int>(i));
      } catch (const std::system_error&) {  // fewer lanes then: the ones started and the calling thread
      }
      upscale_stage(0);
      for (std::thread& t : lane_threads) t.join();
    } else {
      upscale_stage(-1);
    }
    stop_all();  // images already upscaled are still written: the encoders drain their closed queue
    return {};
  }

 private:
  // Whether a file runs on a lane: upscaled whole, to fewer than lane_max_output_pixels pixels.
  bool fits_lane(const Work& w) const {
    if (w.rows) return false;
    const Result<std::pair<int, int>> size = upscaler_.output_size(w.decoded.image.width(), w.decoded.image.height());
    return size.ok() && int64_t{size->first} * size->second < options_.lane_max_output_pixels;
  }

  // A streamed file stopped by the user: not a failure, and not reported (it was not completed).
  bool is_cancellation(const Work& w) const {
    return w.item.outcome == BatchOutcome::kFailed && w.item.status.code() == StatusCode::kCancelled;
  }

  void decode(Work& w) {
    const BatchJob& job = jobs_[w.item.index];
    const auto* data = reinterpret_cast<const uint8_t*>(w.bytes.data());
    Result<DecodedImage> decoded = decode_image(std::span(data, w.bytes.size()), job.input.string());
    if (!decoded.ok()) return fail(w, decoded.status());
    w.decoded = std::move(decoded).value();
  }

  WriteOptions write_options(const Work& w, int threads) const {
    WriteOptions write = options_.write;
    write.icc_profile = w.decoded.icc_profile;  // a streamed file carries its own (upscale_streamed)
    write.exif = w.decoded.exif;
    write.overwrite = true;  // existence was checked when the file was read; the rename is atomic
    write.threads = threads;
    write.sync_directory = false;  // each output folder is synced once, after the batch (upscale_batch)
    return write;
  }

  ModelUpscaler& upscaler_;
  std::span<ModelUpscaler* const> lanes_;
  LaneGate gate_;
  std::span<const BatchJob> jobs_;
  const BatchOptions& options_;
  const BatchCallbacks& callbacks_;
  ItemLog log_;
  std::string model_cannot_stream_;  // why this model never streams; "" when it can
};

}  // namespace

bool batch_pipelined(std::size_t jobs, const BatchOptions& options) { return options.encoders > 0 && jobs > 1; }

int default_batch_encoders() { return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u)) + 1; }

Result<BatchResult> upscale_batch(ModelUpscaler& upscaler, std::span<const BatchJob> jobs, const BatchOptions& options,
                                  const BatchCallbacks& callbacks, std::span<ModelUpscaler* const> lanes) {
  if (options.encoders < 0 || options.queue_depth < 1 || options.encode_threads < 0) {
    return invalid_argument("batch options: encoders >= 0, queue_depth >= 1 and encode_threads >= 0");
  }
  BatchRunner runner(upscaler, jobs, options, callbacks, lanes);
  LITESR_RETURN_IF_ERROR(batch_pipelined(jobs.size(), options) ? runner.run_pipelined() : runner.run_sequential());
  BatchResult result;
  result.items = runner.items();
  std::set<fs::path> folders;  // one fsync per output folder makes every rename into it durable
  for (const BatchItem& item : result.items) {
    if (item.outcome == BatchOutcome::kDone) folders.insert(jobs[item.index].output.parent_path());
  }
  for (const fs::path& folder : folders) sync_directory(folder);
  result.interrupted = runner.cancelled() && result.items.size() < jobs.size();
  return result;
}

}  // namespace litesr

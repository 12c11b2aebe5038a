// Upscaling a list of image files (`litesr upscale -i DIR`): decoding, upscaling and encoding overlap
// across files, like the `-j load:proc:save` option of the ncnn-based upscalers.
//
// Stages (BatchOptions::encoders > 0):
//   reader    one thread: reads each file once and decodes it (or opens it for streaming, below);
//   upscaler  the calling thread: runs the model (the session's own threads); or, given lanes (single-threaded
//             instances of the model, at least two), one thread per lane, whole images below
//             `lane_max_output_pixels` side by side — one image per lane, no band boundary or thread meeting
//             within an image — and larger or streamed ones on the upscaler's threads while the lanes wait;
//   encoders  `encoders` threads: encode and write atomically (io/atomic_file.h), one image each.
// The queues between the stages hold at most `queue_depth` images each, so at most
// 2·queue_depth + encoders + 2 images are in memory at once (one being decoded, one being upscaled).
// encoders == 0 runs the same steps one file after the other on the calling thread. Both produce the same
// bytes: every encoder is deterministic, and the fast PNG encoder's bytes do not depend on its thread count.
//
// Per file: an existing output is skipped unless `overwrite`; a file that fails (unreadable, corrupt,
// unwritable) fails alone and the others go on; an output is written whole or not at all. Each output
// folder is fsynced once at the end rather than after every file (a per-file cost of ~0.3 ms measured).
// Large images (output >= stream_min_output_pixels) stream through in bands (upscaler/streamed_upscale.h) on
// the upscaler stage, from the bytes the reader already holds; memory is then bounded by the band.
// Cancellation (CancelToken) is polled between files and between bands: files not yet started are left
// alone, a streamed file in progress is abandoned (nothing written), images already upscaled are written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <span>
#include <vector>

#include "base/cancel.h"
#include "base/status.h"
#include "io/image_file.h"
#include "upscaler/model_upscaler.h"

namespace litesr {

struct BatchJob {
  std::filesystem::path input;
  std::filesystem::path output;
};

// Lanes: whole images with outputs below this many pixels (2 MP) run side by side, one per lane thread.
inline constexpr int64_t kLaneMaxOutputPixels = int64_t{1} << 21;

// --stream auto: outputs of at least this many pixels stream (32 MP: ~100 MB as 8-bit RGB).
inline constexpr int64_t kStreamAutoMinOutputPixels = int64_t{1} << 25;
inline constexpr int64_t kNeverStream = -1;

// The default encoder count: one per core, plus one that covers the waits on the disk (fsync); measured 2-6 %
// faster to JPEG on 2 cores than one per core.
int default_batch_encoders();

struct BatchOptions {
  WriteOptions write;           // format (unset: each output's extension), quality, lossless, png_level;
                                // icc_profile/exif/overwrite/threads are set per file
  bool overwrite = false;       // false: an existing output is skipped
  int64_t stream_min_output_pixels = kStreamAutoMinOutputPixels;  // 0 = stream whenever possible; kNeverStream
  int band_rows = 0;            // streamed band height in LR rows; 0 = auto
  int encoders = 2;             // encoder threads; 0 = sequential (no pipeline threads)
  int queue_depth = 1;          // images waiting between two stages
  int encode_threads = 0;       // threads inside one image's encoder when sequential; 0 = the session's
  int64_t lane_max_output_pixels = kLaneMaxOutputPixels;  // lanes: larger outputs run on the upscaler's threads
  const CancelToken* cancel = nullptr;
};

enum class BatchOutcome { kDone, kSkipped, kFailed };

struct BatchItem {
  std::size_t index = 0;        // into the jobs
  BatchOutcome outcome = BatchOutcome::kDone;
  Status status;                // the failure when kFailed
  int input_width = 0, input_height = 0;
  int output_width = 0, output_height = 0;
  bool streamed = false;
  int lane = -1;                    // the lane that upscaled it, or -1: the upscaler itself (or not upscaled)
  std::string not_streamed_reason;  // why a file that streaming was asked for went whole ("" if it streamed,
                                    // or was too small to ask)
};

struct BatchCallbacks {
  // Once per finished, skipped or failed file, in completion order; calls never overlap.
  std::function<void(const BatchItem&)> on_item;
  // A streamed file's progress: LR rows done, total rows (from the upscaler stage).
  std::function<void(const BatchJob&, int, int)> on_rows;
};

struct BatchResult {
  std::vector<BatchItem> items;  // in job order; files never started (interrupted) are absent
  bool interrupted = false;
};

// Whether upscale_batch runs `jobs` files as the pipeline above (and can use lanes): encoders > 0 and more than one
// file — one file gains nothing from it, its encoder then uses the session's threads instead.
bool batch_pipelined(std::size_t jobs, const BatchOptions& options);

// Creates the output folders as needed. Errors here are per file (in the items); the Result fails only
// when the pipeline itself cannot run (threads cannot start). `lanes`: optional single-threaded instances of the
// upscaler's model (used when there are two or more and the batch is pipelined); each is used by one thread at a time.
Result<BatchResult> upscale_batch(ModelUpscaler& upscaler, std::span<const BatchJob> jobs, const BatchOptions& options,
                                  const BatchCallbacks& callbacks = {}, std::span<ModelUpscaler* const> lanes = {});

}  // namespace litesr

// What a report states about each model it compares: the name it was given, where its weights came from and
// their SHA-256, its architecture, parameters and MACs, and its measured time per 720p frame.
//
//   sha256       of the .safetensors bytes: the file given, or the shipped file compiled into the binary (equal to
//                `sha256sum models/<name>.safetensors`); "" for bicubic, which has no weights
//   params, macs_720p   profile/complexity.h with plain MACs (CountingConvention::kMacs) for one frame at a 1280x720
//                output, i.e. a (1280/s) x (720/s) input (as `litesr models` lists them)
//   ms_per_frame_720p   the median of `timed_runs` timed runs after `warmup_runs` (profile/timing.h) of the model
//                upscaling one 8-bit RGB frame of uniform random pixels to 1280x720 through upscaler/ModelUpscaler,
//                the path `litesr upscale` and `litesr video` take (a multi-frame model: one frame pushed into its
//                window per run), with `threads` session threads. Bicubic is timed as the runtime's bicubic session.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "profile/timing.h"

namespace litesr {

struct ModelCard {
  std::string name;    // as given: a built-in name or a .safetensors path
  std::string source;  // "built-in" or the file's path
  std::string sha256;  // "" when there are no weights (bicubic)
  int64_t file_bytes = 0;
  std::string arch;  // litesr.arch
  int scale = 0;
  int frames = 1;  // input frames per window (EVSRNet > 1)
  int64_t params = 0;
  int64_t macs_720p = 0;
  // Timing (timed == false: not measured; timing_error says why when it failed).
  bool timed = false;
  TimingResult timing;  // median_ms is the ms per 720p frame
  std::string engine;   // "fused_bands" ...
  std::string timing_error;
};

struct ModelCardOptions {
  int scale = 0;        // 0 = the model's own (bicubic: required)
  int timed_runs = 10;  // 0 = do not time
  int warmup_runs = 3;
  int threads = 0;  // session threads for timing (0 = all cores)
};

// kNotFound for an unknown model, kInvalidArgument for a scale the model does not have. A model that loads but
// cannot be timed is not an error: timing_error says why.
Result<ModelCard> describe_model(const std::string& name_or_path, const ModelCardOptions& options);

}  // namespace litesr

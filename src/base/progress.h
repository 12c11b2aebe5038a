// Progress reporting for long work (batches, training, video).
//
// Modes (CLI `--progress=auto|bar|json|none`):
//   bar  — one live line on stderr, redrawn at most 10 times a second:
//          "upscale  [#########.........]  45/100  3.2 it/s  ETA 0:17  photo.png"
//   json — one JSON object per line on stderr, at most 4 a second plus the final one:
//          {"event":"progress","task":"upscale","done":45,"total":100,"elapsed_s":14.1,"rate":3.2,"eta_s":17.2,...}
//   none — silent.
//   auto — bar when stderr is a terminal, otherwise none (silent when piped unless asked).
// Thread-safe: workers may call advance() concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace litesr {

enum class ProgressMode { kAuto, kBar, kJson, kNone };

Result<ProgressMode> parse_progress_mode(std::string_view text);

class Progress {
 public:
  // `total` <= 0 means unknown (no bar fill, no ETA).
  Progress(ProgressMode mode, std::string task, int64_t total, std::FILE* out = stderr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(int64_t n = 1, std::string_view item = {});
  void set_done(int64_t done, std::string_view item = {});
  // Extra numeric fields shown after the rate (bar) or added to the JSON object, e.g. {"loss", 0.012}.
  void set_fields(std::vector<std::pair<std::string, double>> fields);
  // Prints the final state (bar: ends the line). Called by the destructor if not called before.
  void finish();

  bool enabled() const { return mode_ != ProgressMode::kNone; }
  double elapsed_seconds() const;

 private:
  void emit_locked(bool final);

  ProgressMode mode_;
  std::string task_;
  int64_t total_;
  int64_t done_ = 0;
  std::string item_;
  std::vector<std::pair<std::string, double>> fields_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_emit_;
  bool finished_ = false;
  bool emitted_ = false;
  mutable std::mutex mu_;
};

// "1:02:03" or "2:03" for a duration in seconds.
std::string format_duration(double seconds);

}  // namespace litesr

// Rendering of a complexity profile (and optional timing) for `litesr profile`: a human-readable summary
// with an optional per-layer table, and the stable JSON document of docs/complexity.md:
//   {"arch", "scale", "input_frames", "convention", "input": {"width","height"}, "output": {...},
//    "params", "macs", "flops", "activations", "conv_layers", "peak_memory_bytes",
//    "peak_memory_method": "liveness", "layers": [{"name","op","channels","height","width","params",
//    "macs","activations"}] (only when requested), "runtime": {"warmup_runs","timed_runs","threads",
//    "median_ms","min_ms","max_ms","mean_ms","runs_ms"} (only when timed)}
#pragma once

#include <string>

#include "profile/complexity.h"
#include "profile/timing.h"

namespace litesr {

struct ProfileReportOptions {
  bool layers = false;                  // include the per-layer table / "layers" array
  const TimingResult* timing = nullptr;  // include runtime when non-null
  std::string timing_engine;            // e.g. "fused_bands, AVX2" (text and JSON "runtime.engine")
};

std::string profile_report_text(const ComplexityReport& report, const ProfileReportOptions& options);
std::string profile_report_json(const ComplexityReport& report, const ProfileReportOptions& options);

// 1234567 -> "1.23 M" style (K = 1e3, M = 1e6, G = 1e9), `digits` after the point.
std::string si_count(double value, int digits = 2);

}  // namespace litesr

// Runtime measurement protocol (DESIGN §5): `warmup_runs` untimed runs, then `timed_runs` timed runs of the
// same call; report the median, minimum and maximum wall-clock time in milliseconds (steady_clock), with
// the thread count the caller configured. The callable does one complete inference; anything it needs
// (a prepared Session, preallocated images) is set up before timing starts.
#pragma once

#include <functional>
#include <vector>

#include "base/status.h"

namespace litesr {

struct TimingOptions {
  int warmup_runs = 3;   // untimed runs first (caches, thread-pool start, lazy allocation)
  int timed_runs = 10;   // N timed runs, >= 1
  int threads = 1;       // recorded in the result: the thread count the caller's session uses
};

struct TimingResult {
  int warmup_runs = 0;
  int timed_runs = 0;
  int threads = 0;
  double median_ms = 0;  // of the timed runs (mean of the two middle values for even N)
  double min_ms = 0;
  double max_ms = 0;
  double mean_ms = 0;
  std::vector<double> runs_ms;  // every timed run, in order
};

// Runs `run` per the protocol. Stops at and returns the first error `run` reports.
Result<TimingResult> time_runs(const TimingOptions& options, const std::function<Status()>& run);

// Median of a non-empty sample (mean of the two middle values for an even count).
double median_of(std::vector<double> values);

}  // namespace litesr

// Interleaved timing of several engines doing the same work (`litesr bench`; docs/benchmarks.md "Method"):
// `warmup` untimed repetitions, then `reps` timed ones. In each repetition every engine still running runs in
// turn (engine 0, 1, 2, 0, 1, 2, ...), so load from outside hits all of them alike and their ratios from one
// run can be compared. With `warm_each`, each engine runs twice in a row per timed repetition and only its
// second run is timed: the steady state of an engine that runs back to back (a folder, a video), without the
// cold start it otherwise pays after the other engines' runs.
//
// An engine whose run fails is dropped from the rest of the measurement with its reason, unless it is
// `required` (LiteSR itself), whose failure ends the measurement with that error.
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/cancel.h"
#include "base/status.h"

namespace litesr {

// The time of one run, in milliseconds: wall clock and process CPU time (all threads; < 0 = not measured).
struct RunTime {
  double wall_ms = 0;
  double cpu_ms = -1;
};

struct InterleavedEngine {
  std::string name;
  bool required = false;
  // Does the work `runs` (1 or 2) times back to back and returns the time of the last run.
  std::function<Result<RunTime>(int runs)> run;
};

// The runner of an engine in this process: calls `work` `runs` times, timing the last call in wall time
// (steady_clock) and process CPU time (CLOCK_PROCESS_CPUTIME_ID).
std::function<Result<RunTime>(int runs)> in_process_runner(std::function<Status()> work);

struct InterleavedOptions {
  int warmup = 1;  // untimed repetitions (each engine runs once)
  int reps = 5;    // timed repetitions, >= 1
  bool warm_each = false;
  const CancelToken* cancel = nullptr;     // polled before each repetition: kCancelled
  std::function<void()> after_repetition;  // progress, after every repetition (warm-up ones included)
};

struct EngineSamples {
  std::vector<double> wall_ms;  // one per timed repetition, in order
  std::vector<double> cpu_ms;   // the same where the engine measured CPU time
};

struct InterleavedResult {
  std::map<std::string, EngineSamples> samples;  // the engines that ran every repetition
  std::map<std::string, std::string> dropped;    // the others: engine -> why (its run's error)
};

Result<InterleavedResult> time_interleaved(std::span<const InterleavedEngine> engines,
                                           const InterleavedOptions& options);

}  // namespace litesr

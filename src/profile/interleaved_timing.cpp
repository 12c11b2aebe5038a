#include "profile/interleaved_timing.h"

#include <chrono>
#include <ctime>
#include <set>

namespace litesr {
namespace {

double wall_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

std::function<Result<RunTime>(int)> in_process_runner(std::function<Status()> work) {
  return [work = std::move(work)](int runs) -> Result<RunTime> {
    for (int i = 1; i < runs; ++i) LITESR_RETURN_IF_ERROR(work());
    const double w0 = wall_s(), c0 = process_cpu_s();
    LITESR_RETURN_IF_ERROR(work());
    const double w1 = wall_s(), c1 = process_cpu_s();
    return RunTime{1e3 * (w1 - w0), 1e3 * (c1 - c0)};
  };
}

Result<InterleavedResult> time_interleaved(std::span<const InterleavedEngine> engines,
                                           const InterleavedOptions& options) {
  if (options.warmup < 0) return invalid_argument("interleaved timing: warm-up repetitions must be >= 0");
  if (options.reps < 1) return invalid_argument("interleaved timing: repetitions must be >= 1");
  std::set<std::string> names;
  for (const InterleavedEngine& e : engines) {
    if (!e.run) return invalid_argument("interleaved timing: engine '" + e.name + "' has nothing to run");
    if (!names.insert(e.name).second) return invalid_argument("interleaved timing: engine '" + e.name + "' twice");
  }
  InterleavedResult result;
  for (int rep = -options.warmup; rep < options.reps; ++rep) {
    if (options.cancel != nullptr && options.cancel->cancelled()) return cancelled("interrupted");
    const bool timed = rep >= 0;
    const int runs = timed && options.warm_each ? 2 : 1;
    for (const InterleavedEngine& e : engines) {
      if (result.dropped.contains(e.name)) continue;
      Result<RunTime> t = e.run(runs);
      if (!t.ok()) {
        if (e.required) return t.status();
        result.dropped[e.name] = t.status().to_string();
        result.samples.erase(e.name);
        continue;
      }
      if (!timed) continue;
      EngineSamples& s = result.samples[e.name];
      s.wall_ms.push_back(t->wall_ms);
      if (t->cpu_ms >= 0) s.cpu_ms.push_back(t->cpu_ms);
    }
    if (options.after_repetition) options.after_repetition();
  }
  return result;
}

}  // namespace litesr

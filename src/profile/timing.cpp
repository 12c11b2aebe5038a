#include "profile/timing.h"

#include <algorithm>
#include <chrono>
#include <numeric>

namespace litesr {

double median_of(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

Result<TimingResult> time_runs(const TimingOptions& options, const std::function<Status()>& run) {
  if (options.warmup_runs < 0) return invalid_argument("timing: warm-up runs must be >= 0");
  if (options.timed_runs < 1) return invalid_argument("timing: timed runs must be >= 1");
  if (!run) return invalid_argument("timing: nothing to run");
  for (int i = 0; i < options.warmup_runs; ++i) LITESR_RETURN_IF_ERROR(run());

  TimingResult result;
  result.warmup_runs = options.warmup_runs;
  result.timed_runs = options.timed_runs;
  result.threads = options.threads;
  result.runs_ms.reserve(options.timed_runs);
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < options.timed_runs; ++i) {
    const Clock::time_point start = Clock::now();
    LITESR_RETURN_IF_ERROR(run());
    const std::chrono::duration<double, std::milli> elapsed = Clock::now() - start;
    result.runs_ms.push_back(elapsed.count());
  }
  const auto [lo, hi] = std::minmax_element(result.runs_ms.begin(), result.runs_ms.end());
  result.min_ms = *lo;
  result.max_ms = *hi;
  result.mean_ms = std::accumulate(result.runs_ms.begin(), result.runs_ms.end(), 0.0) / result.runs_ms.size();
  result.median_ms = median_of(result.runs_ms);
  return result;
}

}  // namespace litesr

#include "profile/timing.h"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace litesr {
namespace {

TEST(Timing, WarmupThenTimedRuns) {
  int calls = 0;
  TimingOptions o;
  o.warmup_runs = 2;
  o.timed_runs = 5;
  o.threads = 3;
  auto r = time_runs(o, [&] {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(calls == 7 ? 6 : 1));  // last run is slow
    return Status{};
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(calls, 7);
  EXPECT_EQ(r->runs_ms.size(), 5u);
  EXPECT_EQ(r->threads, 3);
  EXPECT_GE(r->min_ms, 1.0);
  EXPECT_GE(r->max_ms, 6.0);
  EXPECT_LT(r->median_ms, r->max_ms);
  EXPECT_LE(r->min_ms, r->median_ms);
}

TEST(Timing, MedianOfEvenAndOdd) {
  EXPECT_DOUBLE_EQ(median_of({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(median_of({4, 1, 3, 2}), 2.5);
}

TEST(Timing, PropagatesErrorsAndRejectsBadOptions) {
  int calls = 0;
  auto r = time_runs(TimingOptions{}, [&] { return ++calls == 2 ? internal_error("boom") : Status{}; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(calls, 2);
  TimingOptions o;
  o.timed_runs = 0;
  EXPECT_FALSE(time_runs(o, [] { return Status{}; }).ok());
}

}  // namespace
}  // namespace litesr

#include "profile/interleaved_timing.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace litesr {
namespace {

// An engine that appends its name to `log` on every run and times nothing (1 ms per run).
InterleavedEngine logging_engine(const std::string& name, std::string& log, bool required = false) {
  return {name, required, [&log, name](int runs) -> Result<RunTime> {
            for (int i = 0; i < runs; ++i) log += name;
            return RunTime{1.0, 2.0};
          }};
}

TEST(InterleavedTiming, EnginesTakeTurnsInEveryRepetition) {
  std::string log;
  const std::vector<InterleavedEngine> engines = {logging_engine("a", log), logging_engine("b", log)};
  InterleavedOptions o;
  o.warmup = 1;
  o.reps = 3;
  int repetitions = 0;
  o.after_repetition = [&] { ++repetitions; };
  auto r = time_interleaved(engines, o);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(log, "abababab");
  EXPECT_EQ(repetitions, 4);
  ASSERT_EQ(r->samples.size(), 2u);
  EXPECT_EQ(r->samples.at("a").wall_ms, (std::vector<double>{1, 1, 1}));  // the warm-up is not kept
  EXPECT_EQ(r->samples.at("b").cpu_ms, (std::vector<double>{2, 2, 2}));
  EXPECT_TRUE(r->dropped.empty());
}

TEST(InterleavedTiming, WarmEachRunsEveryEngineTwiceInATimedRepetition) {
  std::string log;
  const std::vector<InterleavedEngine> engines = {logging_engine("a", log), logging_engine("b", log)};
  InterleavedOptions o;
  o.warmup = 1;
  o.reps = 2;
  o.warm_each = true;
  auto r = time_interleaved(engines, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(log,
            "ab"
            "aabb"
            "aabb");
  EXPECT_EQ(r->samples.at("a").wall_ms.size(), 2u);
}

TEST(InterleavedTiming, AFailingPeerIsDroppedAndARequiredEngineFailsTheMeasurement) {
  std::string log;
  int peer_runs = 0;
  std::vector<InterleavedEngine> engines = {logging_engine("litesr", log, /*required=*/true),
                                            {"peer", false, [&](int) -> Result<RunTime> {
                                               if (++peer_runs == 2) return internal_error("peer crashed");
                                               return RunTime{5.0, -1.0};
                                             }}};
  InterleavedOptions o;
  o.warmup = 0;
  o.reps = 4;
  auto r = time_interleaved(engines, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(peer_runs, 2);  // not run again after its failure
  EXPECT_EQ(log,
            "litesr"
            "litesr"
            "litesr"
            "litesr");
  EXPECT_FALSE(r->samples.contains("peer"));
  ASSERT_TRUE(r->dropped.contains("peer"));
  EXPECT_NE(r->dropped.at("peer").find("peer crashed"), std::string::npos);
  EXPECT_EQ(r->samples.at("litesr").wall_ms.size(), 4u);

  engines[0].run = [](int) -> Result<RunTime> { return internal_error("engine failed"); };
  auto failed = time_interleaved(engines, o);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "engine failed");
}

TEST(InterleavedTiming, EnginesThatMeasureNoCpuTimeHaveNoCpuSamples) {
  const std::vector<InterleavedEngine> engines = {{"wall-only", false, [](int) -> Result<RunTime> {
                                                     return RunTime{3.0, -1.0};
                                                   }}};
  auto r = time_interleaved(engines, InterleavedOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->samples.at("wall-only").wall_ms.size(), 5u);
  EXPECT_TRUE(r->samples.at("wall-only").cpu_ms.empty());
}

TEST(InterleavedTiming, StopsWhenCancelledAndRejectsBadOptions) {
  std::string log;
  const std::vector<InterleavedEngine> engines = {logging_engine("a", log)};
  CancelToken token;
  token.cancel();
  InterleavedOptions o;
  o.cancel = &token;
  auto r = time_interleaved(engines, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_TRUE(log.empty());

  InterleavedOptions no_reps;
  no_reps.reps = 0;
  EXPECT_EQ(time_interleaved(engines, no_reps).status().code(), StatusCode::kInvalidArgument);
  InterleavedOptions negative_warmup;
  negative_warmup.warmup = -1;
  EXPECT_EQ(time_interleaved(engines, negative_warmup).status().code(), StatusCode::kInvalidArgument);
  const std::vector<InterleavedEngine> twice = {logging_engine("a", log), logging_engine("a", log)};
  EXPECT_EQ(time_interleaved(twice, InterleavedOptions{}).status().code(), StatusCode::kInvalidArgument);
  const std::vector<InterleavedEngine> empty = {{"nothing", false, {}}};
  EXPECT_EQ(time_interleaved(empty, InterleavedOptions{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(InterleavedTiming, InProcessRunnerTimesOnlyTheLastOfItsRuns) {
  int calls = 0;
  auto run = in_process_runner([&] {
    ++calls;
    // The untimed first call is slow, the timed second one fast.
    std::this_thread::sleep_for(std::chrono::milliseconds(calls % 2 == 1 ? 60 : 1));
    return Status{};
  });
  auto t = run(2);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(calls, 2);
  EXPECT_GE(t->wall_ms, 1.0);
  EXPECT_LT(t->wall_ms, 50.0);
  EXPECT_GE(t->cpu_ms, 0.0);
  EXPECT_LT(t->cpu_ms, t->wall_ms);  // sleeping costs no CPU time

  auto failing = in_process_runner([] { return internal_error("boom"); });
  EXPECT_FALSE(failing(1).ok());
}

}  // namespace
}  // namespace litesr

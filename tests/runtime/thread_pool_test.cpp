// ThreadPool (runtime/thread_pool.h): every task runs exactly once per run(), on a valid thread index, across
// many consecutive runs and pool sizes, with and without polling between runs; results written by workers are
// visible to the caller after run().
// The tsan preset runs these under ThreadSanitizer.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "runtime/thread_pool.h"

namespace litesr {
namespace {

struct Counts {
  std::vector<int> per_task;            // written by whichever thread runs the task (each task once)
  std::vector<std::atomic<int>>* hits;  // shared: how often each task ran
  int threads = 0;
  std::atomic<int> bad_thread{0};
};

void count_task(void* context, int task, int thread) {
  auto* c = static_cast<Counts*>(context);
  c->per_task[static_cast<std::size_t>(task)] = task * 3 + 1;
  (*c->hits)[static_cast<std::size_t>(task)].fetch_add(1, std::memory_order_relaxed);
  if (thread < 0 || thread >= c->threads) c->bad_thread.fetch_add(1);
}

TEST(ThreadPool, EveryTaskRunsOnceOnAValidThread) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int tasks : {0, 1, 2, 7, 64, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<std::size_t>(tasks));
      Counts c;
      c.per_task.assign(static_cast<std::size_t>(tasks), 0);
      c.hits = &hits;
      c.threads = threads;
      pool.run(tasks, count_task, &c);
      for (int t = 0; t < tasks; ++t) {
        EXPECT_EQ(hits[static_cast<std::size_t>(t)].load(), 1) << threads << " threads, task " << t;
        EXPECT_EQ(c.per_task[static_cast<std::size_t>(t)], t * 3 + 1);  // plain writes seen after run()
      }
      EXPECT_EQ(c.bad_thread.load(), 0);
    }
  }
}

TEST(ThreadPool, ManyShortRunsInARow) {
  ThreadPool pool(2);
  std::vector<std::atomic<int>> hits(4);
  Counts c;
  c.per_task.assign(4, 0);
  c.hits = &hits;
  c.threads = 2;
  for (int run = 0; run < 2000; ++run) pool.run(4, count_task, &c);
  for (const std::atomic<int>& h : hits) EXPECT_EQ(h.load(), 2000);
}

TEST(ThreadPool, RunsThatSayAnotherFollowsMixedWithOnesThatDoNot) {
  // Polling workers and caller (another_run_follows) and blocking ones alternate; the pool is destroyed right
  // after a run that said another follows (its workers are still polling then).
  for (int threads : {2, 3}) {
    std::vector<std::atomic<int>> hits(5);
    Counts c;
    c.per_task.assign(5, 0);
    c.hits = &hits;
    c.threads = threads;
    {
      ThreadPool pool(threads);
      for (int run = 0; run < 3000; ++run) pool.run(5, count_task, &c, /*another_run_follows=*/run % 3 != 2);
      pool.run(5, count_task, &c, /*another_run_follows=*/true);
    }
    for (const std::atomic<int>& h : hits) EXPECT_EQ(h.load(), 3001) << threads << " threads";
    EXPECT_EQ(c.bad_thread.load(), 0);
  }
}

TEST(ThreadPool, PoolsOnSeveralThreadsAtOnce) {
  // Two sessions' pools driven from two threads (the batch pipeline and a host application do this).
  std::vector<std::thread> drivers;
  std::atomic<int> total{0};
  for (int d = 0; d < 2; ++d) {
    drivers.emplace_back([&total] {
      ThreadPool pool(2);
      for (int run = 0; run < 200; ++run) {
        pool.run(8, [](void* ctx, int, int) { static_cast<std::atomic<int>*>(ctx)->fetch_add(1); }, &total);
      }
    });
  }
  for (std::thread& t : drivers) t.join();
  EXPECT_EQ(total.load(), 2 * 200 * 8);
}

}  // namespace
}  // namespace litesr

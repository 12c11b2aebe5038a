// ThreadPool: a fixed set of std::threads owned by one Session. run() hands out task indices 0..n-1
// through an atomic counter to the workers and the calling thread (thread index 0), and returns when all
// are done. No allocation per run(); tasks are a plain function pointer + context. The workers run each
// task under the kernel ISA of the thread that called run() (runtime/kernel_dispatch.h).
// Waiting: threads block on condition variables, so an idle pool uses no CPU. A run() that says another run
// follows at once (a multi-pass executor: a SAM-SR frame is nine run()s microseconds apart, and a sleeping
// thread takes tens of microseconds to wake) is the exception: its caller waiting for the workers, and the
// workers waiting for the next run, poll for up to kSpinWait first.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/kernel_dispatch.h"

namespace litesr {

// Threads of a session: `requested` when > 0, else one per hardware thread; always in [1, 256].
int resolve_threads(int requested);

class ThreadPool {
 public:
  static constexpr std::chrono::microseconds kSpinWait{50};

  using TaskFn = void (*)(void* context, int task, int thread);

  explicit ThreadPool(int threads);  // total threads including the caller; >= 1
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // another_run_follows: the caller calls run() again right after this one returns (see above).
  void run(int tasks, TaskFn fn, void* context, bool another_run_follows = false);

 private:
  void worker_loop(int thread);
  void drain(int thread);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_cv_, done_cv_;
  std::atomic<uint64_t> generation_{0};  // written under mutex_; polled by waiting workers
  std::atomic<int> busy_{0};             // workers still draining the current generation
  bool spin_after_ = false;              // this generation's another_run_follows
  bool stop_ = false;
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
  int tasks_ = 0;
  KernelIsa isa_ = KernelIsa::best();  // the caller's, for this generation
  std::atomic<int> next_{0};
};

}  // namespace litesr

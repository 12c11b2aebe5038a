// ThreadPool: a fixed set of std::threads owned by one Session. run() hands out task indices 0..n-1
// through an atomic counter to the workers and the calling thread (thread index 0), and returns when all
// are done. No allocation per run(); tasks are a plain function pointer + context. The workers run each
// task under the kernel ISA of the thread that called run() (runtime/kernel_dispatch.h).
#pragma once

#include <atomic>
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
  using TaskFn = void (*)(void* context, int task, int thread);

  explicit ThreadPool(int threads);  // total threads including the caller; >= 1
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  void run(int tasks, TaskFn fn, void* context);

 private:
  void worker_loop(int thread);
  void drain(int thread);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_cv_, done_cv_;
  uint64_t generation_ = 0;
  int busy_ = 0;  // workers still draining the current generation
  bool stop_ = false;
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
  int tasks_ = 0;
  KernelIsa isa_ = KernelIsa::best();  // the caller's, for this generation
  std::atomic<int> next_{0};
};

}  // namespace litesr

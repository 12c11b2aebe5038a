#include "runtime/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace litesr {

int resolve_threads(int requested) {
  const int threads = requested > 0 ? requested : static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(threads, 1, 256);
}

ThreadPool::ThreadPool(int threads) {
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { worker_loop(t); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (std::thread& w : workers_) w.join();
}

namespace {

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// Polls `done()` for up to ThreadPool::kSpinWait; true when it became true.
template <class Done>
bool spin_until(Done done) {
  const auto until = std::chrono::steady_clock::now() + ThreadPool::kSpinWait;
  for (int i = 0;; ++i) {
    if (done()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() >= until) return done();
  }
}

}  // namespace

void ThreadPool::drain(int thread) {
  for (int task = next_.fetch_add(1); task < tasks_; task = next_.fetch_add(1)) fn_(context_, task, thread);
}

void ThreadPool::worker_loop(int thread) {
  uint64_t seen = 0;
  bool spin = false;  // the last generation said another follows
  for (;;) {
    // A new generation's fields (fn_, tasks_, ...) are written before generation_ is (release, under mutex_).
    if (!spin || !spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      start_cv_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_relaxed) != seen; });
      if (stop_) return;
    }
    seen = generation_.load(std::memory_order_acquire);
    spin = spin_after_;
    {
      ThreadIsaScope scope(isa_);
      drain(thread);
    }
    if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);  // the caller checks busy_ under mutex_ before it blocks
      done_cv_.notify_one();
    }
  }
}

void ThreadPool::run(int tasks, TaskFn fn, void* context, bool another_run_follows) {
  if (workers_.empty() || tasks <= 1) {
    for (int t = 0; t < tasks; ++t) fn(context, t, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn_ = fn;
    context_ = context;
    tasks_ = tasks;
    isa_ = KernelIsa::current();
    spin_after_ = another_run_follows;
    next_.store(0);
    busy_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_cv_.notify_all();
  drain(0);
  if (another_run_follows && spin_until([&] { return busy_.load(std::memory_order_acquire) == 0; })) return;
  std::unique_lock<std::mutex> lock(mutex_);
  done_cv_.wait(lock, [&] { return busy_.load(std::memory_order_acquire) == 0; });
}

}  // namespace litesr

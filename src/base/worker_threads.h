// run_workers: the "same worker on N threads" pattern of the per-image jobs (eval, compare): each worker takes its
// items from a shared counter itself, so the threads only need starting and joining.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace litesr {

// Runs `worker` on min(requested, items) threads (requested <= 0: one per hardware thread; at least one) and
// returns when every one has returned. One thread: `worker` runs on the calling thread.
template <class Worker>
void run_workers(int requested, std::size_t items, Worker&& worker) {
  int threads = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), std::max<std::size_t>(items, 1)));
  if (threads <= 1) {
    worker();
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
}

}  // namespace litesr

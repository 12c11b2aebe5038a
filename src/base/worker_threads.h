// run_workers: the "same worker on N threads" pattern of the per-image jobs (eval, compare): each worker takes its
// items from a shared counter itself, so the threads only need starting and joining.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace litesr {

// The workers `requested` means: itself when > 0, else one per hardware thread (at least one).
inline int worker_count(int requested) {
  return requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Runs `worker` on min(worker_count(requested), items) threads and returns when every one has returned. One of them
// is the calling thread (the others are started here).
template <class Worker>
void run_workers(int requested, std::size_t items, Worker&& worker) {
  int threads = worker_count(requested);
  threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), std::max<std::size_t>(items, 1)));
  std::vector<std::thread> helpers;
  helpers.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) helpers.emplace_back(worker);
  worker();
  for (std::thread& t : helpers) t.join();
}

}  // namespace litesr

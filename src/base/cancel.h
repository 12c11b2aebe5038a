// CancelToken: a flag long-running work polls so Ctrl-C stops it cleanly (outputs are then either
// complete or absent). The CLI's SIGINT handler sets it; libraries only read it.
#pragma once

#include <atomic>

namespace litesr {

class CancelToken {
 public:
  void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

}  // namespace litesr

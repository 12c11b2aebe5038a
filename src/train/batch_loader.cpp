#include "train/batch_loader.h"

#include <algorithm>

namespace litesr::train {

BatchLoader::BatchLoader(const TrainingData& data, const BatchRequest& request, int64_t first, int64_t end,
                         int threads, int prefetch)
    : data_(data), request_(request), next_to_make_(first), next_to_take_(first), end_(end),
      prefetch_(std::max(1, prefetch)) {
  for (int i = 0; i < std::max(1, threads); ++i) workers_.emplace_back([this] { work(); });
}

BatchLoader::~BatchLoader() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
}

void BatchLoader::work() {
  for (;;) {
    int64_t it;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || (next_to_make_ < end_ && next_to_make_ < next_to_take_ + prefetch_); });
      if (stop_) return;
      it = next_to_make_++;
    }
    BatchRequest q = request_;
    q.iteration = it;
    Result<Batch> batch = data_.make_batch(q);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_.emplace(it, std::move(batch));
    }
    cv_.notify_all();
  }
}

Result<Batch> BatchLoader::next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (next_to_take_ >= end_) return internal_error("BatchLoader: no iterations left");
  const int64_t it = next_to_take_;
  cv_.wait(lock, [&] { return ready_.count(it) > 0; });
  Result<Batch> b = std::move(ready_.at(it));
  ready_.erase(it);
  ++next_to_take_;
  lock.unlock();
  cv_.notify_all();
  return b;
}

}  // namespace litesr::train

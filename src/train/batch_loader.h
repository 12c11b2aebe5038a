// BatchLoader: prefetches the batches of iterations [first, end) of one stage on worker threads and hands
// them out in order. Batches are pure functions of the request (training_data.h), so the thread count
// never changes what the trainer sees.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "train/training_data.h"

namespace litesr::train {

class BatchLoader {
 public:
  // `request.iteration` is ignored; iterations first .. end-1 are produced. threads >= 1; prefetch >= 1.
  BatchLoader(const TrainingData& data, const BatchRequest& request, int64_t first, int64_t end, int threads,
              int prefetch);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // The batch of the next iteration (blocks until ready); an error if making it failed.
  Result<Batch> next();

 private:
  void work();

  const TrainingData& data_;
  BatchRequest request_;
  int64_t next_to_make_;
  int64_t next_to_take_;
  int64_t end_;
  int prefetch_;
  bool stop_ = false;
  std::map<int64_t, Result<Batch>> ready_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::thread> workers_;
};

}  // namespace litesr::train

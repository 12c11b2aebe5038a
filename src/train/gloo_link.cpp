#include "train/gloo_link.h"

#include <cstring>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

namespace litesr::train {

GlooLink::GlooLink(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
                   const std::shared_ptr<gloo::transport::Device>& device, std::chrono::milliseconds timeout,
                   bool busy_poll)
    : context_(std::make_shared<gloo::rendezvous::Context>(rank, world_size)) {
  context_->setTimeout(timeout);
  c10d::ProcessGroupGloo::GlooStore gloo_store(store);  // c10d's adapter of its stores for Gloo's rendezvous
  std::shared_ptr<gloo::transport::Device> dev = device;  // (connectFullMesh takes a non-const reference)
  context_->connectFullMesh(gloo_store, dev);
  for (int r = 0; r < world_size; ++r) {
    if (r != rank) context_->getPair(r)->setSync(/*sync=*/true, busy_poll);
  }
}

void GlooLink::all_reduce_sum(torch::Tensor& t) {
  TORCH_CHECK(t.scalar_type() == torch::kDouble && t.is_contiguous(), "GlooLink: a contiguous float64 tensor expected");
  const int64_t n = t.numel();
  Entry& e = entries_[n];
  if (!e.algorithm) {
    e.buffer.assign(static_cast<std::size_t>(n), 0.0);
    const std::vector<double*> pointers = {e.buffer.data()};
    e.algorithm = std::make_unique<gloo::AllreduceRing<double>>(context_, pointers, static_cast<int>(n));
  }
  std::memcpy(e.buffer.data(), t.data_ptr<double>(), n * sizeof(double));
  e.algorithm->run();
  std::memcpy(t.data_ptr<double>(), e.buffer.data(), n * sizeof(double));
}

}  // namespace litesr::train

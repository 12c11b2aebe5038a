// GlooLink: all-reduces that run on the calling thread, for the small blocking ones of data-parallel training (the
// batch-norm statistics, sync_batch_norm.h). Internal to src/train (distributed.cpp).
//
// Why: a blocking all-reduce through c10d's ProcessGroupGloo hops through the group's worker thread and Gloo's I/O
// thread; with two ranks bound to one core each on this 2-core machine, a 33-double all-reduce took 200-560 µs,
// and SAM-SR XLITE makes 54 per step. A GlooLink is a second Gloo context over the same rendezvous store whose pairs
// are in synchronous mode: the caller runs Gloo's ring all-reduce and reads its sockets itself — 62 µs blocking,
// 8 µs with busy polling (measured, docs/benchmarks.md). The asynchronous gradient all-reduces stay on the process
// group (c10d::Reducer).
// Contract: every rank calls all_reduce_sum in the same order with the same sizes (one persistent Gloo algorithm
// and buffer per size, created in call order, so the ranks' slots match); one thread at a time. Failures throw
// (gloo::IoException: a peer closed its socket; a read timeout).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include <gloo/allreduce_ring.h>
#include <gloo/rendezvous/context.h>
#include <gloo/transport/device.h>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <torch/torch.h>

namespace litesr::train {

class GlooLink {
 public:
  // Connects every pair of ranks through `store` (a prefix of its own) on `device`. busy_poll: waiting reads spin
  // instead of sleeping — only for ranks with cores of their own.
  GlooLink(const c10::intrusive_ptr<c10d::Store>& store, int rank, int world_size,
           const std::shared_ptr<gloo::transport::Device>& device, std::chrono::milliseconds timeout, bool busy_poll);

  // In-place sum over the ranks of a contiguous float64 tensor.
  void all_reduce_sum(torch::Tensor& t);

 private:
  struct Entry {
    std::vector<double> buffer;
    std::unique_ptr<gloo::AllreduceRing<double>> algorithm;
  };
  std::shared_ptr<gloo::rendezvous::Context> context_;
  std::map<int64_t, Entry> entries_;
};

}  // namespace litesr::train

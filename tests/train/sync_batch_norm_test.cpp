// Synchronised batch norm (train/sync_batch_norm.h) against LibTorch's BatchNorm2d on the whole batch: two "ranks"
// are two threads whose all-reduce adds their tensors. Forward output, input gradients, parameter gradients
// (summed over the ranks, as the gradient all-reduce does) and running statistics must match.
#include <barrier>
#include <thread>

#include <gtest/gtest.h>

#include "train/sync_batch_norm.h"

namespace litesr::train {
namespace {

// The all-reduce of `ranks` threads: each adds its tensor; all see the sum.
class ThreadGroup {
 public:
  explicit ThreadGroup(int ranks) : barrier_(ranks), slots_(ranks) {}
  void all_reduce_sum(int rank, torch::Tensor& t) {
    slots_[rank] = t.clone();
    barrier_.arrive_and_wait();
    torch::Tensor sum = torch::zeros_like(t);
    for (const torch::Tensor& s : slots_) sum += s;  // the same order on every rank
    barrier_.arrive_and_wait();
    t.copy_(sum);
  }

 private:
  std::barrier<> barrier_;
  std::vector<torch::Tensor> slots_;
};

class ThreadSync : public BatchNormSync {
 public:
  ThreadSync(ThreadGroup& group, int rank) : group_(group), rank_(rank) {}
  void all_reduce_sum(torch::Tensor& t) override { group_.all_reduce_sum(rank_, t); }

 private:
  ThreadGroup& group_;
  int rank_;
};

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

// `shards`: the split of a batch of 7 over the ranks (uneven on purpose).
void check_matches_whole_batch(const std::vector<int64_t>& shards, bool channels_last) {
  torch::manual_seed(5);
  const int64_t batch = 7, channels = 5;
  torch::Tensor x = torch::randn({batch, channels, 6, 4}) * 0.4 + 0.8;  // a mean far from 0, like activations
  torch::Tensor dy = torch::randn({batch, channels, 6, 4});
  if (channels_last) {
    x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    dy = dy.contiguous(torch::MemoryFormat::ChannelsLast);
  }
  torch::nn::BatchNorm2d reference(channels);
  {
    torch::NoGradGuard no_grad;
    reference->weight.uniform_(0.5, 1.5);
    reference->bias.uniform_(-0.3, 0.3);
  }
  const torch::Tensor x_ref = x.clone().requires_grad_(true);
  const torch::Tensor y_ref = reference->forward(x_ref);
  (y_ref * dy).sum().backward();

  const int ranks = static_cast<int>(shards.size());
  ThreadGroup group(ranks);
  std::vector<torch::nn::BatchNorm2d> bn;
  std::vector<torch::Tensor> y(ranks), dx(ranks);
  for (int r = 0; r < ranks; ++r) {
    bn.emplace_back(channels);
    torch::NoGradGuard no_grad;
    bn[r]->weight.copy_(reference->weight);
    bn[r]->bias.copy_(reference->bias);
  }
  std::vector<std::thread> threads;
  int64_t first = 0;
  for (int r = 0; r < ranks; ++r) {
    threads.emplace_back([&, r, first] {
      ThreadSync sync(group, r);
      const torch::Tensor xs = x.narrow(0, first, shards[r]).clone().requires_grad_(true);
      const torch::Tensor ys = sync_batch_norm(xs, *bn[r], sync);
      (ys * dy.narrow(0, first, shards[r])).sum().backward();
      y[r] = ys.detach();
      dx[r] = xs.grad();
    });
    first += shards[r];
  }
  for (std::thread& t : threads) t.join();

  const torch::Tensor y_all = torch::cat(y), dx_all = torch::cat(dx);
  EXPECT_LE(max_abs(y_all - y_ref), 1e-6 * max_abs(y_ref));
  EXPECT_LE(max_abs(dx_all - x_ref.grad()), 1e-6 * max_abs(x_ref.grad()));
  torch::Tensor dw = torch::zeros({channels}), db = torch::zeros({channels});
  for (int r = 0; r < ranks; ++r) {
    dw += bn[r]->weight.grad();
    db += bn[r]->bias.grad();
    // Every rank ends with the same running statistics: those of the whole batch.
    EXPECT_TRUE(bn[r]->running_mean.equal(bn[0]->running_mean));
    EXPECT_TRUE(bn[r]->running_var.equal(bn[0]->running_var));
    EXPECT_EQ(bn[r]->num_batches_tracked.item<int64_t>(), 1);
  }
  EXPECT_LE(max_abs(dw - reference->weight.grad()), 1e-6 * max_abs(reference->weight.grad()));
  EXPECT_LE(max_abs(db - reference->bias.grad()), 1e-6 * max_abs(reference->bias.grad()));
  EXPECT_LE(max_abs(bn[0]->running_mean - reference->running_mean), 1e-6);
  EXPECT_LE(max_abs(bn[0]->running_var - reference->running_var), 1e-6);
  if (channels_last) {
    EXPECT_TRUE(y[0].is_contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

TEST(SyncBatchNorm, TwoRanksEqualOneBatch) { check_matches_whole_batch({4, 3}, false); }
TEST(SyncBatchNorm, ThreeUnevenRanksEqualOneBatch) { check_matches_whole_batch({3, 2, 2}, false); }
TEST(SyncBatchNorm, ChannelsLastEqualsOneBatch) { check_matches_whole_batch({4, 3}, true); }

// The shards' own statistics (a rank that did not synchronise) would differ: the test above can fail.
TEST(SyncBatchNorm, LocalStatisticsWouldDiffer) {
  torch::manual_seed(5);
  const torch::Tensor x = torch::randn({6, 3, 4, 4}) + torch::arange(6).view({6, 1, 1, 1});
  torch::nn::BatchNorm2d whole(3), half(3);
  const torch::Tensor y_whole = whole->forward(x).narrow(0, 0, 3);
  const torch::Tensor y_half = half->forward(x.narrow(0, 0, 3));
  EXPECT_GT(max_abs(y_whole - y_half), 0.1);
}

}  // namespace
}  // namespace litesr::train

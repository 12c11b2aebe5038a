// Synchronised batch norm for data-parallel training: the batch statistics of a BatchNorm2d in training mode
// are those of the GLOBAL batch (every rank's shard), as if one process saw it, so a network with BN
// (SAM-SR bn = true) trains the same whatever the number of ranks (PyTorch's SyncBatchNorm, which LibTorch 1.13
// does not provide on the CPU). Eval mode uses the running statistics and needs no communication.
//
// Forward, per channel c over the N = Σ_ranks B·H·W elements:  one all-reduce of [Σx, Σx², n] (float64, 2C+1):
//   mean = Σx / N,  var = Σx² / N − mean²  (biased, normalises),  y = x · (γ / √(var + ε)) + (β − mean · γ / √(var + ε))
//   running_mean ← (1 − m) · running_mean + m · mean,  running_var ← (1 − m) · running_var + m · var · N / (N − 1)
// Backward: one all-reduce of [Σdy, Σdy·x̂] (float64, 2C), x̂ = (x − mean) / √(var + ε):
//   dx = γ / √(var + ε) · (dy − Σdy / N − x̂ · Σdy·x̂ / N);   dγ = Σ_local dy·x̂,  dβ = Σ_local dy
// (the parameter gradients stay local: the gradient all-reduce sums them over the ranks with the others).
// The loss a rank back-propagates must be its share of the global objective (trainer: loss × shard / batch),
// so that the all-reduced sums are the global ones.
#pragma once

#include <torch/torch.h>

namespace litesr::train {

// The communication sync_batch_norm needs: an in-place sum over all ranks, blocking, called in the same order
// on every rank (forward and backward passes are deterministic). Throws std::exception on failure.
class BatchNormSync {
 public:
  virtual ~BatchNormSync() = default;
  virtual void all_reduce_sum(torch::Tensor& t) = 0;  // float64, contiguous
};

// `bn` in training mode over x [B, C, H, W] with statistics shared through `sync`; updates bn's running
// statistics (and num_batches_tracked). Output has x's dtype and memory format.
torch::Tensor sync_batch_norm(const torch::Tensor& x, torch::nn::BatchNorm2dImpl& bn, BatchNormSync& sync);

}  // namespace litesr::train

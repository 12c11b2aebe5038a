// Distributed: one rank of a data-parallel training run on PyTorch's c10d — the TCPStore rendezvous, a Gloo
// process group, and DDP's own gradient reducer (c10d::Reducer) — plus what LiteSR adds around them: checks
// before training, failure detection that names the rank, and an orderly end. Internal to src/train.
//
// The run (docs/training.md "Data-parallel training"):
//   rendezvous   rank 0 hosts a c10d::TCPStore at MASTER_ADDR:MASTER_PORT (or a launcher does: agent_store);
//                every rank publishes a fingerprint of what it is about to run (recipe hash, options) and waits
//                for all WORLD_SIZE ranks; a missing rank, a duplicate, or a different fingerprint is an error on
//                every rank before training starts. Then a ProcessGroupGloo over the same store.
//   gradients    a c10d::Reducer (DistributedDataParallel's engine): autograd hooks copy each gradient into its
//                bucket and launch the bucket's asynchronous all-reduce as soon as the bucket is full, while the
//                backward pass goes on; backward() returns once every bucket is reduced. Buckets hold
//                parameters in reverse order (the last layers' gradients are ready first). LiteSR's comm hook
//                SUMS (DDP averages): each rank back-propagates its share of the global loss (shard / batch).
//   batch norm   BatchNormSync (sync_batch_norm.h) over a GlooLink (gloo_link.h): a second Gloo context on the
//                same store whose blocking all-reduces run on the calling thread (the latency is what counts).
//   failures     a heartbeat thread per rank writes a counter to the store every period and watches the next
//                rank's (a ring); a counter that stops for heartbeat_timeout names that rank. Any rank that
//                fails, or finds a failure, publishes the reason under the store key "abort"; every rank polls
//                it and stops with that reason. A rank stuck with its heartbeat alive is caught by the
//                collective timeout; the report then compares the ranks' iterations. Stopping never tears a
//                checkpoint: rank 0's file writes hold exit_guard(), and writes are atomic (io/atomic_file.h).
//   end          a barrier, heartbeats off, and the store's host waits for the others to let go of it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <torch/torch.h>

#include "base/status.h"
#include "train/distributed_env.h"
#include "train/sr_network.h"
#include "train/sync_batch_norm.h"

namespace litesr::train {

// While it lives, c10d's own log lines (glog warnings such as "The server socket has failed to bind") are
// silenced: the errors LiteSR returns say the same, once. For store set-up only.
class QuietC10dLogs {
 public:
  QuietC10dLogs();
  ~QuietC10dLogs();
  QuietC10dLogs(const QuietC10dLogs&) = delete;
  QuietC10dLogs& operator=(const QuietC10dLogs&) = delete;

 private:
  int saved_;
};

// Where a data-parallel step's time goes, summed over `steps` steps (milliseconds).
struct StepTiming {
  int64_t steps = 0;
  double step_ms = 0;           // whole step: batch wait, forward, backward, optimizer, loss all-reduce wait
  double forward_ms = 0;        // forward + loss (includes the batch-norm all-reduces of the forward pass)
  double backward_ms = 0;       // backward, ending with the wait for the last gradient bucket
  double optimizer_ms = 0;
  double batch_norm_sync_ms = 0;  // blocking batch-norm all-reduces (forward and backward)
  double grad_exposed_ms = 0;   // from the last bucket's launch to the end of backward: not hidden by compute
  double grad_busy_ms = 0;      // Σ over buckets of launch → done (overlapped or not)
  double loss_sync_ms = 0;      // waiting for the per-step loss / stop-flag all-reduce after the optimizer
  int64_t buckets = 0;          // gradient buckets all-reduced
  // Communication the computation did not hide: the all-reduce share of a step.
  double exposed_ms() const { return grad_exposed_ms + batch_norm_sync_ms + loss_sync_ms; }
};

class Distributed : public BatchNormSync {
 public:
  // Rendezvous (above). `fingerprint` is a JSON object describing what this rank runs (every key must match
  // across ranks), or {"error": "...", "code": n} when this rank already failed: every rank then stops with
  // that rank's error. Errors name the rank and the cause: port in use, master unreachable, ranks missing.
  static Result<std::unique_ptr<Distributed>> connect(const DistributedOptions& options,
                                                      const std::string& fingerprint);
  ~Distributed() override;
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  int rank() const;
  int world_size() const;
  bool primary() const { return rank() == 0; }
  const DistributedOptions& options() const;

  // Before training: every rank reports how a step went (`what`, e.g. "reading the training data"); an error
  // on any rank becomes an error on every rank, naming it. A non-empty `value` must be the same on every rank
  // (e.g. the number of training images): a difference is an error naming both.
  Status agree(const std::string& what, const Status& local, const std::string& value = "");

  // Rank 0's bytes to every rank (resume: the checkpoint file).
  Status broadcast_bytes(std::string& bytes);
  // Before training a network: rank 0's parameters and buffers to every rank, then a gradient reducer over its
  // parameters (and synchronised batch norm for SAM-SR). `find_unused`: some parameters may get no gradient.
  Status attach(SrNetwork& net, bool find_unused);
  const SrNetwork* attached() const;
  // After the forward pass, before backward(): arms the reducer for this step.
  void prepare_for_backward(const torch::Tensor& objective);
  // Right after backward() returns: times the gradient all-reduce the computation did not hide.
  void backward_done();
  // Every rank holds the same weights (a hash of the network's tensors, compared across ranks).
  Status check_replicas(const SrNetwork& net);

  // Sum over all ranks, in place, blocking (batch norm; float64). Throws std::exception on failure.
  void all_reduce_sum(torch::Tensor& t) override;
  // Starts a sum over all ranks of `t` (contiguous float64); the returned function waits and returns the sum
  // (throws on failure).
  std::function<torch::Tensor()> start_all_reduce_sum(torch::Tensor t);

  // A collective threw `what`: waits (up to the heartbeat timeout) for the cause and returns it as an error
  // naming the rank that died, stopped, hangs or failed.
  Status failure(const std::string& what);
  // This rank failed with `s`: tells every rank (they stop naming this one); returns `s`.
  Status fail(const Status& s);

  void set_progress(int64_t global_iteration);
  // Held while rank 0 writes files: a stop waits until the write is complete.
  std::unique_lock<std::mutex> exit_guard();

  // Step timing (distributed.cpp records the communication parts; the trainer the rest).
  StepTiming& timing();
  StepTiming take_timing();

  // The orderly end of a run (finished, stopped, or stopped by a collective Ctrl-C): a barrier, heartbeats
  // off, and the store's host waits until every rank has let go of it.
  Status finish();

 private:
  struct Impl;
  explicit Distributed(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace litesr::train

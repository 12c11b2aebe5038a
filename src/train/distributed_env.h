// Where a training process sits in a data-parallel run, from the launcher's environment. Torch-free (the CLI
// reads it; train/distributed.h acts on it).
//
// The variables are torchrun's (and what a cluster launcher maps its own to, docs/training.md):
//   WORLD_SIZE        number of ranks (processes) in the run; unset or 1: a single-process run
//   RANK              this process, 0 .. WORLD_SIZE-1 (required when WORLD_SIZE > 1)
//   LOCAL_RANK        this process on its machine (informational; default RANK)
//   MASTER_ADDR       host of rank 0, which hosts the rendezvous store (default 127.0.0.1)
//   MASTER_PORT       its TCP port, 1..65535 (default 29500, torchrun's)
// and two set by launchers that host the store themselves (rank 0 then connects to it like every other rank):
//   LITESR_AGENT_STORE=1                 `litesr train --nproc N` (train/launcher.h)
//   TORCHELASTIC_USE_AGENT_STORE=True    torchrun (with TORCHELASTIC_RESTART_COUNT, which prefixes the keys)
// Optional: GLOO_SOCKET_IFNAME, the network interface Gloo uses (default: the one that routes to MASTER_ADDR);
// LITESR_BUSY_POLL=1, the batch-norm all-reduces spin while they wait instead of sleeping (set by `--nproc`, which
// binds each rank to its own CPUs: never with ranks sharing cores, where the spinning would slow the others).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/status.h"

namespace litesr::train {

struct DistributedOptions {
  int world_size = 1;                     // 1: a single-process run (nothing below is used)
  int rank = 0;                           // 0 .. world_size - 1; rank 0 writes logs, plots and checkpoints
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";  // host of the rendezvous store
  int master_port = 29500;
  bool agent_store = false;               // the launcher hosts the store: rank 0 does not
  std::string key_prefix = "litesr/";     // store keys (a torchrun restart gets its own)
  std::string socket_interface;           // GLOO_SOCKET_IFNAME; "" = the interface that routes to master_addr
  bool busy_poll = false;                 // LITESR_BUSY_POLL=1: the blocking batch-norm all-reduces spin
  // Rendezvous and every collective: a rank that waits longer than this for the others stops with an error.
  double timeout_s = 300.0;
  // A rank whose heartbeat stops for this long (died, stopped, machine gone) makes every rank stop:
  // min(10 s, timeout_s) unless set.
  double heartbeat_timeout_s = 0.0;
  // Gradient buckets (c10d::Reducer): parameters are grouped into buckets of at most this many bytes, each
  // all-reduced as soon as its gradients are ready during the backward pass.
  int64_t bucket_bytes = 1 << 20;
  // Time each step's parts (forward, backward, all-reduce wait, optimizer) into the train log ("dist_*" keys).
  bool step_timing = true;

  bool enabled() const { return world_size > 1; }
  double heartbeat_timeout() const { return heartbeat_timeout_s > 0 ? heartbeat_timeout_s : std::min(10.0, timeout_s); }
};

// Reads the variables above through `getenv` (the process environment by default). WORLD_SIZE unset: a
// single-process run. Errors (invalid_argument, before anything starts): a value that is not a number, RANK
// set without WORLD_SIZE or missing with WORLD_SIZE > 1, WORLD_SIZE < 1, RANK or LOCAL_RANK out of range,
// MASTER_PORT outside 1..65535.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
Result<DistributedOptions> distributed_options_from_env(const EnvLookup& getenv = {});

// The rank's label in messages: "rank 3".
std::string rank_label(int rank);

}  // namespace litesr::train

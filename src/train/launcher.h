// `litesr train --nproc N`: a torchrun-like launcher that starts the N ranks of a data-parallel run on this machine
// and watches them. Torch-free interface (the CLI includes it).
//
// Node 0's launcher hosts the rendezvous store itself (a c10d::TCPStore; the ranks connect to it with
// LITESR_AGENT_STORE=1, like torchrun's agent store): a rank that dies does not take the store with it, and the
// launcher, which sees the death first (waitpid), publishes the reason ("rank 1 (pid 123) was killed by signal 9")
// so that every rank stops with it. Each rank runs `executable arguments...` in its own process group with
// RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT and LITESR_AGENT_STORE set.
// Signals: SIGINT and SIGTERM (and SIGHUP, as SIGTERM: the CLI's handlers) that reach the launcher are forwarded
// to every rank, each time (the ranks are in
// their own process groups, so a terminal's Ctrl-C reaches them once, through the launcher: the first makes
// every rank checkpoint and stop at the same iteration, a second stops them at once).
// After a failure the other ranks stop by themselves within the heartbeat timeout; a rank still running a few
// seconds later is killed (SIGKILL) and named.
// CPU binding (default): the CPUs this launcher may use are split into nproc contiguous, equal groups, one per
// rank (sched_setaffinity), and bound ranks get LITESR_BUSY_POLL=1 (distributed_env.h). Unbound, the kernel's
// wake-up placement at times puts communicating ranks on the same core: on this 2-core machine 2 unbound ranks ran
// ELSR x4 at 42-83 it/s, bound at 71-93 it/s (docs/benchmarks.md).
#pragma once

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"

namespace litesr::train {

struct LaunchOptions {
  std::filesystem::path executable;       // what every rank runs (this program)
  std::vector<std::string> arguments;     // its arguments, e.g. {"train", "--recipe", "r.toml", ...}
  int nproc = 1;                          // ranks on this machine
  int nnodes = 1;                         // machines, one launcher each
  int node_rank = 0;                      // this machine's ranks: node_rank·nproc .. node_rank·nproc + nproc − 1
  std::string master_addr = "127.0.0.1";  // node 0 (its launcher hosts the store)
  int master_port = 0;                    // 0: any free port (one machine only)
  double timeout_s = 300.0;               // rendezvous (node k > 0 reaching node 0) and the ranks' --dist-timeout
  double heartbeat_timeout_s = 10.0;      // the ranks' heartbeat timeout
  std::filesystem::path checkpoint;       // the run's checkpoint.pt, reported after a failure ("" = not known)
  bool bind_cpus = true;                  // one group of this launcher's CPUs per rank (above)
};

// Counters the caller's signal handlers increment (async-signal-safe); the launcher forwards each new signal.
struct LaunchSignals {
  std::atomic<int> interrupt{0};  // SIGINT
  std::atomic<int> terminate{0};  // SIGTERM
};

struct LaunchResult {
  int exit_code = 0;      // 0: every rank finished; 130: interrupted (every rank stopped with a checkpoint); 1: failed
  std::string summary;    // for a failure: which rank failed how, and the last complete checkpoint
};

// Starts the ranks and waits for all of them. Errors (before any rank starts): bad counts, port in use, node 0
// unreachable, a rank that cannot be started.
Result<LaunchResult> launch_local_ranks(const LaunchOptions& options, LaunchSignals& signals);

}  // namespace litesr::train

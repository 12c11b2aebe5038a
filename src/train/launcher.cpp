#include "train/launcher.h"

#include <sched.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "train/checkpoint.h"
#include "train/distributed.h"
#include "train/distributed_env.h"

extern char** environ;

namespace litesr::train {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string first_line(const std::exception& e) {
  std::string m = e.what();
  if (const auto* c = dynamic_cast<const c10::Error*>(&e)) m = c->what_without_backtrace();
  const std::size_t eol = m.find('\n');
  return eol == std::string::npos ? m : m.substr(0, eol);
}

std::vector<uint8_t> to_bytes(const std::string& s) { return {s.begin(), s.end()}; }

struct Rank {
  int rank = 0;
  pid_t pid = -1;
  bool running = false;
  int status = 0;  // waitpid status once it ended
};

std::string describe_end(const Rank& r) {
  const std::string who = rank_label(r.rank) + " (pid " + std::to_string(r.pid) + ")";
  if (WIFSIGNALED(r.status)) {
    const int sig = WTERMSIG(r.status);
    return who + " was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  return who + " exited with code " + std::to_string(WEXITSTATUS(r.status));
}

bool ended_well(const Rank& r) { return WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0; }
bool ended_interrupted(const Rank& r) { return WIFEXITED(r.status) && WEXITSTATUS(r.status) == 130; }

// The environment of one rank: this process's, with the launcher's variables replaced.
std::vector<std::string> rank_environment(const std::map<std::string, std::string>& set) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (set.count(name) == 0) env.push_back(entry);
  }
  for (const auto& [name, value] : set) env.push_back(name + "=" + value);
  return env;
}

// The CPUs of `allowed` split into `parts` contiguous groups as equal as possible; group `index`. Empty when there
// are fewer CPUs than parts (no binding then).
std::vector<int> cpu_group(const cpu_set_t& allowed, int parts, int index) {
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &allowed)) cpus.push_back(c);
  }
  const int n = static_cast<int>(cpus.size());
  if (n < parts) return {};
  const int begin = index * n / parts, end = (index + 1) * n / parts;
  return std::vector<int>(cpus.begin() + begin, cpus.begin() + end);
}

std::string cpu_list(const std::vector<int>& cpus) {
  std::string s;
  for (size_t i = 0; i < cpus.size(); ++i) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    s += (s.empty() ? "" : ",") + std::to_string(cpus[i]) + (j > i ? "-" + std::to_string(cpus[j]) : "");
    i = j;
  }
  return s;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (std::string& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<LaunchResult> launch_local_ranks(const LaunchOptions& o, LaunchSignals& signals) {
  if (o.nproc < 1) return invalid_argument("--nproc must be at least 1");
  if (o.nnodes < 1) return invalid_argument("--nnodes must be at least 1");
  if (o.node_rank < 0 || o.node_rank >= o.nnodes) {
    return invalid_argument("--node-rank " + std::to_string(o.node_rank) + " is out of range for --nnodes " +
                            std::to_string(o.nnodes) + " (0.." + std::to_string(o.nnodes - 1) + ")");
  }
  if (o.master_port < 0 || o.master_port > 65535) return invalid_argument("the master port must be 0..65535");
  if (o.nnodes > 1 && o.master_port == 0) {
    return invalid_argument("a run over several machines needs --master-port (or MASTER_PORT): the same port on "
                            "every machine");
  }
  const int world = o.nproc * o.nnodes;
  const std::string prefix = DistributedOptions().key_prefix;
  const bool hosts = o.node_rank == 0;

  // The store: hosted here on node 0; the other nodes' launchers connect to it.
  c10::intrusive_ptr<c10d::TCPStore> store;
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(o.master_port);
    so.isServer = hosts;
    so.waitWorkers = false;
    so.timeout = std::chrono::milliseconds(static_cast<int64_t>(o.timeout_s * 1000));
    QuietC10dLogs quiet;
    store = c10::make_intrusive<c10d::TCPStore>(o.master_addr, so);
  } catch (const std::exception& e) {
    const std::string what = first_line(e);
    if (hosts && what.find("in use") != std::string::npos) {
      return io_error("cannot host the rendezvous store: port " + std::to_string(o.master_port) +
                      " is already in use on this machine, by another training run or program; choose a free "
                      "--master-port (or leave it out on one machine)");
    }
    if (hosts) return io_error("cannot host the rendezvous store on port " + std::to_string(o.master_port) + ": " + what);
    return io_error("cannot reach node 0's launcher at " + o.master_addr + ":" + std::to_string(o.master_port) +
                    ": is it running, with the same --master-addr and --master-port? (" + what + ")");
  }
  const int port = store->getPort();

  std::vector<std::string> args;
  args.push_back(o.executable.string());
  for (const std::string& a : o.arguments) args.push_back(a);
  std::vector<char*> argv = c_strings(args);
  std::vector<cpu_set_t> masks(o.nproc);
  std::vector<bool> bound(o.nproc, false);
  std::vector<std::string> bound_to(o.nproc);
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (o.bind_cpus && ::sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
    for (int i = 0; i < o.nproc; ++i) {
      const std::vector<int> cpus = cpu_group(allowed, o.nproc, i);
      if (cpus.empty()) break;
      CPU_ZERO(&masks[i]);
      for (int c : cpus) CPU_SET(c, &masks[i]);
      bound[i] = true;
      bound_to[i] = " on CPU " + cpu_list(cpus);
    }
  }
  std::vector<Rank> ranks(o.nproc);
  std::vector<std::vector<std::string>> envs(o.nproc);
  std::vector<std::vector<char*>> envps(o.nproc);
  for (int i = 0; i < o.nproc; ++i) {
    ranks[i].rank = o.node_rank * o.nproc + i;
    envs[i] = rank_environment({{"RANK", std::to_string(ranks[i].rank)},
                                {"WORLD_SIZE", std::to_string(world)},
                                {"LOCAL_RANK", std::to_string(i)},
                                {"LOCAL_WORLD_SIZE", std::to_string(o.nproc)},
                                {"GROUP_RANK", std::to_string(o.node_rank)},
                                {"MASTER_ADDR", o.master_addr},
                                {"MASTER_PORT", std::to_string(port)},
                                {"LITESR_AGENT_STORE", "1"},
                                {"LITESR_BUSY_POLL", bound[i] ? "1" : "0"}});
    envps[i] = c_strings(envs[i]);
  }
  std::string started;
  for (int i = 0; i < o.nproc; ++i) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      const std::string why = std::strerror(errno);
      for (int k = 0; k < i; ++k) ::kill(ranks[k].pid, SIGKILL);
      for (int k = 0; k < i; ++k) ::waitpid(ranks[k].pid, nullptr, 0);
      return io_error("cannot start " + rank_label(ranks[i].rank) + ": fork: " + why);
    }
    if (pid == 0) {
      // The child: only async-signal-safe calls until exec. Its own process group: a terminal's Ctrl-C reaches
      // the ranks through the launcher only (once).
      ::setpgid(0, 0);
      if (bound[i]) ::sched_setaffinity(0, sizeof(masks[i]), &masks[i]);
      ::execve(argv[0], argv.data(), envps[i].data());
      static const char kFailed[] = "litesr: error: cannot start a training rank (execve failed)\n";
      (void)!::write(2, kFailed, sizeof(kFailed) - 1);
      ::_exit(127);
    }
    ranks[i].pid = pid;
    ranks[i].running = true;
    started += (started.empty() ? "" : ", ") + rank_label(ranks[i].rank) + ": pid " + std::to_string(pid) + bound_to[i];
  }
  std::fprintf(stderr, "litesr train: started %d rank%s of %d on this machine (%s); rendezvous %s:%d\n", o.nproc,
               o.nproc == 1 ? "" : "s", world, started.c_str(), o.master_addr.c_str(), port);
  std::fflush(stderr);

  int forwarded_interrupts = 0, forwarded_terminates = 0;
  bool interrupted = false;
  std::string failure;  // the first rank that ended badly
  Clock::time_point failed_at;
  std::vector<std::string> killed;
  // A rank sees a published failure within a few heartbeat periods (Distributed: period = timeout / 10, 0.05–1 s).
  const double grace = 3.0 * std::clamp(o.heartbeat_timeout_s / 10.0, 0.05, 1.0) + 3.0;
  for (;;) {
    auto forward = [&](int sig) {
      for (const Rank& r : ranks) {
        if (r.running) ::kill(r.pid, sig);
      }
    };
    for (const int n = signals.interrupt.load(); forwarded_interrupts < n; ++forwarded_interrupts) {
      forward(SIGINT);
      interrupted = true;
    }
    for (const int n = signals.terminate.load(); forwarded_terminates < n; ++forwarded_terminates) {
      forward(SIGTERM);
      interrupted = true;
    }
    int running = 0;
    for (Rank& r : ranks) {
      if (!r.running) continue;
      int status = 0;
      const pid_t got = ::waitpid(r.pid, &status, WNOHANG);
      if (got == r.pid) {
        r.running = false;
        r.status = status;
        if (!ended_well(r) && !(interrupted && ended_interrupted(r)) && failure.empty()) {
          failure = describe_end(r);
          failed_at = Clock::now();
          try {
            // First writer wins: a rank that failed with an error has already published its own reason.
            if (store->add(prefix + "abort_n", 1) == 1) store->set(prefix + "abort", to_bytes(failure));
          } catch (const std::exception& e) {
            std::fprintf(stderr, "litesr train: cannot tell the other ranks (%s)\n", first_line(e).c_str());
          }
        }
      } else {
        ++running;
      }
    }
    if (running == 0) break;
    if (!failure.empty() && seconds_since(failed_at) > grace) {
      for (Rank& r : ranks) {
        if (!r.running) continue;
        ::kill(r.pid, SIGKILL);
        killed.push_back(rank_label(r.rank) + " (pid " + std::to_string(r.pid) + ")");
      }
      failed_at = Clock::now() + std::chrono::hours(1);  // killed once
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  LaunchResult result;
  bool all_well = true, all_interrupted_or_well = true;
  for (const Rank& r : ranks) {
    all_well = all_well && ended_well(r);
    all_interrupted_or_well = all_interrupted_or_well && (ended_well(r) || ended_interrupted(r));
  }
  if (hosts && all_well) {
    // The ranks of the other machines may still be letting go of the store (Distributed::finish).
    std::vector<std::string> gone;
    for (int r = 0; r < world; ++r) gone.push_back(prefix + "gone/" + std::to_string(r));
    const Clock::time_point start = Clock::now();
    try {
      while (!store->check(gone) && seconds_since(start) < o.heartbeat_timeout_s) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "litesr train: the store failed at the end (%s)\n", first_line(e).c_str());
    }
  }
  if (all_well) return result;
  if (failure.empty() && interrupted && all_interrupted_or_well) {
    result.exit_code = 130;
    return result;
  }
  result.exit_code = 1;
  try {
    // The cause as the ranks reported it (a rank that stopped responding is named there, not here).
    if (store->check({prefix + "abort"})) {
      const std::vector<uint8_t> reason = store->get(prefix + "abort");
      const std::string cause(reason.begin(), reason.end());
      if (cause != failure) failure = cause + (failure.empty() ? "" : "; then " + failure);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "litesr train: cannot read the ranks' report (%s)\n", first_line(e).c_str());
  }
  if (failure.empty()) {
    for (const Rank& r : ranks) {
      if (!ended_well(r)) {
        failure = describe_end(r);
        break;
      }
    }
  }
  result.summary = failure;
  if (!killed.empty()) {
    std::string names;
    for (const std::string& k : killed) names += (names.empty() ? "" : ", ") + k;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.3g", grace);
    result.summary += "; " + names + " did not stop within " + buf + " s and " +
                      (killed.size() == 1 ? "was" : "were") + " killed";
  }
  std::error_code ec;
  if (!o.checkpoint.empty() && std::filesystem::exists(o.checkpoint, ec)) {
    Result<CheckpointState> last = read_checkpoint_state(o.checkpoint);
    if (last.ok()) {
      result.summary += "; the last complete checkpoint is " + o.checkpoint.string() + " at global iteration " +
                        std::to_string(last->global_iteration) + " (continue with --resume)";
    }
  }
  return result;
}

}  // namespace litesr::train

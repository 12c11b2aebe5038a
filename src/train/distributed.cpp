#include "train/distributed.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
// Debian's libtorch-dev ships reducer.hpp without the distributed-autograd header it includes; when that header
// is missing, CMake puts train/c10d_compat first on the include path (src/train/CMakeLists.txt).
#include <torch/csrc/distributed/c10d/reducer.hpp>

#include "train/gloo_link.h"
#include "train/sam_sr_network.h"

namespace litesr::train {
namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
}
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
double ms_since(Clock::time_point t) { return 1000.0 * seconds_since(t); }

std::vector<uint8_t> to_bytes(const std::string& s) { return {s.begin(), s.end()}; }
std::string to_string(const std::vector<uint8_t>& v) { return {v.begin(), v.end()}; }

// c10::Error::what() carries a C++ backtrace; users need the first line.
std::string message_of(const std::exception& e) {
  std::string m;
  if (const auto* c = dynamic_cast<const c10::Error*>(&e)) {
    m = c->what_without_backtrace();
  } else {
    m = e.what();
  }
  const std::size_t eol = m.find('\n');
  return eol == std::string::npos ? m : m.substr(0, eol);
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "?";
  return buf;
}

// This process's PID namespace ("pid:[4026531836]"): two ranks on one host can check each other's process only
// when they share it.
std::string pid_namespace() {
  std::error_code ec;
  const std::filesystem::path ns = std::filesystem::read_symlink("/proc/self/ns/pid", ec);
  return ec ? std::string() : ns.string();
}

// A process of this PID namespace that no longer runs (gone, or a zombie nobody reaped yet).
bool process_gone(int pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const std::size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

// The local address the kernel routes to host:port through (a UDP connect sends nothing); "" when unknown.
std::string local_address_towards(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return "";
  std::string out;
  for (addrinfo* a = found; a != nullptr && out.empty(); a = a->ai_next) {
    const int fd = ::socket(a->ai_family, SOCK_DGRAM, 0);
    if (fd < 0) continue;
    sockaddr_storage local{};
    socklen_t len = sizeof(local);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
      char text[INET6_ADDRSTRLEN] = {};
      const void* addr = local.ss_family == AF_INET6
                             ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&local)->sin6_addr)
                             : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&local)->sin_addr);
      if (::inet_ntop(local.ss_family, addr, text, sizeof(text)) != nullptr) out = text;
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return out;
}

// FNV-1a 64 over the bytes of every tensor (the replica check).
uint64_t hash_tensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
  uint64_t h = 1469598103934665603ull;
  for (const auto& [name, t] : tensors) {
    const torch::Tensor c = t.detach().contiguous();
    const auto* p = static_cast<const unsigned char*>(c.data_ptr());
    const std::size_t n = c.numel() * c.element_size();
    for (std::size_t i = 0; i < n; ++i) {
      h ^= p[i];
      h *= 1099511628211ull;
    }
  }
  return h;
}

// c10d::Reducer warns (once) when a gradient's strides differ from its bucket view's — which happens, harmlessly,
// for channels-last convolutions whose weights have a size-1 dimension (the gradient is copied either way). The
// filter drops that one message and passes every other warning on.
class ReducerWarningFilter : public c10::WarningHandler {
 public:
  explicit ReducerWarningFilter(c10::WarningHandler* next) : next_(next) {}
  void process(const c10::SourceLocation& where, const std::string& msg, const bool verbatim) override {
    if (msg.find("Grad strides do not match bucket view strides") != std::string::npos) return;
    if (next_ != nullptr) next_->process(where, msg, verbatim);
  }

 private:
  c10::WarningHandler* next_;
};

}  // namespace

QuietC10dLogs::QuietC10dLogs() : saved_(FLAGS_minloglevel) { FLAGS_minloglevel = google::GLOG_FATAL; }
QuietC10dLogs::~QuietC10dLogs() { FLAGS_minloglevel = saved_; }

struct Distributed::Impl {
  DistributedOptions o;
  std::string host;
  int pid = 0;
  std::string me;                        // "rank 3"
  std::vector<std::string> labels;       // per rank: "rank k (pid P on H)"
  std::vector<int> local_pids;           // per rank: its pid when it shares this host and PID namespace, else 0
  c10::intrusive_ptr<c10d::TCPStore> store;  // the main thread's connection (the server itself on its host)
  bool hosts_store = false;
  int store_port = 0;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  std::unique_ptr<GlooLink> sync_link;  // the batch-norm all-reduces
  std::unique_ptr<c10d::Reducer> reducer;
  std::unique_ptr<ReducerWarningFilter> warning_filter;  // installed while training (attach)
  c10::WarningHandler* previous_warning_handler = nullptr;
  const SrNetwork* attached = nullptr;
  int exchanges = 0;
  bool finished = false;

  std::thread monitor;
  std::mutex monitor_mu;
  std::condition_variable monitor_cv;
  bool stop_monitor = false;
  std::atomic<bool> shutting_down{false};
  std::atomic<bool> diagnosing{false};  // the main thread is finding the cause: the monitor does not exit
  std::atomic<bool> reported{false};    // the failure is being reported (once per process)
  std::atomic<int64_t> progress{0};
  std::mutex exit_mu;

  std::mutex timing_mu;  // grad_busy_ms is added from Gloo's threads
  StepTiming timing;
  Clock::time_point last_launch{};
  bool launched = false;

  std::string key(const std::string& k) const { return o.key_prefix + k; }
  double heartbeat() const { return o.heartbeat_timeout(); }
  double period() const { return std::clamp(heartbeat() / 10.0, 0.05, 1.0); }
  std::string store_address() const { return o.master_addr + ":" + std::to_string(store_port); }
  std::string store_owner() const { return o.agent_store ? "the launcher" : "rank 0"; }
  std::string label(int r) const { return r < static_cast<int>(labels.size()) ? labels[r] : rank_label(r); }

  std::string lost_store(const std::string& what) const {
    return "lost the connection to the rendezvous store at " + store_address() + ", which " + store_owner() +
           " hosts: " + store_owner() + " died, or the network failed (" + what + ")";
  }

  // First writer wins; the reason names the rank at fault.
  void publish_abort(c10d::Store& s, const std::string& reason) {
    try {
      if (s.add(key("abort_n"), 1) == 1) s.set(key("abort"), to_bytes(reason));
    } catch (const std::exception& e) {
      // The store is gone (its host died): the other ranks find that out by themselves.
      std::fprintf(stderr, "litesr: %s: cannot publish the failure (%s)\n", me.c_str(), message_of(e).c_str());
    }
  }

  // Called from the heartbeat thread: the run cannot go on. Unless the main thread is already reporting, print
  // the reason and leave now — the main thread may be blocked inside Gloo, which has no abort. A checkpoint being
  // written is completed first (exit_mu); the files on disk are then the last complete checkpoint.
  void fatal(const std::string& reason) {
    if (shutting_down || diagnosing) return;
    if (reported.exchange(true)) return;
    std::fprintf(stderr, "litesr: error: %s: stopping: %s\n", me.c_str(), reason.c_str());
    std::fflush(stderr);
    std::lock_guard<std::mutex> guard(exit_mu);
    std::_Exit(1);
  }

  void run_monitor() {
    c10::intrusive_ptr<c10d::TCPStore> s;
    try {
      c10d::TCPStoreOptions so;
      so.port = static_cast<uint16_t>(store_port);
      so.isServer = false;
      so.timeout = to_ms(o.timeout_s);
      QuietC10dLogs quiet;
      s = c10::make_intrusive<c10d::TCPStore>(o.master_addr, so);
    } catch (const std::exception& e) {
      fatal(lost_store(message_of(e)));
      return;
    }
    const int world = o.world_size;
    const int next = (o.rank + 1) % world;
    int64_t beats = 0;
    std::string last_seen;
    Clock::time_point last_change = Clock::now();
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(monitor_mu);
        if (monitor_cv.wait_for(lock, std::chrono::duration<double>(period()), [&] { return stop_monitor; })) break;
      }
      try {
        s->set(key("hb/" + std::to_string(o.rank)),
               to_bytes(std::to_string(++beats) + " " + std::to_string(progress.load())));
        if (s->check({key("abort")})) {
          fatal(to_string(s->get(key("abort"))));
          continue;
        }
        if (next < static_cast<int>(local_pids.size()) && process_gone(local_pids[next]) && !shutting_down) {
          // On this machine: no need to wait for the heartbeat to time out.
          const std::string reason = label(next) + " died (its process is gone)";
          publish_abort(*s, reason);
          fatal(reason);
          continue;
        }
        const std::string hb = key("hb/" + std::to_string(next));
        const std::string seen = s->check({hb}) ? to_string(s->get(hb)) : std::string();
        if (seen != last_seen) {
          last_seen = seen;
          last_change = Clock::now();
        } else if (seconds_since(last_change) > heartbeat() && !shutting_down) {
          char buf[64];
          std::snprintf(buf, sizeof(buf), "%.3g", heartbeat());
          const std::string reason = label(next) + " stopped responding: no heartbeat for " + buf +
                                     " s (the process died or was stopped, or its machine or network failed)";
          publish_abort(*s, reason);
          fatal(reason);
        }
      } catch (const std::exception& e) {
        if (shutting_down) break;
        fatal(lost_store(message_of(e)));
      }
    }
  }

  void start_monitor() { monitor = std::thread([this] { run_monitor(); }); }

  void stop_monitor_thread() {
    if (!monitor.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(monitor_mu);
      stop_monitor = true;
    }
    monitor_cv.notify_all();
    monitor.join();
  }

  // Waits until every key exists (polling; an abort published meanwhile ends the wait with its reason).
  Status wait_keys(const std::vector<std::string>& keys, const std::vector<int>& ranks, double timeout_s,
                   const std::string& what) {
    const Clock::time_point start = Clock::now();
    for (;;) {
      if (store->check(keys)) return {};
      if (store->check({key("abort")})) return io_error(me + ": stopping: " + to_string(store->get(key("abort"))));
      if (seconds_since(start) > timeout_s) {
        std::string missing;
        for (size_t i = 0; i < keys.size(); ++i) {
          if (!store->check({keys[i]})) missing += (missing.empty() ? "" : ", ") + label(ranks[i]);
        }
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.3g", timeout_s);
        return io_error(me + ": " + missing + " did not " + what + " within " + buf + " s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // Every rank publishes `value` under `tag` and reads everyone's. The store's host also waits (briefly) until
  // every rank has read them, so that an error it returns next does not take the store away from ranks still
  // reading.
  Result<std::vector<std::string>> exchange(const std::string& tag, const std::string& value, const std::string& what) {
    try {
      const int world = o.world_size;
      const std::string base = tag + std::to_string(++exchanges) + "/";
      store->set(key(base + std::to_string(o.rank)), to_bytes(value));
      std::vector<std::string> keys;
      std::vector<int> ranks;
      for (int r = 0; r < world; ++r) {
        keys.push_back(key(base + std::to_string(r)));
        ranks.push_back(r);
      }
      LITESR_RETURN_IF_ERROR(wait_keys(keys, ranks, o.timeout_s, what));
      std::vector<std::string> values;
      for (const std::string& k : keys) values.push_back(to_string(store->get(k)));
      store->set(key(base + "read/" + std::to_string(o.rank)), to_bytes("1"));
      if (hosts_store) {
        std::vector<std::string> read;
        for (int r = 0; r < world; ++r) read.push_back(key(base + "read/" + std::to_string(r)));
        (void)wait_keys(read, ranks, heartbeat(), "read the others' state");  // a rank gone meanwhile: go on
      }
      return values;
    } catch (const std::exception& e) {
      return io_error(me + ": " + lost_store(message_of(e)));
    }
  }

  // Rank 0's tensors to every rank: one broadcast per dtype over the tensors flattened (Gloo wants contiguous
  // tensors; parameters may be channels-last).
  void broadcast_tensors(const std::vector<torch::Tensor>& tensors) {
    std::map<torch::ScalarType, std::vector<torch::Tensor>> by_type;
    for (const torch::Tensor& t : tensors) by_type[t.scalar_type()].push_back(t);
    torch::NoGradGuard no_grad;
    for (auto& [type, group] : by_type) {
      std::vector<torch::Tensor> flat_parts;
      for (const torch::Tensor& t : group) flat_parts.push_back(t.detach().contiguous().view(-1));
      std::vector<torch::Tensor> flat = {torch::cat(flat_parts)};
      c10d::BroadcastOptions bo;
      bo.rootRank = 0;
      pg->broadcast(flat, bo)->wait();
      int64_t offset = 0;
      for (torch::Tensor t : group) {
        t.copy_(flat[0].narrow(0, offset, t.numel()).view(t.sizes()));
        offset += t.numel();
      }
    }
  }
};

namespace {

// The gradient all-reduce of one bucket: a SUM (DDP's default divides by the world size; each rank here already
// weighted its loss by its share of the global batch), timed for StepTiming.
class SumCommHook : public c10d::CommHookInterface {
 public:
  SumCommHook(c10::intrusive_ptr<c10d::ProcessGroup> pg, std::mutex* mu, StepTiming* timing,
              Clock::time_point* last_launch, bool* launched)
      : pg_(std::move(pg)), mu_(mu), timing_(timing), last_launch_(last_launch), launched_(launched) {}

  c10::intrusive_ptr<c10::ivalue::Future> runHook(c10d::GradBucket& bucket) override {
    const Clock::time_point start = Clock::now();
    *last_launch_ = start;
    *launched_ = true;
    std::vector<at::Tensor> tensors = {bucket.getBufferRef()};
    c10::intrusive_ptr<c10::ivalue::Future> future = pg_->allreduce(tensors)->getFuture();
    std::mutex* mu = mu_;
    StepTiming* timing = timing_;
    future->addCallback([mu, timing, start](c10::ivalue::Future&) {
      std::lock_guard<std::mutex> lock(*mu);
      timing->grad_busy_ms += ms_since(start);
      ++timing->buckets;
    });
    return future;
  }

  at::Tensor parseHookResult(const c10::IValue& result) override {
    return result.isTensor() ? result.toTensor() : result.toTensorVector().at(0);
  }

 private:
  c10::intrusive_ptr<c10d::ProcessGroup> pg_;
  std::mutex* mu_;
  StepTiming* timing_;
  Clock::time_point* last_launch_;
  bool* launched_;
};

}  // namespace

Distributed::Distributed(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Distributed::~Distributed() {
  Impl& m = *impl_;
  m.stop_monitor_thread();
  if (m.warning_filter) c10::Warning::set_warning_handler(m.previous_warning_handler);
  if (m.finished) return;
  // Failure path. Gloo has no abort, and destroying a process group whose operation waits on a dead or stopped
  // peer blocks until the timeout: the process is about to exit, so the group, the reducer and the store are
  // left to the OS. The store's host first lingers so that the other ranks read the reason it published.
  bool abort_published = false;
  try {
    abort_published = m.hosts_store && m.store && m.store->check({m.key("abort")});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "litesr: %s: the store failed at exit (%s)\n", m.me.c_str(), message_of(e).c_str());
  }
  const Clock::time_point start = Clock::now();
  while (abort_published && seconds_since(start) < 3 * m.period() + 0.5) {
    bool others_gone = true;  // (only knowable for the ranks of this machine)
    for (int r = 0; r < m.o.world_size; ++r) {
      if (r != m.o.rank && !process_gone(m.local_pids.size() > static_cast<size_t>(r) ? m.local_pids[r] : 0)) {
        others_gone = false;
      }
    }
    if (others_gone) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  (void)m.reducer.release();
  (void)m.sync_link.release();
  (void)m.pg.release();
  (void)m.store.release();
}

Result<std::unique_ptr<Distributed>> Distributed::connect(const DistributedOptions& options,
                                                          const std::string& fingerprint) {
  // A peer that goes away must not kill this process with SIGPIPE: the write fails and is reported instead.
  std::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.o = options;
  m.host = host_name();
  m.pid = static_cast<int>(::getpid());
  m.me = rank_label(options.rank);
  m.hosts_store = options.rank == 0 && !options.agent_store;
  m.store_port = options.master_port;
  const std::string where = options.master_addr + ":" + std::to_string(options.master_port);
  char timeout_text[64];
  std::snprintf(timeout_text, sizeof(timeout_text), "%.3g", options.timeout_s);

  // 1. The store.
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(options.master_port);
    so.isServer = m.hosts_store;
    so.waitWorkers = false;
    so.timeout = to_ms(options.timeout_s);
    QuietC10dLogs quiet;
    m.store = c10::make_intrusive<c10d::TCPStore>(options.master_addr, so);
    m.store_port = m.store->getPort();
  } catch (const std::exception& e) {
    const std::string what = message_of(e);
    if (m.hosts_store && what.find("in use") != std::string::npos) {
      return io_error(m.me + ": cannot host the rendezvous store: port " + std::to_string(options.master_port) +
                      " (MASTER_PORT) is already in use on this machine, by another training run or program; "
                      "choose a free MASTER_PORT, the same on every rank");
    }
    if (m.hosts_store) {
      return io_error(m.me + ": cannot host the rendezvous store on port " + std::to_string(options.master_port) +
                      ": " + what);
    }
    return io_error(m.me + ": cannot reach the rendezvous store at " + where + " (MASTER_ADDR:MASTER_PORT) within " +
                    timeout_text + " s: is " + m.store_owner() +
                    " running there, are MASTER_ADDR and MASTER_PORT the same on every rank, and is the port open? (" +
                    what + ")");
  }

  // 2. Join: every rank's fingerprint (or its early error), compared.
  Json mine = Json::parse(fingerprint, nullptr, false);
  if (mine.is_discarded() || !mine.is_object()) return internal_error("Distributed::connect: bad fingerprint");
  mine["host"] = m.host;
  mine["pid"] = m.pid;
  mine["pid_namespace"] = pid_namespace();
  mine["world_size"] = options.world_size;
  try {
    // One process per RANK: the second to claim one is refused (the first goes on).
    const std::string rank_key = "claim/" + std::to_string(options.rank);
    if (m.store->add(m.key(rank_key), 1) > 1) {
      const std::string first = m.store->check({m.key(rank_key + "/by")}) ? to_string(m.store->get(m.key(rank_key + "/by")))
                                                                         : std::string("another process");
      return invalid_argument(m.me + ": RANK=" + std::to_string(options.rank) + " is already taken by " + first +
                              ": every process of the run needs its own RANK");
    }
    m.store->set(m.key(rank_key + "/by"), to_bytes("pid " + std::to_string(m.pid) + " on " + m.host));
  } catch (const std::exception& e) {
    return io_error(m.me + ": " + m.lost_store(message_of(e)));
  }
  LITESR_ASSIGN_OR_RETURN(std::vector<std::string> joined, m.exchange("join/", mine.dump(), "join the run"));
  std::vector<Json> prints;
  for (int r = 0; r < options.world_size; ++r) {
    Json j = Json::parse(joined[r], nullptr, false);
    if (j.is_discarded() || !j.is_object()) j = Json::object();
    m.labels.push_back(rank_label(r) + " (pid " + std::to_string(j.value("pid", 0)) + " on " +
                       j.value("host", std::string("?")) + ")");
    const bool local = j.value("host", std::string()) == m.host &&
                       j.value("pid_namespace", std::string()) == mine.value("pid_namespace", std::string()) &&
                       !m.host.empty() && !mine.value("pid_namespace", std::string()).empty();
    m.local_pids.push_back(local && r != options.rank ? j.value("pid", 0) : 0);
    prints.push_back(std::move(j));
  }
  if (mine.contains("error")) {
    return Status(static_cast<StatusCode>(mine.value("code", static_cast<int>(StatusCode::kInternal))),
                  m.me + ": " + mine.value("error", std::string()));
  }
  for (int r = 0; r < options.world_size; ++r) {
    if (prints[r].contains("error")) {
      return Status(static_cast<StatusCode>(prints[r].value("code", static_cast<int>(StatusCode::kInternal))),
                    m.me + ": stopping: " + m.labels[r] + " cannot start: " + prints[r].value("error", std::string()));
    }
  }
  for (int r = 0; r < options.world_size; ++r) {
    if (r == options.rank) continue;
    std::string diff;
    for (const auto& [k, v] : mine.items()) {
      if (k == "host" || k == "pid" || k == "pid_namespace") continue;
      const Json other = prints[r].contains(k) ? prints[r][k] : Json();
      if (other != v) diff += (diff.empty() ? "" : "; ") + k + " = " + other.dump() + " there, " + v.dump() + " here";
    }
    for (const auto& [k, v] : prints[r].items()) {
      if (!mine.contains(k)) diff += (diff.empty() ? "" : "; ") + k + " = " + v.dump() + " there, absent here";
    }
    if (!diff.empty()) {
      return invalid_argument(m.me + ": " + m.labels[r] + " runs something else (" + diff +
                              "): every rank needs the same recipe, options and LiteSR build");
    }
  }

  // 3. The Gloo process group, on the interface that reaches the master (or GLOO_SOCKET_IFNAME).
  std::string device = options.socket_interface;
  try {
    auto go = c10d::ProcessGroupGloo::Options::create(to_ms(options.timeout_s));
    go->threads = 2;
    if (!options.socket_interface.empty()) {
      go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(options.socket_interface));
    } else {
      std::string address = local_address_towards(options.master_addr, m.store_port);
      if (address.empty()) address = m.host;
      device = address;
      go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(address));
    }
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(m.key("gloo"), m.store);
    m.pg = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, options.rank, options.world_size, go);
    m.sync_link = std::make_unique<GlooLink>(c10::make_intrusive<c10d::PrefixStore>(m.key("link"), m.store),
                                             options.rank, options.world_size, go->devices[0],
                                             to_ms(options.timeout_s), options.busy_poll);
  } catch (const std::exception& e) {
    return io_error(m.me + ": cannot connect the Gloo process group (on " + device +
                    "; set GLOO_SOCKET_IFNAME to choose the network interface): " + message_of(e));
  }
  m.start_monitor();
  return std::unique_ptr<Distributed>(new Distributed(std::move(impl)));
}

int Distributed::rank() const { return impl_->o.rank; }
int Distributed::world_size() const { return impl_->o.world_size; }
const DistributedOptions& Distributed::options() const { return impl_->o; }

Status Distributed::agree(const std::string& what, const Status& local, const std::string& value) {
  Impl& m = *impl_;
  Json mine = {{"ok", local.ok()}, {"code", static_cast<int>(local.code())}, {"message", local.message()},
               {"value", value}};
  LITESR_ASSIGN_OR_RETURN(std::vector<std::string> all, m.exchange("agree/", mine.dump(), "finish " + what));
  if (!local.ok()) return local.with_context(m.me);
  std::string first_error;
  StatusCode code = StatusCode::kOk;
  int failed = 0;
  std::vector<Json> parsed;
  for (int r = 0; r < m.o.world_size; ++r) {
    Json j = Json::parse(all[r], nullptr, false);
    if (j.is_discarded()) j = Json{{"ok", false}, {"message", "unreadable state"}, {"code", 9}};
    if (!j.value("ok", false)) {
      if (failed++ == 0) {
        first_error = m.label(r) + " failed " + what + ": " + j.value("message", std::string());
        code = static_cast<StatusCode>(j.value("code", static_cast<int>(StatusCode::kInternal)));
      }
    }
    parsed.push_back(std::move(j));
  }
  if (failed > 0) {
    if (failed > 1) first_error += " (and " + std::to_string(failed - 1) + " more ranks failed)";
    return Status(code, m.me + ": stopping: " + first_error);
  }
  if (!value.empty()) {
    const std::string reference = parsed[0].value("value", std::string());
    for (int r = 1; r < m.o.world_size; ++r) {
      const std::string v = parsed[r].value("value", std::string());
      if (v != reference) {
        return invalid_argument(m.me + ": " + what + " differs between ranks: " + reference + " on " + m.label(0) +
                                ", " + v + " on " + m.label(r));
      }
    }
  }
  return {};
}

Status Distributed::broadcast_bytes(std::string& bytes) {
  Impl& m = *impl_;
  try {
    c10d::BroadcastOptions bo;
    bo.rootRank = 0;
    std::vector<torch::Tensor> size = {torch::tensor({static_cast<int64_t>(bytes.size())}, torch::kLong)};
    m.pg->broadcast(size, bo)->wait();
    const int64_t n = size[0].item<int64_t>();
    std::vector<torch::Tensor> data = {torch::empty({std::max<int64_t>(n, 1)}, torch::kByte)};
    if (primary() && n > 0) std::memcpy(data[0].data_ptr(), bytes.data(), n);
    m.pg->broadcast(data, bo)->wait();
    if (!primary()) bytes.assign(static_cast<const char*>(data[0].data_ptr()), n);
    return {};
  } catch (const std::exception& e) {
    return failure(message_of(e));
  }
}

Status Distributed::attach(SrNetwork& net, bool find_unused) {
  Impl& m = *impl_;
  try {
    std::vector<torch::Tensor> state;
    for (auto& [name, t] : network_state(net)) state.push_back(t);
    m.broadcast_tensors(state);
  } catch (const std::exception& e) {
    return failure(message_of(e));
  }
  try {
    m.reducer.reset();
    std::vector<torch::Tensor> params;
    std::unordered_map<size_t, std::string> names;
    for (const auto& item : net.named_parameters(/*recurse=*/true)) {
      if (!item.value().requires_grad()) continue;
      names[params.size()] = item.key();
      params.push_back(item.value());
    }
    const std::vector<bool> sparse(params.size(), false);
    const size_t cap = static_cast<size_t>(std::max<int64_t>(m.o.bucket_bytes, 1));
    auto [buckets, limits] = c10d::compute_bucket_assignment_by_size(params, {cap}, sparse);
    // Buckets in the order their gradients become ready: the last layers first (as DistributedDataParallel).
    std::reverse(buckets.begin(), buckets.end());
    std::reverse(limits.begin(), limits.end());
    m.reducer = std::make_unique<c10d::Reducer>(params, std::move(buckets), std::move(limits), m.pg, sparse,
                                                static_cast<int64_t>(cap), find_unused,
                                                /*gradient_as_bucket_view=*/false, names, static_cast<int64_t>(cap));
    m.reducer->register_comm_hook(
        std::make_unique<SumCommHook>(m.pg, &m.timing_mu, &m.timing, &m.last_launch, &m.launched));
  } catch (const std::exception& e) {
    return internal_error(m.me + ": cannot set up the gradient reducer: " + message_of(e));
  }
  if (auto* sam = dynamic_cast<SamSrNetwork*>(&net)) sam->set_batch_norm_sync(this);
  if (!m.warning_filter) {
    m.previous_warning_handler = c10::Warning::get_warning_handler();
    m.warning_filter = std::make_unique<ReducerWarningFilter>(m.previous_warning_handler);
    c10::Warning::set_warning_handler(m.warning_filter.get());
  }
  m.attached = &net;
  return {};
}

const SrNetwork* Distributed::attached() const { return impl_->attached; }

void Distributed::prepare_for_backward(const torch::Tensor& objective) {
  impl_->launched = false;
  impl_->reducer->prepare_for_backward({objective});
}

void Distributed::backward_done() {
  Impl& m = *impl_;
  if (m.launched) m.timing.grad_exposed_ms += ms_since(m.last_launch);
}

Status Distributed::check_replicas(const SrNetwork& net) {
  Impl& m = *impl_;
  const uint64_t h = hash_tensors(network_state(net)) >> 1;  // 63 bits: the negation below cannot overflow
  try {
    std::vector<torch::Tensor> t = {torch::tensor({static_cast<int64_t>(h), -static_cast<int64_t>(h)}, torch::kLong)};
    c10d::AllreduceOptions ao;
    ao.reduceOp = c10d::ReduceOp::MIN;
    m.pg->allreduce(t, ao)->wait();
    const int64_t low = t[0][0].item<int64_t>(), high = -t[0][1].item<int64_t>();
    if (low != high) {
      return internal_error(m.me + ": the ranks' weights differ (hashes " + std::to_string(low) + " .. " +
                            std::to_string(high) + "): every rank must run the same LiteSR build; please report it");
    }
    return {};
  } catch (const std::exception& e) {
    return failure(message_of(e));
  }
}

void Distributed::all_reduce_sum(torch::Tensor& t) {
  Impl& m = *impl_;
  const Clock::time_point start = Clock::now();
  m.sync_link->all_reduce_sum(t);
  m.timing.batch_norm_sync_ms += ms_since(start);
}

std::function<torch::Tensor()> Distributed::start_all_reduce_sum(torch::Tensor t) {
  std::vector<torch::Tensor> v = {t};
  c10::intrusive_ptr<c10d::Work> work = impl_->pg->allreduce(v);
  return [this, work, t]() {
    const Clock::time_point start = Clock::now();
    work->wait();
    impl_->timing.loss_sync_ms += ms_since(start);
    return t;
  };
}

Status Distributed::failure(const std::string& what) {
  Impl& m = *impl_;
  m.diagnosing = true;
  const Clock::time_point start = Clock::now();
  const double patience = m.heartbeat() + 3 * m.period() + 1.0;
  try {
    while (seconds_since(start) < patience) {
      for (int r = 0; r < static_cast<int>(m.local_pids.size()); ++r) {
        if (process_gone(m.local_pids[r])) m.publish_abort(*m.store, m.label(r) + " died (its process is gone)");
      }
      if (m.store->check({m.key("abort")})) {
        m.reported = true;
        return io_error(m.me + ": stopping: " + to_string(m.store->get(m.key("abort"))));
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(m.period() / 2));
    }
    // Every rank still has a heartbeat: compare how far each got.
    std::vector<int64_t> at(m.o.world_size, -1);
    std::string report;
    for (int r = 0; r < m.o.world_size; ++r) {
      const std::string k = m.key("hb/" + std::to_string(r));
      if (m.store->check({k})) {
        const std::string v = to_string(m.store->get(k));
        const std::size_t space = v.find(' ');
        if (space != std::string::npos) at[r] = std::atoll(v.c_str() + space + 1);
      }
      report += (report.empty() ? "" : ", ") + rank_label(r) + " at " + std::to_string(at[r]);
    }
    const int64_t lowest = *std::min_element(at.begin(), at.end());
    const int64_t highest = *std::max_element(at.begin(), at.end());
    std::string behind;
    if (lowest < highest) {
      for (int r = 0; r < m.o.world_size; ++r) {
        if (at[r] == lowest) behind += (behind.empty() ? "" : ", ") + m.label(r);
      }
    }
    const std::string reason =
        "a collective operation failed on " + m.me + " (" + what + ") while every rank was alive; iterations: " +
        report + (behind.empty() ? std::string() : "; behind, so probably stuck: " + behind);
    m.publish_abort(*m.store, reason);
    m.reported = true;
    return io_error(m.me + ": stopping: " + reason);
  } catch (const std::exception& e) {
    m.reported = true;
    return io_error(m.me + ": stopping: " + m.lost_store(message_of(e)) + "; the collective had failed with: " + what);
  }
}

Status Distributed::fail(const Status& s) {
  Impl& m = *impl_;
  if (s.ok() || s.code() == StatusCode::kCancelled) return s;
  if (!m.reported) m.publish_abort(*m.store, m.label(m.o.rank) + " failed: " + s.to_string());
  m.reported = true;
  return s;
}

void Distributed::set_progress(int64_t global_iteration) { impl_->progress = global_iteration; }

std::unique_lock<std::mutex> Distributed::exit_guard() { return std::unique_lock<std::mutex>(impl_->exit_mu); }

StepTiming& Distributed::timing() { return impl_->timing; }

StepTiming Distributed::take_timing() {
  std::lock_guard<std::mutex> lock(impl_->timing_mu);
  StepTiming t = impl_->timing;
  impl_->timing = StepTiming();
  return t;
}

Status Distributed::finish() {
  Impl& m = *impl_;
  try {
    m.pg->barrier()->wait();
  } catch (const std::exception& e) {
    return failure(message_of(e));
  }
  m.shutting_down = true;
  m.stop_monitor_thread();
  // Nobody destroys its Gloo connections before everyone has left the barrier (a socket closed with unread data
  // resets the connection), and the store's host stays until every rank has let go of the store.
  std::vector<std::string> ended, gone;
  std::vector<int> ranks;
  for (int r = 0; r < m.o.world_size; ++r) {
    ended.push_back(m.key("end/" + std::to_string(r)));
    gone.push_back(m.key("gone/" + std::to_string(r)));
    ranks.push_back(r);
  }
  try {
    m.store->set(ended[m.o.rank], to_bytes("1"));
    (void)m.wait_keys(ended, ranks, m.heartbeat(), "reach the end");
    m.reducer.reset();
    m.sync_link.reset();
    m.pg.reset();
    m.store->set(gone[m.o.rank], to_bytes("1"));
    if (m.hosts_store) (void)m.wait_keys(gone, ranks, m.heartbeat(), "leave");
  } catch (const std::exception& e) {
    // A rank that left early took nothing with it: the run is complete.
    std::fprintf(stderr, "litesr: %s: the orderly end was cut short (%s)\n", m.me.c_str(), message_of(e).c_str());
  }
  m.finished = true;
  return {};
}

}  // namespace litesr::train

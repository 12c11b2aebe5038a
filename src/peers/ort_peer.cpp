#include "peers/ort_peer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

extern char** environ;

namespace litesr::peers {
namespace {

namespace fs = std::filesystem;

constexpr const char* kScript = "ort_bench.js";

std::string find_on_path(const std::string& exe) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / exe;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

fs::path OrtPeer::default_tools_dir() {
  if (const char* env = std::getenv("LITESR_TOOLS_DIR"); env != nullptr && *env != '\0') return env;
#ifdef LITESR_TOOLS_DIR
  return LITESR_TOOLS_DIR;
#else
  return "tools";
#endif
}

std::string OrtPeer::unavailable_reason(const fs::path& tools_dir) {
  if (find_on_path("node").empty()) return "node not found on PATH (scripts/install-deps.sh installs it)";
  if (!fs::exists(tools_dir / kScript)) {
    return (tools_dir / kScript).string() + " not found (set LITESR_TOOLS_DIR to the checkout's tools/)";
  }
  if (!fs::exists(tools_dir / "node_modules" / "onnxruntime-node" / "package.json")) {
    return "onnxruntime-node not installed in " + tools_dir.string() + " (cd tools && npm ci)";
  }
  return "";
}

Result<std::unique_ptr<OrtPeer>> OrtPeer::start(const OrtPeerOptions& options) {
  if (std::string why = unavailable_reason(options.tools_dir); !why.empty()) return unsupported(why);
  // Two socket pairs: [0] is ours, [1] the child's (stdin: to_child, stdout: from_child).
  int to_child[2], from_child[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, to_child) != 0) return io_error(errno_text("socketpair"));
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, from_child) != 0) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    return io_error(errno_text("socketpair"));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[1], 0);  // dup2 clears FD_CLOEXEC on the target
  posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
  const std::string log = options.log.empty() ? std::string("/dev/null") : options.log.string();
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);

  const std::string script = (options.tools_dir / kScript).string();
  std::vector<std::string> args = {"node", script, options.model.string()};
  if (options.inputs.empty()) {
    for (int64_t d : options.dims) args.push_back(std::to_string(d));
    if (!options.input.empty()) args.insert(args.end(), {"--input", options.input.string()});
  }
  for (const OrtInput& in : options.inputs) {
    args.insert(args.end(), {"--input-spec", in.name});
    for (int64_t d : in.dims) args.push_back(std::to_string(d));
    if (!in.file.empty()) args.push_back(in.file.string());
  }
  if (options.recurrent_steps > 0) {
    args.insert(args.end(), {"--recurrent", std::to_string(options.recurrent_steps), options.frames.string()});
  }
  args.insert(args.end(), {"--threads", std::to_string(options.threads), "--seed", std::to_string(options.seed)});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  auto peer = std::unique_ptr<OrtPeer>(new OrtPeer());
  peer->log_ = options.log;
  peer->timeout_s_ = options.reply_timeout_s;
  const int rc = ::posix_spawnp(&peer->pid_, "node", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[1]);
  ::close(from_child[1]);
  if (rc != 0) {
    peer->pid_ = -1;
    ::close(to_child[0]);
    ::close(from_child[0]);
    return unsupported(std::string("cannot start node: ") + std::strerror(rc));
  }
  peer->fd_ = to_child[0];
  peer->read_fd_ = from_child[0];

  Result<std::string> line = peer->read_line();
  if (!line.ok()) return unsupported("ONNX Runtime peer did not start: " + line.status().message());
  const nlohmann::json ready = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
  if (ready.is_discarded() || !ready.is_object()) return internal_error("ort_bench.js: unexpected output: " + *line);
  if (ready.contains("error")) return unsupported("ort_bench.js: " + ready["error"].get<std::string>());
  if (!ready.value("ready", false)) return internal_error("ort_bench.js: unexpected output: " + *line);
  peer->version_ = ready.value("onnxruntime", std::string("unknown"));
  return peer;
}

OrtPeer::~OrtPeer() {
  if (fd_ >= 0) {
    (void)send("quit");
    ::close(fd_);
  }
  if (read_fd_ >= 0) ::close(read_fd_);
  if (pid_ > 0) {
    int status = 0;
    for (int i = 0; i < 100; ++i) {  // up to 2 s for a clean exit
      if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
}

std::string OrtPeer::stderr_tail() const {
  if (log_.empty()) return "";
  std::ifstream in(log_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  return text;
}

Status OrtPeer::send(const std::string& line) {
  const std::string msg = line + "\n";
  std::size_t done = 0;
  while (done < msg.size()) {
    const ssize_t n = ::send(fd_, msg.data() + done, msg.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(errno_text("writing to the ONNX Runtime peer"));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<std::string> OrtPeer::read_line() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s_);
  while (true) {
    if (const std::size_t nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return internal_error("no reply from node within " + std::to_string(timeout_s_) + " s");
    pollfd p{read_fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (r < 0 && errno != EINTR) return io_error(errno_text("poll"));
    if (r <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(read_fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(errno_text("reading from the ONNX Runtime peer"));
    }
    if (n == 0) {
      int status = 0;
      std::string how = "node exited";
      if (pid_ > 0 && ::waitpid(pid_, &status, 0) == pid_) {
        pid_ = -1;
        if (WIFEXITED(status)) how += " with status " + std::to_string(WEXITSTATUS(status));
        if (WIFSIGNALED(status)) how += " on signal " + std::to_string(WTERMSIG(status));
      }
      const std::string tail = stderr_tail();
      return internal_error(how + (buffer_.empty() ? "" : ": " + buffer_) + (tail.empty() ? "" : ": " + tail));
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

Result<OrtTimes> OrtPeer::run(int k) {
  if (k < 1) return invalid_argument("OrtPeer::run: k must be >= 1");
  LITESR_RETURN_IF_ERROR(send("run " + std::to_string(k)));
  LITESR_ASSIGN_OR_RETURN(std::string line, read_line());
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return internal_error("ort_bench.js: unexpected reply: " + line);
  if (j.contains("error")) return internal_error("ONNX Runtime: " + j["error"].get<std::string>());
  OrtTimes t;
  try {
    t.ms = j.at("ms").get<std::vector<double>>();
    t.cpu_ms = j.value("cpu_ms", std::vector<double>{});
  } catch (const nlohmann::json::exception&) {
    return internal_error("ort_bench.js: unexpected reply: " + line);
  }
  if (static_cast<int>(t.ms.size()) != k)
    return internal_error("ort_bench.js: expected " + std::to_string(k) + " times");
  return t;
}

Result<std::array<int64_t, 4>> OrtPeer::dump(const fs::path& file, const std::vector<int>& steps) {
  if (file.string().find('\n') != std::string::npos) return invalid_argument("OrtPeer::dump: newline in the path");
  std::string list;
  for (int t : steps) list += (list.empty() ? "" : ",") + std::to_string(t);
  LITESR_RETURN_IF_ERROR(send("dump " + (list.empty() ? std::string("all") : list) + " " + file.string()));
  LITESR_ASSIGN_OR_RETURN(std::string line, read_line());
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return internal_error("ort_bench.js: unexpected reply: " + line);
  if (j.contains("error")) return internal_error("ONNX Runtime: " + j["error"].get<std::string>());
  std::array<int64_t, 4> dims{};
  try {
    const auto d = j.at("dims").get<std::vector<int64_t>>();
    if (d.size() != 4) return internal_error("ort_bench.js: output 0 is not NCHW: " + line);
    std::copy(d.begin(), d.end(), dims.begin());
  } catch (const nlohmann::json::exception&) {
    return internal_error("ort_bench.js: unexpected reply: " + line);
  }
  return dims;
}

}  // namespace litesr::peers

// Data-parallel training with real processes on 127.0.0.1 (litesr-torch, the training CLI): 2 ranks give the weights
// of 1 rank, resume is bit-identical with the same world size and close with another, a killed or stopped rank stops
// the others with its name and leaves the last complete checkpoint, Ctrl-C stops every rank at one iteration, and
// configuration errors are reported before training. Every process is waited for with a deadline (and killed
// past it): a hang fails the test instead of stalling it. Tiny recipes on generated images: seconds each.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "io/atomic_file.h"
#include "runtime/model_file.h"
#include "testing/test_env.h"
#include "train/checkpoint.h"
#include "train/distributed_env.h"
#include "train/trainer.h"
#include "train_test_data.h"

extern char** environ;

namespace litesr::train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using litesr::testing::write_text_file;
using litesr::testing::TempDir;
using testing::make_data;

#ifdef LITESR_TORCH_BINARY
const char* const kTrainer = LITESR_TORCH_BINARY;
#else
const char* const kTrainer = nullptr;
#endif

#define REQUIRE_TRAINER()                                                            \
  if (kTrainer == nullptr) GTEST_SKIP() << "litesr-torch is not built (LibTorch off)"

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A process running litesr-torch with `args`, its stdout and stderr in `log`.
struct Child {
  pid_t pid = -1;
  fs::path log;
  int status = -1;  // waitpid status once ended
  bool ended = false;

  bool running() {
    if (ended) return false;
    int s = 0;
    if (::waitpid(pid, &s, WNOHANG) == pid) {
      ended = true;
      status = s;
    }
    return !ended;
  }
  // Waits up to `timeout_s`; past it the process is killed and the test fails. Returns the exit code
  // (128 + signal when killed by one).
  int wait(double timeout_s) {
    const Clock::time_point start = Clock::now();
    while (running()) {
      if (seconds_since(start) > timeout_s) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        ended = true;
        ADD_FAILURE() << "process " << pid << " did not end within " << timeout_s << " s; log:\n" << output();
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string output() const { return litesr::testing::read_file_bytes(log); }
  ~Child() {
    if (pid > 0 && !ended) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

std::unique_ptr<Child> spawn(const std::vector<std::string>& args, const fs::path& log,
                             const std::map<std::string, std::string>& env = {}) {
  static const char* const kLauncherVariables[] = {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT",
                                                   "LITESR_AGENT_STORE", "TORCHELASTIC_USE_AGENT_STORE"};
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool drop = env.count(name) > 0;
    for (const char* v : kLauncherVariables) drop = drop || name == v;
    if (!drop) envs.push_back(entry);
  }
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<std::string> argv_s = {kTrainer};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv, envp;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (std::string& s : envs) envp.push_back(s.data());
  envp.push_back(nullptr);
  auto child = std::make_unique<Child>();
  child->log = log;
  const std::string log_path = log.string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  child->pid = pid;
  return child;
}

// A TCP port nobody listens on right now (the kernel's choice).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::map<std::string, std::string> rank_env(int rank, int world, int port) {
  return {{"RANK", std::to_string(rank)}, {"WORLD_SIZE", std::to_string(world)},
          {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", std::to_string(port)}};
}

// ELSR x2 -> x4 (the reducer is rebuilt at the scale change), batch 4 (2 + 2 samples on 2 ranks, 2 + 1 + 1 on 3).
std::string elsr_recipe(const fs::path& root, int64_t first_stage_iterations = 5, int64_t checkpoint_every = 3) {
  return "name = \"dist\"\nseed = 7\ncheckpoint_every = " + std::to_string(checkpoint_every) +
         "\nlog_every = 2\n[model]\narch = \"elsr\"\nscale = 4\n[data]\nhr_dirs = [\"" + (root / "hr").string() +
         "\"]\nloader_threads = 1\n[validation]\ndir = \"" + (root / "val").string() +
         "\"\nevery = 4\n[[stages]]\nscale = 2\nloss = \"l1\"\npatch = 16\nbatch = 4\niterations = " +
         std::to_string(first_stage_iterations) +
         "\nlr = 1e-3\nschedule = \"multistep\"\nmilestones = [3]\n"
         "[[stages]]\nscale = 4\nloss = \"mse\"\npatch = 16\niterations = 6\nlr = 5e-4\nschedule = \"cosine\"\n";
}

// SAM-SR with batch norm (synchronised over the ranks), batch 5: 3 + 2 samples on 2 ranks.
std::string sam_sr_recipe(const fs::path& root, int64_t iterations) {
  return "name = \"dist_sam\"\nseed = 3\ncheckpoint_every = 100\nlog_every = 1\n[model]\narch = \"sam_sr\"\nscale = 4\n"
         "nf = 8\nn = 2\nse = true\nbn = true\n[data]\nhr_dirs = [\"" + (root / "hr").string() +
         "\"]\nloader_threads = 1\n[[stages]]\nloss = \"l1\"\npatch = 32\nbatch = 5\niterations = " +
         std::to_string(iterations) + "\nlr = 2e-3\nbetas = [0.9, 0.99]\n";
}

std::map<std::string, Tensor> model_tensors(const fs::path& p) {
  Result<ModelFile> f = read_model_file(p);
  EXPECT_TRUE(f.ok()) << p << ": " << f.status().to_string();
  return f.ok() ? f->tensors : std::map<std::string, Tensor>{};
}

const float* floats(const Tensor& t) { return reinterpret_cast<const float*>(t.data.data()); }

// max |a − b| over every weight, divided by max |a| (the weights' scale).
double relative_difference(const fs::path& a_path, const fs::path& b_path) {
  auto a = model_tensors(a_path), b = model_tensors(b_path);
  EXPECT_EQ(a.size(), b.size());
  EXPECT_FALSE(a.empty());
  double diff = 0.0, scale = 0.0;
  for (const auto& [name, t] : a) {
    if (!b.count(name)) {
      ADD_FAILURE() << name << " missing in " << b_path;
      return 1.0;
    }
    const std::size_t n = t.data.size() / sizeof(float);
    for (std::size_t i = 0; i < n; ++i) {
      diff = std::max(diff, static_cast<double>(std::fabs(floats(t)[i] - floats(b.at(name))[i])));
      scale = std::max(scale, static_cast<double>(std::fabs(floats(t)[i])));
    }
  }
  return scale > 0 ? diff / scale : diff;
}

bool bit_identical(const fs::path& a_path, const fs::path& b_path) {
  auto a = model_tensors(a_path), b = model_tensors(b_path);
  if (a.size() != b.size() || a.empty()) return false;
  for (const auto& [name, t] : a) {
    if (!b.count(name) || b.at(name).data != t.data) return false;
  }
  return true;
}

void expect_no_temporary_files(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_EQ(e.path().filename().string().find(".litesr-tmp"), std::string::npos) << e.path();
  }
}

// Waits until `file` exists (a run reached its first checkpoint) while `children` run.
void wait_for_file(const fs::path& file, std::vector<Child*> children, double timeout_s = 30) {
  const Clock::time_point start = Clock::now();
  while (!fs::exists(file)) {
    for (Child* c : children) ASSERT_TRUE(c->running()) << "exited early:\n" << c->output();
    ASSERT_LT(seconds_since(start), timeout_s) << file << " did not appear";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

TEST(DistributedEnv, ReadsTheLauncherVariablesAndRejectsBadOnes) {
  auto from = [](std::map<std::string, std::string> vars) {
    return distributed_options_from_env([vars](const char* name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    });
  };
  Result<DistributedOptions> none = from({});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->enabled());
  Result<DistributedOptions> r = from({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"},
                                       {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29411"}});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->enabled());
  EXPECT_EQ(r->rank, 3);
  EXPECT_EQ(r->world_size, 4);
  EXPECT_EQ(r->local_rank, 1);
  EXPECT_EQ(r->master_addr, "node7");
  EXPECT_EQ(r->master_port, 29411);
  EXPECT_FALSE(r->agent_store);
  Result<DistributedOptions> torchrun = from({{"RANK", "0"}, {"WORLD_SIZE", "2"},
                                              {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                              {"TORCHELASTIC_RESTART_COUNT", "2"}});
  ASSERT_TRUE(torchrun.ok());
  EXPECT_TRUE(torchrun->agent_store);
  EXPECT_EQ(torchrun->key_prefix, "litesr/2/");
  EXPECT_EQ(from({{"RANK", "2"}, {"WORLD_SIZE", "2"}}).status().message(),
            "RANK=2 is out of range for WORLD_SIZE=2 (0..1)");
  EXPECT_FALSE(from({{"RANK", "-1"}, {"WORLD_SIZE", "2"}}).ok());
  EXPECT_FALSE(from({{"RANK", "0"}, {"WORLD_SIZE", "0"}}).ok());
  EXPECT_FALSE(from({{"RANK", "1x"}, {"WORLD_SIZE", "2"}}).ok());
  EXPECT_FALSE(from({{"WORLD_SIZE", "2"}}).ok());  // RANK missing
  EXPECT_FALSE(from({{"RANK", "0"}}).ok());        // WORLD_SIZE missing
  EXPECT_FALSE(from({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}).ok());
  EXPECT_FALSE(from({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "2"}}).ok());
}

// The equivalence goal: 2 ranks with global batch B = 1 rank with batch B (ELSR, 11 steps over a scale change,
// ≤ 1e-6 of the weights' scale); the same world size resumes bit-identically; another world size (3, uneven
// shards) resumes close to it.
TEST(Distributed, TwoRanksMatchOneRankAndResume) {
  REQUIRE_TRAINER();
  TempDir dir;
  make_data(dir.path());
  const fs::path recipe = write_text_file(dir / "dist.toml", elsr_recipe(dir.path()));
  TrainOptions one;
  one.recipe = recipe;
  one.out_dir = dir / "one";
  one.progress = ProgressMode::kNone;
  Result<TrainSummary> single = run_training(one);
  ASSERT_TRUE(single.ok()) << single.status().to_string();

  auto train = [&](const std::string& out, std::vector<std::string> extra, int expected_exit = 0) {
    std::vector<std::string> args = {"train", "--recipe", recipe.string(), "--out", (dir / out).string(),
                                     "--progress", "none", "--dist-timeout", "20"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto c = spawn(args, dir / (out + ".log"));
    EXPECT_EQ(c->wait(60), expected_exit) << c->output();
    return c->output();
  };
  const std::string two_log = train("two", {"--nproc", "2"});
  EXPECT_NE(two_log.find("data-parallel: 2 ranks"), std::string::npos) << two_log;
  const double diff = relative_difference(dir / "one" / "model.safetensors", dir / "two" / "model.safetensors");
  EXPECT_LE(diff, 1e-6);
  EXPECT_GT(diff, 0.0);  // (the sums differ in the last bits: the comparison did see two different runs)

  train("parts", {"--nproc", "2", "--stop-after", "4"});
  fs::copy(dir / "parts", dir / "parts3", fs::copy_options::recursive);
  train("parts", {"--nproc", "2", "--resume", "--stop-after", "7"});
  train("parts", {"--nproc", "2", "--resume"});
  EXPECT_TRUE(bit_identical(dir / "two" / "model.safetensors", dir / "parts" / "model.safetensors"));

  const std::string three_log = train("parts3", {"--nproc", "3", "--resume"});
  EXPECT_NE(three_log.find("written by a run of 2 ranks, this run has 3"), std::string::npos) << three_log;
  EXPECT_LE(relative_difference(dir / "two" / "model.safetensors", dir / "parts3" / "model.safetensors"), 1e-6);
  // Rank 0 alone wrote the run: one log, one checkpoint at the end.
  Result<CheckpointState> last = read_checkpoint_state(dir / "parts3" / "checkpoint.pt");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->global_iteration, 11);
  EXPECT_EQ(last->world_size, 3);
  expect_no_temporary_files(dir / "parts3");
}

// Batch norm is synchronised: 2 ranks (3 + 2 samples) follow 1 rank. Adam's per-weight normalisation amplifies
// last-bit differences in a BN network (one process with -j1 and -j2 drifts apart as fast), so the bound is
// looser than ELSR's, two steps; per-rank statistics would be off by orders of magnitude more (running variance
// and batch statistics of 2-3 samples, folded into the exported weights).
TEST(Distributed, BatchNormIsSynchronised) {
  REQUIRE_TRAINER();
  TempDir dir;
  make_data(dir.path());
  const fs::path recipe = write_text_file(dir / "sam.toml", sam_sr_recipe(dir.path(), 2));
  TrainOptions one;
  one.recipe = recipe;
  one.out_dir = dir / "one";
  one.progress = ProgressMode::kNone;
  ASSERT_TRUE(run_training(one).ok());
  auto c = spawn({"train", "--recipe", recipe.string(), "--out", (dir / "two").string(), "--progress", "none",
                  "--nproc", "2", "--dist-timeout", "20"},
                 dir / "two.log");
  ASSERT_EQ(c->wait(60), 0) << c->output();
  EXPECT_LE(relative_difference(dir / "one" / "model.safetensors", dir / "two" / "model.safetensors"), 1e-4);
  const std::string log = litesr::testing::read_file_bytes(dir / "two" / "train_log.jsonl");
  EXPECT_NE(log.find("\"dist_bn_sync_ms\""), std::string::npos);
}

// A rank killed mid-run (SIGKILL, env-launched ranks: rank 0 hosts the store): rank 0 stops within seconds, says
// which rank, and the output folder holds a complete checkpoint that resumes.
TEST(Distributed, KilledRankStopsTheOthersAndLeavesTheLastCheckpoint) {
  REQUIRE_TRAINER();
  TempDir dir;
  make_data(dir.path());
  const fs::path recipe = write_text_file(dir / "long.toml", elsr_recipe(dir.path(), 100000, 20));
  const int port = free_port();
  const std::vector<std::string> args = {"train", "--recipe", recipe.string(), "--out", (dir / "run").string(),
                                         "--progress", "none", "--dist-timeout", "5"};
  auto r0 = spawn(args, dir / "r0.log", rank_env(0, 2, port));
  auto r1 = spawn(args, dir / "r1.log", rank_env(1, 2, port));
  wait_for_file(dir / "run" / "checkpoint.pt", {r0.get(), r1.get()});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(::kill(r1->pid, SIGKILL), 0);
  const Clock::time_point killed = Clock::now();
  EXPECT_EQ(r0->wait(15), 1);
  EXPECT_LT(seconds_since(killed), 8.0);  // the heartbeat timeout is 5 s; a local death is seen at once
  EXPECT_EQ(r1->wait(5), 128 + SIGKILL);
  const std::string out = r0->output();
  EXPECT_NE(out.find("rank 0: stopping: rank 1 (pid " + std::to_string(r1->pid)), std::string::npos) << out;
  Result<CheckpointState> last = read_checkpoint_state(dir / "run" / "checkpoint.pt");
  ASSERT_TRUE(last.ok()) << last.status().to_string();
  EXPECT_GT(last->global_iteration, 0);
  EXPECT_TRUE(read_model_file(dir / "run" / "model_latest.safetensors").ok());
  expect_no_temporary_files(dir / "run");
  // The last checkpoint resumes (1 rank, 3 more iterations).
  TrainOptions resume;
  resume.recipe = recipe;
  resume.out_dir = dir / "run";
  resume.resume = true;
  resume.progress = ProgressMode::kNone;
  resume.stop_after_iterations = last->global_iteration + 3;
  Result<TrainSummary> resumed = run_training(resume);
  ASSERT_TRUE(resumed.ok()) << resumed.status().to_string();
  EXPECT_EQ(resumed->iterations, last->global_iteration + 3);
}

// The same under `--nproc 2`: the launcher names the killed rank and the signal, and the last checkpoint.
TEST(Distributed, LauncherReportsAKilledRank) {
  REQUIRE_TRAINER();
  TempDir dir;
  make_data(dir.path());
  const fs::path recipe = write_text_file(dir / "long.toml", elsr_recipe(dir.path(), 100000, 20));
  auto launcher = spawn({"train", "--recipe", recipe.string(), "--out", (dir / "run").string(), "--progress", "none",
                         "--dist-timeout", "5", "--nproc", "2"},
                        dir / "launcher.log");
  wait_for_file(dir / "run" / "checkpoint.pt", {launcher.get()});
  const std::string started = launcher->output();
  const std::size_t at = started.find("rank 1: pid ");
  ASSERT_NE(at, std::string::npos) << started;
  const pid_t rank1 = std::stoi(started.substr(at + 12));
  ASSERT_EQ(::kill(rank1, SIGKILL), 0);
  const Clock::time_point killed = Clock::now();
  EXPECT_EQ(launcher->wait(20), 1);
  EXPECT_LT(seconds_since(killed), 8.0);
  const std::string out = launcher->output();
  EXPECT_NE(out.find("rank 1 (pid " + std::to_string(rank1)), std::string::npos) << out;
  EXPECT_NE(out.find("killed by signal 9"), std::string::npos) << out;
  EXPECT_NE(out.find("the last complete checkpoint is"), std::string::npos) << out;
  ASSERT_TRUE(read_checkpoint_state(dir / "run" / "checkpoint.pt").ok());
  expect_no_temporary_files(dir / "run");
}

// A rank that stops responding (SIGSTOP: alive, sockets open, no progress): found by its heartbeat.
TEST(Distributed, StoppedRankIsFoundByItsHeartbeat) {
  REQUIRE_TRAINER();
  TempDir dir;
  make_data(dir.path());
  const fs::path recipe = write_text_file(dir / "long.toml", elsr_recipe(dir.path(), 100000, 20));
  const int port = free_port();
  const std::vector<std::string> args = {"train", "--recipe", recipe.string(), "--out", (dir / "run").string(),
                                         "--progress", "none", "--dist-timeout", "3"};
  auto r0 = spawn(args, dir / "r0.log", rank_env(0, 2, port));
  auto r1 = spawn(args, dir / "r1.log", rank_env(1, 2, port));
  wait_for_file(dir / "run" / "checkpoint.pt", {r0.get(), r1.get()});
  ASSERT_EQ(::kill(r1->pid, SIGSTOP), 0);
  const Clock::time_point stopped = Clock::now();
  EXPECT_EQ(r0->wait(15), 1);
  EXPECT_LT(seconds_since(stopped), 7.0);  // heartbeat timeout 3 s
  const std::string out = r0->output();
  EXPECT_NE(out.find("rank 1 (pid " + std::to_string(r1->pid) + " on"), std::string::npos) << out;
  EXPECT_NE(out.find("stopped responding"), std::string::npos) << out;
  ::kill(r1->pid, SIGKILL);
  r1->wait(5);
  ASSERT_TRUE(read_checkpoint_state(dir / "run" / "checkpoint.pt").ok());
}

// Ctrl-C reaches the launcher: every rank stops at the same iteration with a checkpoint, the launcher exits 130,
// and the run resumes.
TEST(Distributed, CtrlCStopsEveryRankAtOneIteration) {
  REQUIRE_TRAINER();
  TempDir dir;
  make_data(dir.path());
  const fs::path recipe = write_text_file(dir / "long.toml", elsr_recipe(dir.path(), 100000, 20));
  const std::vector<std::string> args = {"train", "--recipe", recipe.string(), "--out", (dir / "run").string(),
                                         "--progress", "none", "--dist-timeout", "10", "--nproc", "2"};
  auto launcher = spawn(args, dir / "launcher.log");
  wait_for_file(dir / "run" / "checkpoint.pt", {launcher.get()});
  ASSERT_EQ(::kill(launcher->pid, SIGINT), 0);
  EXPECT_EQ(launcher->wait(20), 130) << launcher->output();
  const std::string out = launcher->output();
  EXPECT_NE(out.find("training interrupted at global iteration"), std::string::npos) << out;
  Result<CheckpointState> last = read_checkpoint_state(dir / "run" / "checkpoint.pt");
  ASSERT_TRUE(last.ok());
  // The interrupted iteration's checkpoint is the log's last event.
  const std::string log = litesr::testing::read_file_bytes(dir / "run" / "train_log.jsonl");
  EXPECT_NE(log.find("\"global_iteration\":" + std::to_string(last->global_iteration) + ",\"iteration\""),
            std::string::npos);
  std::vector<std::string> again = args;
  again.insert(again.end(), {"--resume", "--stop-after", std::to_string(last->global_iteration + 2)});
  auto resumed = spawn(again, dir / "resumed.log");
  EXPECT_EQ(resumed->wait(30), 0) << resumed->output();
}

// Errors before training, each clear and quick: a port in use, an unreachable master, ranks with different
// recipes, RANK out of range, --nproc inside a launched rank, more ranks than samples in a batch.
TEST(Distributed, ConfigurationErrorsAreReportedBeforeTraining) {
  REQUIRE_TRAINER();
  TempDir dir;
  make_data(dir.path());
  const fs::path recipe = write_text_file(dir / "dist.toml", elsr_recipe(dir.path()));
  std::string other_text = elsr_recipe(dir.path());
  other_text.replace(other_text.find("lr = 1e-3"), 9, "lr = 2e-3");
  const fs::path other = write_text_file(dir / "other.toml", other_text);
  auto args = [&](const fs::path& r, const std::string& out) {
    return std::vector<std::string>{"train", "--recipe", r.string(), "--out", (dir / out).string(), "--progress",
                                    "none", "--dist-timeout", "2"};
  };
  {  // the master's port is taken
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    a.sin_port = 0;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    socklen_t len = sizeof(a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    const int taken = ntohs(a.sin_port);
    auto r0 = spawn(args(recipe, "a"), dir / "port.log", rank_env(0, 2, taken));
    EXPECT_EQ(r0->wait(20), 1);
    EXPECT_NE(r0->output().find("port " + std::to_string(taken) + " (MASTER_PORT) is already in use"),
              std::string::npos)
        << r0->output();
    std::vector<std::string> launch = args(recipe, "b");
    launch.insert(launch.end(), {"--nproc", "2", "--master-port", std::to_string(taken)});
    auto l = spawn(launch, dir / "port_launcher.log");
    EXPECT_EQ(l->wait(20), 1);
    EXPECT_NE(l->output().find("is already in use"), std::string::npos) << l->output();
    ::close(fd);
  }
  {  // nobody at MASTER_ADDR:MASTER_PORT
    auto r1 = spawn(args(recipe, "c"), dir / "unreachable.log", rank_env(1, 2, free_port()));
    EXPECT_EQ(r1->wait(20), 1);
    EXPECT_NE(r1->output().find("rank 1: cannot reach the rendezvous store at 127.0.0.1:"), std::string::npos)
        << r1->output();
  }
  {  // different recipes: both ranks refuse, naming the other and the difference
    const int port = free_port();
    auto r0 = spawn(args(recipe, "d"), dir / "mismatch0.log", rank_env(0, 2, port));
    auto r1 = spawn(args(other, "d"), dir / "mismatch1.log", rank_env(1, 2, port));
    EXPECT_EQ(r0->wait(20), 1);
    EXPECT_EQ(r1->wait(20), 1);
    EXPECT_NE(r0->output().find("rank 0: rank 1 (pid " + std::to_string(r1->pid)), std::string::npos) << r0->output();
    EXPECT_NE(r0->output().find("recipe_hash"), std::string::npos) << r0->output();
    EXPECT_NE(r1->output().find("rank 1: rank 0 (pid"), std::string::npos) << r1->output();
    EXPECT_FALSE(fs::exists(dir / "d" / "checkpoint.pt"));
  }
  {  // RANK out of range, and a bad WORLD_SIZE: usage errors, at once
    auto r = spawn(args(recipe, "e"), dir / "range.log", rank_env(2, 2, 29500));
    EXPECT_EQ(r->wait(20), 2);
    EXPECT_NE(r->output().find("RANK=2 is out of range for WORLD_SIZE=2"), std::string::npos) << r->output();
    auto w = spawn(args(recipe, "e"), dir / "world.log", {{"RANK", "0"}, {"WORLD_SIZE", "zero"}});
    EXPECT_EQ(w->wait(20), 2);
    std::vector<std::string> nested = args(recipe, "e");
    nested.insert(nested.end(), {"--nproc", "2"});
    auto n = spawn(nested, dir / "nested.log", rank_env(0, 2, 29500));
    EXPECT_EQ(n->wait(20), 2);
    EXPECT_NE(n->output().find("--nproc starts the ranks itself"), std::string::npos) << n->output();
  }
  {  // 5 ranks for batches of 4
    std::vector<std::string> launch = args(recipe, "f");
    launch.insert(launch.end(), {"--nproc", "5"});
    auto l = spawn(launch, dir / "batch.log");
    EXPECT_EQ(l->wait(20), 1);
    EXPECT_NE(l->output().find("a run of 5 ranks needs batches of at least 5 samples"), std::string::npos)
        << l->output();
    EXPECT_EQ(l->output().find("started"), std::string::npos);  // no rank was started
  }
}

}  // namespace
}  // namespace litesr::train

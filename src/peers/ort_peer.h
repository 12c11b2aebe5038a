// OrtPeer: ONNX Runtime as a benchmark peer, run in a child process — node with tools/ort_bench.js and
// tools/node_modules/onnxruntime-node (installed by `cd tools && npm ci`, scripts/install-deps.sh).
//
// The child is spawned (posix_spawnp) with its stdin and stdout connected to LiteSR through socket pairs (no
// SIGPIPE when it dies: writes use MSG_NOSIGNAL) and its stderr sent to a log file whose tail ends up in error
// messages. Protocol (tools/ort_bench.js): the child prints a JSON "ready" line once the session is loaded; LiteSR
// writes "run K", the child runs K inferences (recurrent: K windows) and answers one JSON line with K wall times
// measured inside node (the pipe round trip is not counted); "dump STEPS FILE" writes output 0 of one untimed run
// (window) to FILE; "quit" ends it. The destructor sends "quit", waits briefly, then kills.
//
// Inputs, two forms:
//  * one input: `dims` (NCHW) and `input` (a float32 file, or random values from `seed`) feed the model's first
//    input (node argv: MODEL N C H W [--input FILE]);
//  * named inputs: `inputs` (non-empty replaces the above), one OrtInput per model input with its own NCHW dims
//    and file (node argv: --input-spec NAME N C H W [FILE], repeated).
// Recurrent mode (`recurrent_steps` T > 0, named inputs, `frames` = T frames of input 1's dims): one run is a
// window of T steps of the runtime/multi_frame_session.h contract — x_prev, x_t from `frames`, inputs 2 + i fed
// from outputs 1 + i of the previous step (zeros at t = 0); times are per window (node argv: --recurrent T FILE).
#pragma once

#include <sys/types.h>

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace litesr::peers {

// One named model input: float32 NCHW dims and values (little-endian float32 file; "" = uniform [0, 1) from
// the seed, or zeros / `frames` in recurrent mode).
struct OrtInput {
  std::string name;
  std::array<int64_t, 4> dims{};
  std::filesystem::path file;
};

struct OrtPeerOptions {
  std::filesystem::path tools_dir;  // holds ort_bench.js and node_modules/onnxruntime-node
  std::filesystem::path model;      // the .onnx file
  std::filesystem::path log;        // the child's stderr ("" = /dev/null)
  std::array<int64_t, 4> dims{};    // the first input's NCHW (one-input form)
  std::filesystem::path input;      // its little-endian float32 NCHW values ("" = uniform [0, 1) from `seed`)
  std::vector<OrtInput> inputs;     // named inputs (non-empty: replaces dims / input)
  int recurrent_steps = 0;          // T > 0: recurrent mode, one run = one window of T steps
  std::filesystem::path frames;     // recurrent: T frames of input 1's dims, frame after frame (float32)
  int threads = 1;                  // intraOpNumThreads
  uint32_t seed = 1;
  double reply_timeout_s = 600;  // per reply line
};

struct OrtTimes {
  std::vector<double> ms;      // wall time per run
  std::vector<double> cpu_ms;  // CPU time of the node process (all threads) per run
};

class OrtPeer {
 public:
  ~OrtPeer();
  OrtPeer(const OrtPeer&) = delete;
  OrtPeer& operator=(const OrtPeer&) = delete;

  // The tools directory: $LITESR_TOOLS_DIR, else the source tree's tools/ compiled in (LITESR_TOOLS_DIR).
  static std::filesystem::path default_tools_dir();

  // "" when node (on PATH), ort_bench.js and onnxruntime-node are present, otherwise why not (one line).
  static std::string unavailable_reason(const std::filesystem::path& tools_dir);

  // Spawns node and waits for its ready line. kUnsupported when node / onnxruntime-node cannot run (the
  // message says why, with the tail of the child's stderr); kInternal for protocol errors.
  static Result<std::unique_ptr<OrtPeer>> start(const OrtPeerOptions& options);

  // K timed inferences (recurrent: K windows; times per window).
  Result<OrtTimes> run(int k);

  // One untimed inference (recurrent: one window) writing output 0 of each of `steps` (empty: every step; a
  // plain run has step 0 only) to `file` as little-endian float32, step after step. Returns the NCHW dims of
  // output 0 of one step.
  Result<std::array<int64_t, 4>> dump(const std::filesystem::path& file, const std::vector<int>& steps = {});

  const std::string& version() const { return version_; }  // onnxruntime-node's version

 private:
  OrtPeer() = default;
  Result<std::string> read_line();
  Status send(const std::string& line);
  std::string stderr_tail() const;

  pid_t pid_ = -1;
  int fd_ = -1;       // our end of the child's stdin
  int read_fd_ = -1;  // our end of the child's stdout
  std::string buffer_;
  std::string version_;
  std::filesystem::path log_;
  double timeout_s_ = 600;
};

}  // namespace litesr::peers

// `litesr bench`: whole-model inference time of LiteSR, optionally against LibTorch, ONNX Runtime, XNNPACK and
// oneDNN on the same weights, input, and thread count (docs/benchmarks.md).
//
//   litesr bench [--case NAME]... [-n MODEL]... [--peers] [-j THREADS] [--reps N] [--warmup N] [--warm-each]
//                [--input WxH] [--json FILE] [--chart FILE.svg] [--tradeoff FILE.svg --data DIR] [--progress MODE]
//
// Cases (default: all eight) time shipped models in the mode they ship: elsr-x4-720p (elsr-x4, 320x180 ->
// 1280x720), elsr-x4-4k (960x540 -> 3840x2160), elsr-x4-int8-720p / -4k (the INT8 model, peers: ONNX Runtime's
// INT8 kernels on its QDQ export), sam-sr-xlite-x4-256 (sam-sr-xlite-x4, 256x256 -> 1024x1024),
// sam-sr-xlite-x4-720p (320x180 -> 1280x720), evsrnet-x4-720p and evsrnet-nas-x4-720p (the recurrent video
// models: one 10-frame window of 320x180 frames -> 1280x720, reported per frame). A case whose model is not
// built in runs the same architecture and configuration with random weights (profile/profiled_model.h; the
// JSON `weights` says "random"). -n MODEL adds a case for a built-in name or .safetensors file (single-frame or
// multi-frame, one window per run) at a 1280x720 output; --case and -n select what runs (neither: the
// defaults). --input WxH overrides every case's LR size (quick checks).
//
// Engines: LiteSR always (u8 HWC in -> u8 HWC out: conversions included), through the ModelUpscaler users run
// (a Session for single-frame models, a MultiFrameSession for multi-frame ones: reset, then each frame of the
// window pushed). With
// --peers also LibTorch (train::TorchGraphRunner: the graph op by op with torch functional ops, f32 NCHW; a
// recurrent step through run_window, the state fed back like MultiFrameSession; only when built with
// LITESR_WITH_TORCH) and ONNX Runtime (the model exported by export_onnx, run by onnxruntime-node in a child
// process, f32 NCHW, a recurrent step in ort_bench.js's recurrent mode; only when built with LITESR_WITH_EXPORT
// and node + onnxruntime-node are installed), XNNPACK and oneDNN (the graph rebuilt in process with XNNPACK's
// subgraph API and with oneDNN primitives, NHWC f32: peers/graph_peer.h; only when their libraries were found at
// configure time; a graph with an op the library cannot express is skipped naming the op). Before timing, each
// peer's output 0 (clamped to [0, 1]) of the first and last frame of a run is compared with LiteSR's u8 output on
// the same input: a difference above kCheckTolerance (INT8 models: kInt8CheckTolerance) means the peer runs something
// else, and it is skipped with the numbers. INT8 models run against INT8 engines only: ONNX Runtime on their QDQ
// export, XNNPACK's integer operators (create_xnnpack_int8_peer) and oneDNN's int8 primitives
// (create_dnnl_int8_peer). A peer that cannot run is skipped with its reason (table footnote, JSON "skipped"),
// never an error.
// Every engine gets the same thread count (-j). Protocol (profile/interleaved_timing.h): --warmup untimed runs of
// each engine, then --reps interleaved repetitions (LiteSR, LibTorch, ONNX Runtime, XNNPACK, oneDNN, LiteSR, ...)
// so background load hits all alike; a run is one frame, or one window of a multi-frame model (time / frames);
// medians are reported. --warm-each runs every engine twice in each repetition and times only the second run: the
// steady state of an engine that runs back to back (a folder, a video), without the cold start each engine
// otherwise pays after the others' runs (docs/benchmarks.md "What the work between two runs costs"). With the
// LibTorch or oneDNN peer the process re-executes itself once with OMP_WAIT_POLICY=PASSIVE (unless set), so idle
// libgomp workers sleep instead of spinning through the other engines' repetitions; ONNX Runtime runs with intra-op
// spinning off and XNNPACK's workers yield for the same reason.
// Columns: median ms per frame per engine (wall); speedup = peer median / LiteSR median, in wall time and in
// process CPU time (all threads; steadier on a loaded machine); LiteSR fps = 1000 / its median; FMA peak =
// LiteSR's GFLOP/s (2 FLOPs per plain MAC, profile's kMacs count of one frame / one recurrent step) over the
// FP32 FMA peak of `threads` dedicated cores (runtime/kernel_peak.h, measured at start in CPU time), per wall
// second and per CPU second.
// Exit codes: 0 ok, 1 failure, 2 usage error, 130 interrupted.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/cpu_info.h"
#include "base/progress.h"
#include "base/svg_chart.h"
#include "cli/bench_results.h"
#include "cli/bench_tradeoff.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "io/atomic_file.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "profile/complexity.h"
#include "profile/interleaved_timing.h"
#include "profile/profiled_model.h"
#include "profile/timing.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_peak.h"
#include "runtime/model_quantization.h"
#include "upscaler/model_upscaler.h"
#ifdef LITESR_HAVE_TRAIN
#include "train/torch_graph_runner.h"
#endif
#ifdef LITESR_HAVE_EXPORT
#include "export/onnx_export.h"
#include "peers/ort_peer.h"
#endif
#ifdef LITESR_HAVE_XNNPACK
#include "peers/xnnpack_peer.h"
#endif
#ifdef LITESR_HAVE_DNNL
#include "peers/dnnl_peer.h"
#endif
#if defined(LITESR_HAVE_XNNPACK) || defined(LITESR_HAVE_DNNL)
#include "peers/graph_peer.h"
#define LITESR_HAVE_GRAPH_PEERS 1
#endif
#if defined(LITESR_HAVE_TRAIN) || defined(LITESR_HAVE_DNNL)
#define LITESR_HAVE_OPENMP_PEER 1  // a peer on libgomp: LibTorch or oneDNN
#endif

namespace litesr::cli {
namespace {

namespace fs = std::filesystem;
#ifdef LITESR_HAVE_EXPORT
using peers::OrtPeer;
using peers::OrtPeerOptions;
using peers::OrtTimes;
#endif
#ifdef LITESR_HAVE_GRAPH_PEERS
using peers::GraphPeer;
using peers::PeerInput;
#endif

// The shipped models in the mode they ship. `arch` / `config`: the random-weight fallback when `model` is not
// built in (the shipped files' configurations).
const std::vector<BenchCase>& default_cases() {
  static const char* kElsr = R"({"scale": 4, "channels": 6})";
  static const char* kSamSr = R"({"scale": 4, "nf": 16, "n": 8, "se": true, "bn": false, "bicubic_a": -0.75,
                                  "se_gate": "hard_sigmoid", "upsampler": "candidate_a"})";
  static const std::vector<BenchCase> cases = {
      {"elsr-x4-720p", "ELSR x4, 320x180 -> 1280x720", "elsr-x4", "elsr", kElsr, 320, 180},
      {"elsr-x4-4k", "ELSR x4, 960x540 -> 3840x2160", "elsr-x4", "elsr", kElsr, 960, 540},
      {"elsr-x4-int8-720p", "ELSR x4 INT8, 320x180 -> 1280x720", "elsr-x4-int8", "", "", 320, 180},
      {"elsr-x4-int8-4k", "ELSR x4 INT8, 960x540 -> 3840x2160", "elsr-x4-int8", "", "", 960, 540},
      {"sam-sr-xlite-x4-256", "SAM-SR XLITE x4, 256x256 -> 1024x1024", "sam-sr-xlite-x4", "sam_sr", kSamSr, 256, 256},
      {"sam-sr-xlite-x4-720p", "SAM-SR XLITE x4, 320x180 -> 1280x720", "sam-sr-xlite-x4", "sam_sr", kSamSr, 320, 180},
      {"evsrnet-x4-720p", "EVSRNet x4 recurrent (nc 8, nb 5), one 10-frame window of 320x180 -> 1280x720", "evsrnet-x4",
       "evsrnet", R"({"scale": 4, "nc": 8, "nb": 5, "frames": 10, "mode": "recurrent"})", 320, 180},
      {"evsrnet-nas-x4-720p", "EVSRNet-NAS x4 recurrent (nc 6, nb 8), one 10-frame window of 320x180 -> 1280x720",
       "evsrnet-nas-x4", "evsrnet", R"({"scale": 4, "nc": 6, "nb": 8, "frames": 10, "mode": "recurrent"})", 320, 180},
  };
  return cases;
}

std::string case_names() {
  std::string s;
  for (const BenchCase& c : default_cases()) s += (s.empty() ? "" : ", ") + c.name;
  return s;
}

double load_average() {
  double load[3] = {0, 0, 0};
  return getloadavg(load, 3) > 0 ? load[0] : -1.0;
}

#ifdef LITESR_HAVE_OPENMP_PEER
// Re-executes the process with OMP_WAIT_POLICY=PASSIVE (libgomp reads it when loaded, i.e. at start). Returns
// only when that is not needed or exec failed.
void ensure_passive_omp() {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (std::size_t b = 0; b < all.size();) {
    const std::size_t e = all.find('\0', b);
    args.push_back(all.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  if (args.empty()) return;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  std::fflush(stdout);
  std::fflush(stderr);
  execv("/proc/self/exe", argv.data());
  std::fprintf(stderr,
               "litesr bench: warning: cannot re-execute with OMP_WAIT_POLICY=PASSIVE; LibTorch's and oneDNN's "
               "idle threads may spin during the other engines' runs\n");
}
#endif

// A temporary folder for ONNX files and peer logs, removed at the end.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("litesr-bench-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::create_directories(path_, ec);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The model, graph and sizes of a case; kInvalidArgument / kNotFound are usage errors.
struct LoadedCase {
  ModelFile model;  // as stored (multi-frame models keep litesr.frames: the ONNX export wraps the frames)
  Graph graph;      // as built: one frame (one recurrent step) per call
  std::string weights;
  int frames = 1;            // frames per run: 1, or one window of a multi-frame model (Graph::input_frames)
  bool multi_frame = false;  // runs on a MultiFrameSession (frame-parallel or recurrent)
  bool recurrent = false;    // several graph inputs: the recurrent step contract (runtime/multi_frame_session.h)
};

Result<LoadedCase> load_case(const BenchCase& c) {
  LoadedCase lc;
  ProfiledModelSpec spec;
  Result<ProfiledModel> loaded = not_found("no model named");
  if (!c.model.empty()) {
    spec.model = c.model;
    loaded = load_profiled_model(spec);
    if (loaded.ok()) {
      const bool file = c.model.find('/') != std::string::npos || c.model.ends_with(".safetensors");
      lc.weights = c.model == "bicubic" ? "none" : file ? "file" : "shipped";
    } else if (c.arch.empty() || loaded.status().code() != StatusCode::kNotFound) {
      return loaded.status();
    }
  }
  if (!loaded.ok()) {  // the model is not built in: the same architecture with random weights
    spec = ProfiledModelSpec();
    spec.arch = c.arch;
    spec.config_patch = c.config;
    spec.scale = 4;
    spec.weights = true;
    spec.seed = 1;
    loaded = load_profiled_model(spec);
    if (!loaded.ok()) return loaded.status();
    lc.weights = "random";
  }
  lc.model = std::move(loaded->file);
  lc.graph = std::move(loaded->graph);
  lc.recurrent = lc.graph.inputs.size() > 1;
  lc.multi_frame = models::runs_on_multi_frame_session(lc.graph);
  lc.frames = lc.multi_frame ? std::max(1, lc.graph.input_frames) : 1;
  return lc;
}

// LiteSR's side of a case, through the upscaler users run: a single-frame model upscales each frame (fused u8
// path), a multi-frame one sees the run's frames as one window (reset, then each frame pushed).
struct LitesrEngine {
  ModelUpscaler upscaler;

  static Result<LitesrEngine> create(const LoadedCase& lc, const std::string& name, int threads) {
    UpscalerOptions options;
    options.threads = threads;
    LITESR_ASSIGN_OR_RETURN(ModelUpscaler up, ModelUpscaler::open_model(lc.model, name, options));
    return LitesrEngine{std::move(up)};
  }
  ExecutionMode mode() const { return upscaler.mode(); }

  // One run: the `count` u8 HWC frames of `lr` (w x h each, one after the other) into `sr` ((s·w) x (s·h));
  // `on_frame(f)` (when set) sees frame f's output in `sr`.
  Status run(const std::vector<uint8_t>& lr, std::vector<uint8_t>& sr, int w, int h, int s, int count,
             const std::function<void(int)>& on_frame = {}) {
    upscaler.reset_window();
    for (int f = 0; f < count; ++f) {
      const ImageView<const uint8_t> in{lr.data() + static_cast<std::size_t>(f) * w * h * 3, w, h, 3,
                                        static_cast<std::ptrdiff_t>(w) * 3};
      const ImageView<uint8_t> out{sr.data(), w * s, h * s, 3, static_cast<std::ptrdiff_t>(w) * s * 3};
      LITESR_RETURN_IF_ERROR(upscaler.push_frame_u8(in, out));
      if (on_frame) on_frame(f);
    }
    return {};
  }
};

// Largest |LiteSR's u8 / 255 − clamp(peer, 0, 1)| over one w x h frame: LiteSR's u8 HWC against the peer's
// f32 CHW (NaN counts as infinite).
double max_difference(const std::vector<uint8_t>& hwc, const float* chw, int w, int h) {
  double worst = 0;
  const std::size_t plane = static_cast<std::size_t>(w) * h;
  for (std::size_t ch = 0; ch < 3; ++ch) {
    for (std::size_t i = 0; i < plane; ++i) {
      const float v = chw[ch * plane + i];
      const double d = std::isnan(v) ? INFINITY : std::abs(hwc[i * 3 + ch] / 255.0 - std::clamp(double{v}, 0.0, 1.0));
      worst = std::max(worst, d);
    }
  }
  return worst;
}

// Runs one case through every engine asked for. Errors: the LiteSR side failing (peers are skipped instead).
Result<CaseResult> run_case(const BenchCase& c, const BenchArgs& args, const fs::path& tmp, Progress& progress,
                            const CancelToken* cancel) {
  LITESR_ASSIGN_OR_RETURN(LoadedCase lc, load_case(c));
  CaseResult r;
  r.c = c;
  r.weights = lc.weights;
  r.mode = lc.recurrent ? "recurrent" : lc.multi_frame ? "frame_parallel" : "single_frame";
  r.frames = lc.frames;
  r.scale = lc.graph.scale;
  r.out_width = c.width * r.scale;
  r.out_height = c.height * r.scale;
  ComplexityOptions co;
  co.input_width = c.width;
  co.input_height = c.height;
  co.convention = CountingConvention::kMacs;
  // One frame: the graph runs one frame, or one recurrent step (every input at the LR size).
  LITESR_ASSIGN_OR_RETURN(ComplexityReport report, profile_complexity(lc.graph, lc.model.tensors, co));
  r.macs_per_frame = report.macs;

  // Inputs: one random u8 LR sequence; the peers see the same values as f32 NCHW in [0, 1].
  const int w = c.width, h = c.height, s = r.scale, frames = r.frames;
  std::mt19937 rng(5);
  std::vector<uint8_t> lr(static_cast<std::size_t>(w) * h * 3 * frames);
  for (uint8_t& v : lr) v = static_cast<uint8_t>(rng() & 0xFF);
  std::vector<float> nchw(lr.size());
  for (int f = 0; f < frames; ++f) {
    for (int ch = 0; ch < 3; ++ch) {
      for (int i = 0; i < w * h; ++i) {
        nchw[(static_cast<std::size_t>(f) * 3 + ch) * w * h + i] =
            lr[(static_cast<std::size_t>(f) * w * h + i) * 3 + ch] / 255.0f;
      }
    }
  }
  const std::size_t out_frame = static_cast<std::size_t>(w) * s * h * s * 3;  // values per output frame
  std::vector<uint8_t> sr(out_frame);

  // LiteSR, once untimed: its first and last frame are what the peers' outputs are checked against.
  LITESR_ASSIGN_OR_RETURN(LitesrEngine litesr, LitesrEngine::create(lc, c.name, args.threads));
  r.litesr_path = execution_mode_name(litesr.mode());
  const std::vector<int> checked = frames > 1 ? std::vector<int>{0, frames - 1} : std::vector<int>{0};
  std::vector<std::vector<uint8_t>> reference(checked.size());
  LITESR_RETURN_IF_ERROR(litesr.run(lr, sr, w, h, s, frames, [&](int f) {
    for (std::size_t i = 0; i < checked.size(); ++i)
      if (checked[i] == f) reference[i] = sr;
  }));
  // INT8 models are compared with INT8 engines only (ONNX Runtime's QDQ kernels, XNNPACK's QS8, oneDNN's int8
  // convolutions); the rest skip.
  const bool int8_model = is_quantized_model(lc.model);
  const double tolerance = int8_model ? kInt8CheckTolerance : kCheckTolerance;
  const std::string fp32_only =
      "FP32 only here: an INT8 model is compared with INT8 engines (ONNX Runtime's QDQ kernels, XNNPACK's QS8, "
      "oneDNN's int8 convolutions)";
  // The equality check of a peer's outputs of the checked frames (f32 CHW each): "" or why it fails.
  [[maybe_unused]] auto check = [&](const char* engine, const std::vector<const float*>& peer) -> std::string {
    double worst = 0;
    int at = 0;
    for (std::size_t i = 0; i < checked.size(); ++i) {
      const double d = max_difference(reference[i], peer[i], w * s, h * s);
      if (d > worst) {
        worst = d;
        at = checked[i];
      }
    }
    r.max_abs_diff[engine] = worst;
    if (worst <= tolerance) return "";
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "output differs from LiteSR's (same input and weights): max |difference| %.4g > %.4g", worst,
                  tolerance);
    return buf + (frames > 1 ? " at frame " + std::to_string(at) + " of the window" : std::string());
  };

  // Peers.
  const std::string not_requested = "not requested (use --peers)";
  const bool luma_model = frame_color(lc.graph) == "y";
  if (!args.peers) {
    for (const char* e : kPeers) r.skipped[e] = not_requested;
  } else if (luma_model) {
    // LiteSR's side is the user path: RGB -> Y, the network, bicubic chroma, RGB (eval/luma_color.h).
    for (const char* e : kPeers) {
      r.skipped[e] = "a luma model: the peers run RGB graphs (LiteSR's time includes its Y'CbCr conversion)";
    }
  }
  const bool run_peers = args.peers && !luma_model;
#ifdef LITESR_HAVE_TRAIN
  // LibTorch: a recurrent model steps through the window (run_window: the state fed back like
  // MultiFrameSession); otherwise one batch of `frames` (frame-parallel: every frame alone).
  std::unique_ptr<train::TorchGraphRunner> torch;
  auto run_torch = [&](const std::function<void(int, const float*)>& on_frame) -> Status {
    if (lc.recurrent) return torch->run_window(nchw.data(), frames, 3, h, w, on_frame);
    LITESR_RETURN_IF_ERROR(torch->run(nchw.data(), frames, 3, h, w));
    if (!on_frame) return {};
    std::vector<float> out(out_frame * frames);
    LITESR_RETURN_IF_ERROR(torch->copy_output(0, out.data()));
    for (int f = 0; f < frames; ++f) on_frame(f, out.data() + out_frame * f);
    return {};
  };
  if (run_peers && int8_model) r.skipped[kLibtorch] = fp32_only;
  if (run_peers && !int8_model) {
    auto t = train::TorchGraphRunner::create(lc.graph, lc.model.tensors, args.threads);
    if (t.ok()) {
      torch = std::move(t).value();
      std::vector<std::vector<float>> got(checked.size());
      const Status st = run_torch([&](int f, const float* out) {
        for (std::size_t i = 0; i < checked.size(); ++i)
          if (checked[i] == f) got[i].assign(out, out + out_frame);
      });
      std::vector<const float*> peer;
      for (const auto& g : got) peer.push_back(g.data());
      const std::string why = st.ok() ? check(kLibtorch, peer) : st.to_string();
      if (!why.empty()) {
        r.skipped[kLibtorch] = why;
        torch.reset();
      }
    } else {
      r.skipped[kLibtorch] = t.status().to_string();
    }
  }
#else
  if (run_peers) r.skipped[kLibtorch] = "not compiled in (build with LITESR_WITH_TORCH=ON)";
#endif
#ifdef LITESR_HAVE_EXPORT
  // ONNX Runtime: the exported model; a recurrent step runs in ort_bench.js's recurrent mode (named inputs,
  // outputs 1.. fed back as inputs 2..), one window per run.
  std::unique_ptr<OrtPeer> ort;
  if (run_peers) {
    const fs::path tools = OrtPeer::default_tools_dir();
    std::string why = OrtPeer::unavailable_reason(tools);
    if (why.empty()) {
      OnnxExportOptions eo;
      eo.clamp_output = true;
      Result<std::string> onnx = export_onnx(lc.model, eo);
      const fs::path onnx_path = tmp / (c.name + ".onnx"), input_path = tmp / (c.name + ".f32");
      const fs::path dump_path = tmp / (c.name + ".ort-out.f32");
      // x86 / ARM are little-endian: the floats' bytes are the file format ort_bench.js reads.
      const std::string_view input_bytes(reinterpret_cast<const char*>(nchw.data()), nchw.size() * sizeof(float));
      Status written;
      if (!onnx.ok()) {
        why = "export failed: " + onnx.status().to_string();
      } else if (written = write_file_atomically(onnx_path, *onnx); !written.ok()) {
        why = written.to_string();
      } else if (written = write_file_atomically(input_path, input_bytes); !written.ok()) {
        why = written.to_string();
      } else {
        OrtPeerOptions po;
        po.tools_dir = tools;
        po.model = onnx_path;
        po.log = tmp / (c.name + ".ort.log");
        if (lc.recurrent) {  // the graph's inputs, named as export_onnx names them; the frames from the file
          for (int id : lc.graph.inputs) {
            const Node& in = lc.graph.nodes[id];
            po.inputs.push_back({in.name, {1, in.channels, h, w}, ""});
          }
          po.recurrent_steps = frames;
          po.frames = input_path;
        } else {  // [1, 3·frames, H, W]: frame-parallel models are wrapped into a batch inside the ONNX graph
          po.dims = {1, 3 * frames, h, w};
          po.input = input_path;  // the same values LiteSR and LibTorch get
        }
        po.threads = args.threads;
        Result<std::unique_ptr<OrtPeer>> p = OrtPeer::start(po);
        Result<std::array<int64_t, 4>> dims = internal_error("not run");
        if (p.ok()) {
          r.ort_version = (*p)->version();
          dims = (*p)->dump(dump_path, lc.recurrent ? checked : std::vector<int>{});
        }
        const std::size_t want = out_frame * (lc.recurrent ? checked.size() : frames);
        if (!p.ok()) {
          why = p.status().message();
        } else if (!dims.ok()) {
          why = dims.status().message();
        } else if (std::error_code ec; fs::file_size(dump_path, ec) != want * sizeof(float)) {
          why = "ort_bench.js dumped " + std::to_string(fs::file_size(dump_path, ec)) + " bytes of output, expected " +
                std::to_string(want * sizeof(float));
        } else {
          std::vector<float> out(want);
          std::ifstream(dump_path, std::ios::binary).read(reinterpret_cast<char*>(out.data()), want * sizeof(float));
          std::vector<const float*> peer;
          for (std::size_t i = 0; i < checked.size(); ++i)
            peer.push_back(out.data() + out_frame * (lc.recurrent ? i : checked[i]));
          why = check(kOnnxruntime, peer);
          if (why.empty()) ort = std::move(p).value();
        }
        std::error_code ec;
        fs::remove(dump_path, ec);
      }
    }
    if (!why.empty()) r.skipped[kOnnxruntime] = why;
  }
#else
  if (run_peers) r.skipped[kOnnxruntime] = "not compiled in (build with LITESR_WITH_EXPORT=ON)";
#endif
#ifndef LITESR_HAVE_XNNPACK
  if (run_peers) {
    r.skipped[kXnnpack] = "not compiled in (install libxnnpack-dev and libpthreadpool-dev, then reconfigure)";
  }
#endif
#ifndef LITESR_HAVE_DNNL
  if (run_peers) r.skipped[kOnednn] = "not compiled in (install libdnnl-dev, then reconfigure)";
#endif
#ifdef LITESR_HAVE_GRAPH_PEERS
  // XNNPACK and oneDNN: the same graph and weights rebuilt in this process (peers/graph_peer.h) on the same f32
  // frames (converted to the library's layout once, untimed); a run is a batch of the frames, or one recurrent
  // window, like LiteSR's.
  struct GraphPeerEntry {
    const char* engine;
    std::unique_ptr<GraphPeer> peer;
  };
  std::vector<GraphPeerEntry> graph_peers;
  if (run_peers) {
    using Factory = Result<std::unique_ptr<GraphPeer>> (*)(const Graph&, const TensorMap&, const PeerInput&, int);
    using Int8Factory = Result<std::unique_ptr<GraphPeer>> (*)(const Graph&, const TensorMap&,
                                                               const ModelQuantization&, const PeerInput&, int);
    struct PeerFactories {
      const char* engine;
      Factory fp32;
      Int8Factory int8;
    };
    const std::vector<PeerFactories> factories = {
#ifdef LITESR_HAVE_XNNPACK
        {kXnnpack, &peers::create_xnnpack_peer, &peers::create_xnnpack_int8_peer},
#endif
#ifdef LITESR_HAVE_DNNL
        {kOnednn, &peers::create_dnnl_peer, &peers::create_dnnl_int8_peer},
#endif
    };
    const PeerInput input{nchw.data(), frames, 3, h, w};
    Result<ModelQuantization> quantization = not_found("not an INT8 model");
    if (int8_model) quantization = read_model_quantization(lc.model);
    for (const auto& [engine, fp32_factory, int8_factory] : factories) {
      Result<std::unique_ptr<GraphPeer>> p = unsupported(fp32_only);
      if (!int8_model) {
        p = fp32_factory(lc.graph, lc.model.tensors, input, args.threads);
      } else {
        p = quantization.ok() ? int8_factory(lc.graph, lc.model.tensors, *quantization, input, args.threads)
                              : Result<std::unique_ptr<GraphPeer>>(quantization.status());
      }
      if (!p.ok()) {
        r.skipped[engine] = p.status().message();
        continue;
      }
      r.peer_description[engine] = (*p)->description();
      std::vector<std::vector<float>> got(checked.size());
      const Status st = (*p)->run([&](int f, const float* out) {
        for (std::size_t i = 0; i < checked.size(); ++i)
          if (checked[i] == f) got[i].assign(out, out + out_frame);
      });
      std::vector<const float*> peer;
      std::string why = st.ok() ? "" : st.to_string();
      for (std::size_t i = 0; i < got.size() && why.empty(); ++i) {
        if (got[i].size() != out_frame) why = "no output for frame " + std::to_string(checked[i]) + " of the run";
        peer.push_back(got[i].data());
      }
      if (why.empty()) why = check(engine, peer);
      if (why.empty()) {
        graph_peers.push_back({engine, std::move(p).value()});
      } else {
        r.skipped[engine] = why;
      }
    }
  }
#endif
  for (const auto& [engine, why] : r.skipped) {
    if (why != not_requested)
      std::fprintf(stderr, "litesr bench: %s: %s skipped: %s\n", c.name.c_str(), engine.c_str(), why.c_str());
  }

  // Warm-up, then interleaved repetitions (profile/interleaved_timing.h): LiteSR, then the peers that passed the
  // check. A run is all `frames` frames (one window); times are per frame.
  std::vector<InterleavedEngine> engines;
  engines.push_back(
      {kLitesr, /*required=*/true, in_process_runner([&] { return litesr.run(lr, sr, w, h, s, frames); })});
#ifdef LITESR_HAVE_TRAIN
  if (torch) engines.push_back({kLibtorch, false, in_process_runner([&] { return run_torch({}); })});
#endif
#ifdef LITESR_HAVE_EXPORT
  if (ort) {
    engines.push_back({kOnnxruntime, false, [&](int runs) -> Result<RunTime> {
                         // ort_bench.js times each of its `runs` runs itself: the last one is the timed one.
                         LITESR_ASSIGN_OR_RETURN(OrtTimes t, ort->run(runs));
                         if (t.ms.empty()) return internal_error("ort_bench.js reported no times");
                         return RunTime{t.ms.back(), t.cpu_ms.empty() ? -1.0 : t.cpu_ms.back()};
                       }});
  }
#endif
#ifdef LITESR_HAVE_GRAPH_PEERS
  for (GraphPeerEntry& gp : graph_peers) {
    engines.push_back({gp.engine, false, in_process_runner([&gp] { return gp.peer->run(); })});
  }
#endif
  InterleavedOptions timing;
  timing.warmup = args.warmup;
  timing.reps = args.reps;
  timing.warm_each = args.warm_each;
  timing.cancel = cancel;
  timing.after_repetition = [&] { progress.advance(1, c.name); };
  LITESR_ASSIGN_OR_RETURN(InterleavedResult timed, time_interleaved(engines, timing));
  for (const auto& [engine, why] : timed.dropped) {
    r.skipped[engine] = why;
    std::fprintf(stderr, "litesr bench: %s: %s failed, skipped: %s\n", c.name.c_str(), engine.c_str(), why.c_str());
  }
  for (const auto& [engine, samples] : timed.samples) {
    EngineTimes& t = r.times[engine];
    for (double ms : samples.wall_ms) t.ms.push_back(ms / frames);
    for (double ms : samples.cpu_ms) t.cpu_ms.push_back(ms / frames);
  }
  return r;
}

Result<std::vector<BenchCase>> select_cases(const BenchArgs& args) {
  std::vector<BenchCase> cases;
  for (const std::string& name : args.cases) {
    auto it = std::find_if(default_cases().begin(), default_cases().end(),
                           [&](const BenchCase& c) { return c.name == name; });
    if (it == default_cases().end()) {
      return invalid_argument("unknown --case '" + name + "' (cases: " + case_names() + ")");
    }
    cases.push_back(*it);
  }
  for (const std::string& m : args.models) {
    ProfiledModelSpec spec;
    spec.model = m;
    Result<ProfiledModel> model = load_profiled_model(spec);
    if (!model.ok()) return invalid_argument(model.status().message());
    const int s = model->graph.scale;
    BenchCase c;
    c.name = fs::path(m).stem().string();
    c.model = m;
    c.width = 1280 / s;
    c.height = 720 / s;
    c.description = c.name + " x" + std::to_string(s) + ", " + std::to_string(c.width) + "x" +
                    std::to_string(c.height) + " -> 1280x720";
    cases.push_back(c);
  }
  if (args.cases.empty() && args.models.empty()) cases = default_cases();
  if (!args.input.empty()) {
    Result<ImageSize> size = parse_image_size(args.input);
    if (!size.ok()) return invalid_argument("--input: " + size.status().message());
    for (BenchCase& c : cases) {
      c.width = size->width;
      c.height = size->height;
      c.description += " (LR size overridden: --input " + args.input + ")";
    }
  }
  return cases;
}

int run_bench(BenchArgs args, CommandContext& ctx) {
  if (args.threads < 0) return usage_error("-j/--threads must be >= 1 (0 = one per core)");
  if (args.threads == 0) args.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (args.reps < 1) return usage_error("--reps must be >= 1");
  if (args.warmup < 0) return usage_error("--warmup must be >= 0");
  if (args.tradeoff.empty() != args.data.empty()) return usage_error("--tradeoff FILE.svg and --data DIR go together");
  Result<ProgressMode> progress_mode = parse_progress_mode(args.progress);
  if (!progress_mode.ok()) return usage_error(progress_mode.status().message());
  Result<std::vector<BenchCase>> cases = select_cases(args);
  if (!cases.ok()) return usage_error(cases.status().message());
#ifdef LITESR_HAVE_OPENMP_PEER
  if (args.peers) ensure_passive_omp();
#endif

  MachineInfo m;
  m.cpu_model = cpu_model_name();  // x86 "model name"; AArch64 cores from their MIDR (base/cpu_info.h)
  m.logical_cpus = static_cast<int>(std::thread::hardware_concurrency());
  m.isa = active_isa();
  m.load_start = load_average();
  std::fprintf(stderr, "litesr bench: measuring the FP32 FMA peak (-j %d)...\n", args.threads);
  m.peak = measure_fma_peak(args.threads, 0.25);
  std::printf(
      "litesr bench: %d thread%s, %d interleaved repetitions%s after %d warm-up%s, medians; %s, isa %s; FP32 FMA "
      "peak %.1f GFLOP/s on %d dedicated core%s (%.1f measured in wall time now); load average %.2f\n",
      args.threads, args.threads == 1 ? "" : "s", args.reps,
      args.warm_each ? " (each timed run right after an untimed one of the same engine)" : "", args.warmup,
      args.warmup == 1 ? "" : "s", m.cpu_model.c_str(), m.isa.c_str(), m.peak.gflops_cpu, args.threads,
      args.threads == 1 ? "" : "s", m.peak.gflops, m.load_start);
  std::fflush(stdout);

  TempDir tmp;
  std::vector<CaseResult> results;
  {
    Progress progress(*progress_mode, "bench", static_cast<int64_t>(cases->size()) * (args.reps + args.warmup));
    for (const BenchCase& c : *cases) {
      Result<CaseResult> r = run_case(c, args, tmp.path(), progress, ctx.cancel);
      if (!r.ok()) {
        progress.finish();
        const StatusCode code = r.status().code();
        if (code == StatusCode::kInvalidArgument || code == StatusCode::kNotFound) {
          return usage_error(r.status().message());
        }
        return report_error(r.status().with_context(c.name));
      }
      results.push_back(std::move(r).value());
    }
  }
  m.load_end = load_average();
  print_table(results, m);

  std::optional<TradeoffResult> tradeoff;
  if (!args.tradeoff.empty()) {
    Progress progress(*progress_mode, "tradeoff", static_cast<int64_t>(models::builtin_model_names().size()));
    Result<TradeoffResult> t = evaluate_tradeoff(args.data, args.threads, ctx.cancel, &progress);
    progress.finish();
    if (!t.ok()) return report_error(t.status());
    std::printf("\n%-20s %6s %10s %12s %10s %8s  (%s)\n", "model", "scale", "params", "GMACs@720p", "PSNR-Y", "SSIM-Y",
                t->dataset.c_str());
    for (const TradeoffPoint& p : t->points) {
      std::printf("%-20s %6d %10lld %12.3f %10.3f %8.4f\n", p.model.c_str(), p.scale, static_cast<long long>(p.params),
                  static_cast<double>(p.macs_720p) * 1e-9, p.mean.psnr_y, p.mean.ssim_y);
    }
    std::fflush(stdout);
    if (Status s = write_file_atomically(args.tradeoff, tradeoff_chart(*t).text); !s.ok()) return report_error(s);
    tradeoff = std::move(t).value();
  }
  if (!args.chart.empty()) {
    if (Status s = write_file_atomically(args.chart, time_chart(results, args, m).text); !s.ok()) {
      return report_error(s);
    }
  }
  if (!args.json.empty()) {
    nlohmann::json engines = nlohmann::json::object();
    engines[kLitesr] = {{"version", LITESR_VERSION}, {"isa", m.isa}};
#ifdef LITESR_HAVE_TRAIN
    engines[kLibtorch] = {{"compiled_in", true},
                          {"version", train::TorchGraphRunner::library_version()},
                          {"omp_wait_policy", std::getenv("OMP_WAIT_POLICY") ? std::getenv("OMP_WAIT_POLICY") : ""}};
#else
    engines[kLibtorch] = {{"compiled_in", false}};
#endif
#ifdef LITESR_HAVE_EXPORT
    std::string ort_version;
    for (const CaseResult& r : results) ort_version = r.ort_version.empty() ? ort_version : r.ort_version;
    engines[kOnnxruntime] = {{"compiled_in", true},
                             {"version", ort_version.empty() ? nlohmann::json(nullptr) : nlohmann::json(ort_version)},
                             {"runner", "node tools/ort_bench.js (onnxruntime-node)"}};
#else
    engines[kOnnxruntime] = {{"compiled_in", false}};
#endif
#ifdef LITESR_HAVE_GRAPH_PEERS
    // The in-process peers: the library version and how a run drives it (from the last case that built it).
    const auto graph_peer_json = [&](const char* engine, const std::string& version) {
      std::string api;
      for (const CaseResult& r : results) {
        const auto it = r.peer_description.find(engine);
        if (it != r.peer_description.end()) api = it->second;
      }
      return nlohmann::json{{"compiled_in", true},
                            {"version", version},
                            {"api", api.empty() ? nlohmann::json(nullptr) : nlohmann::json(api)}};
    };
#endif
#ifdef LITESR_HAVE_XNNPACK
    engines[kXnnpack] = graph_peer_json(kXnnpack, peers::xnnpack_version());
#else
    engines[kXnnpack] = {{"compiled_in", false}};
#endif
#ifdef LITESR_HAVE_DNNL
    engines[kOnednn] = graph_peer_json(kOnednn, peers::dnnl_version());
#else
    engines[kOnednn] = {{"compiled_in", false}};
#endif
    nlohmann::json j = {{"litesr_version", LITESR_VERSION},
                        {"machine",
                         {{"cpu_model", m.cpu_model},
                          {"logical_cpus", m.logical_cpus},
                          {"isa", m.isa},
                          {"load_average_start", round4(m.load_start)},
                          {"load_average_end", round4(m.load_end)}}},
                        {"threads", args.threads},
                        {"reps", args.reps},
                        {"warmup", args.warmup},
                        {"warm_each", args.warm_each},
                        {"peers", args.peers},
                        {"check_tolerance", kCheckTolerance},
                        {"int8_check_tolerance", kInt8CheckTolerance},
                        {"fma_peak_gflops", round4(m.peak.gflops_cpu)},
                        {"fma_peak_gflops_wall", round4(m.peak.gflops)},
                        {"engines", engines},
                        {"cases", nlohmann::json::array()}};
    for (const CaseResult& r : results) j["cases"].push_back(case_json(r, args, m));
    j["tradeoff"] = tradeoff ? tradeoff_json(*tradeoff) : nlohmann::json(nullptr);
    if (Status s = write_file_atomically(args.json, j.dump(2) + "\n"); !s.ok()) return report_error(s);
  }
  return kExitOk;
}

}  // namespace

void register_bench_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Time whole-model inference: LiteSR, and with --peers LibTorch, ONNX Runtime, XNNPACK and oneDNN on the same "
      "weights");
  cmd->add_option("--case", args->cases, "Benchmark case (repeatable; default: all): " + case_names());
  cmd->add_option("-n,--model", args->models,
                  "Also (or only) benchmark a model: built-in name or .safetensors, at a 1280x720 output");
  cmd->add_flag("--peers", args->peers, "Also run LibTorch, ONNX Runtime, XNNPACK and oneDNN (each when available)");
  cmd->add_option("-j,--threads", args->threads, "Threads of every engine (0 = one per core)")->capture_default_str();
  cmd->add_option("--reps", args->reps, "Timed interleaved repetitions per case")->capture_default_str();
  cmd->add_option("--warmup", args->warmup, "Untimed runs of each engine first")->capture_default_str();
  cmd->add_flag("--warm-each", args->warm_each,
                "Run each engine twice per repetition and time the second run (steady state, as in a folder or a "
                "video; without it each engine starts after the others' runs)");
  cmd->add_option("--input", args->input, "Override every case's LR input size, WIDTHxHEIGHT (quick checks)");
  cmd->add_option("--json", args->json, "Write the results as JSON to FILE");
  cmd->add_option("--chart", args->chart, "Write an SVG bar chart of ms per frame per engine and case");
  cmd->add_option("--tradeoff", args->tradeoff,
                  "Write an SVG of PSNR-Y vs MACs of every built-in model (needs --data)");
  cmd->add_option("--data", args->data, "SR dataset folder for --tradeoff (e.g. ../shared/data/sr_benchmark/Set5)");
  cmd->add_option("--progress", args->progress, "auto|bar|json|none (on stderr)")->capture_default_str();
  cmd->callback([args, &ctx] { ctx.exit_code = run_bench(*args, ctx); });
}

}  // namespace litesr::cli

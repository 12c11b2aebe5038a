// `litesr bench` results: the types a run produces and their reports (the table, the JSON, the SVG chart).
// cmd_bench.cpp runs the cases; this file only formats them (docs/benchmarks.md documents columns and keys).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/svg_chart.h"
#include "runtime/kernel_peak.h"

namespace litesr::cli {

constexpr const char* kLitesr = "litesr";
constexpr const char* kLibtorch = "libtorch";
constexpr const char* kOnnxruntime = "onnxruntime";
constexpr const char* kXnnpack = "xnnpack";  // XNNPACK's subgraph API in process (peers/xnnpack_peer.h)
constexpr const char* kOnednn = "onednn";    // oneDNN primitives in process (peers/dnnl_peer.h)
constexpr const char* kEngines[] = {kLitesr, kLibtorch, kOnnxruntime, kXnnpack, kOnednn};
constexpr const char* kPeers[] = {kLibtorch, kOnnxruntime, kXnnpack, kOnednn};
// Peer equality check: max |LiteSR u8 / 255 − clamp(peer f32, 0, 1)|. LiteSR rounds to u8 (<= 0.5/255) and
// the engines' f32 sums differ by ~1e-6, so this leaves a margin without letting another network through.
constexpr double kCheckTolerance = 1.0 / 255 + 1e-4;
// INT8 models against an INT8 peer (ONNX Runtime on the QDQ export): both compute the integer network, but ORT
// rounds each requantization once where TFLite's fixed point (LiteSR) rounds twice, and a one-step difference early
// grows through the layers (docs/quantization.md: up to 5 steps on photos; more where random-noise inputs saturate
// the calibrated ranges). 16 steps still tells a different network (off by far more) from the same one.
constexpr double kInt8CheckTolerance = 16.0 / 255;

struct BenchArgs {
  std::vector<std::string> cases;
  std::vector<std::string> models;
  bool peers = false;
  int threads = 2;
  int reps = 15;
  int warmup = 2;
  bool warm_each = false;  // an untimed run of the same engine right before each timed run
  std::string input;
  std::string json;
  std::string chart;
  std::string tradeoff;
  std::string data;
  std::string progress = "auto";
};

struct BenchCase {
  std::string name;
  std::string description;
  std::string model;  // built-in name or .safetensors path; "" = random weights only
  std::string arch;   // random-weight fallback (when `model` is not built in)
  std::string config;
  int width = 0, height = 0;  // LR size
};

// Per-engine timing of one case: per-frame milliseconds of every timed repetition.
struct EngineTimes {
  std::vector<double> ms;
  std::vector<double> cpu_ms;  // process CPU time (all threads); empty when not measured
};

struct CaseResult {
  BenchCase c;
  std::string weights;  // "shipped", "file", "random" or "none" (bicubic)
  std::string mode;     // "single_frame", "recurrent" or "frame_parallel"
  int frames = 1;       // frames per run: 1, or one window of a multi-frame model
  int scale = 1, out_width = 0, out_height = 0;
  int64_t macs_per_frame = 0;
  std::string litesr_path;
  std::string ort_version;                              // onnxruntime-node's, when its peer started
  std::map<std::string, std::string> peer_description;  // in-process peers that were built: how they run
  std::map<std::string, EngineTimes> times;             // engines that ran
  std::map<std::string, std::string> skipped;           // engine -> reason
  std::map<std::string, double> max_abs_diff;           // peer -> its equality check (peers that got that far)
};

struct MachineInfo {
  std::string cpu_model;
  int logical_cpus = 0;
  std::string isa;
  double load_start = -1, load_end = -1;
  FmaPeak peak;
};

// Rounds for JSON readability (4 decimals of a millisecond are plenty).
double round4(double v);

// One case's JSON object (per-engine medians, speed-ups, FMA peak fractions, the equality check).
nlohmann::json case_json(const CaseResult& r, const BenchArgs& args, const MachineInfo& m);
// The table on stdout (and the footnotes: skipped peers, the equality check).
void print_table(const std::vector<CaseResult>& results, const MachineInfo& m);
// Median ms per frame per engine, grouped by case.
Svg time_chart(const std::vector<CaseResult>& results, const BenchArgs& args, const MachineInfo& m);

}  // namespace litesr::cli

// litesr_bench_models: whole-model inference, LiteSR vs LibTorch, in one process on the same random weights.
//
// Usage: litesr_bench_models [threads (default 2)] [repetitions (default 15)] [case filter substring]
//
// Each case builds a model with models::make_random_model, runs it through a LiteSR Session (u8 HWC in,
// u8 HWC out: deinterleave, network, pixel shuffle, clamp, quantise) and through an equivalent LibTorch graph
// (train::TorchGraphRunner: the same Graph interpreted op by op with torch::nn::functional on the same
// tensors; f32 NCHW in, clamped f32 NCHW out, under InferenceMode). Both get the same thread count
// (SessionOptions.threads, torch::set_num_threads). Repetitions are interleaved (LiteSR, LibTorch, LiteSR, …)
// after warm-up, so background load hits both alike; the table reports medians.
//
// Columns: ms_per_frame per engine (median wall time / frames), speedup_vs_libtorch, LiteSR's achieved conv
// GFLOP/s (2 FLOPs per MAC, conv MACs only) and its fraction of the measured FP32 FMA peak (kernel_peak.h)
// for the same threads — per wall second, and per CPU second (CPU time of the process while LiteSR runs,
// robust to a loaded machine) — and the fps of LiteSR (wall, and CPU-time based: what `threads` dedicated
// cores would do). speedup cpu = LibTorch CPU time / LiteSR CPU time per frame. The process re-executes itself with
// OMP_WAIT_POLICY=PASSIVE unless the variable is set (LibTorch's spinning OpenMP workers would otherwise run
// during the LiteSR repetitions and be charged to them).
// Peak RSS against the output size is measured by litesr_bench_rss (no LibTorch in that process).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "models/registry.h"
#include "runtime/graph.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_peak.h"
#include "runtime/session.h"
#include "train/torch_graph_runner.h"

namespace litesr {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Conv multiply-accumulates per frame (conv2d, conv_transpose2d per input pixel, SE linears).
int64_t conv_macs(const Graph& g, int w, int h) {
  const auto shapes = *infer_shapes(g);
  int64_t macs = 0;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    const int64_t px = static_cast<int64_t>(w) * h * shapes[i].factor * shapes[i].factor;
    if (n.op == OpKind::kConv2d) {
      const int cin = shapes[n.inputs[0]].channels;
      macs += px * shapes[i].channels * (cin / n.groups) * n.kernel * n.kernel;
    } else if (n.op == OpKind::kConvTranspose2d) {
      const int f = shapes[n.inputs[0]].factor;
      const int64_t in_px = static_cast<int64_t>(w) * h * f * f;
      macs += in_px * shapes[n.inputs[0]].channels * shapes[i].channels * n.kernel * n.kernel;
    }
  }
  return macs;
}

struct Case {
  std::string name;
  std::string arch;
  std::string config;
  int w, h, frames;  // LR size; frames per repetition (LiteSR: one run each; LibTorch: one batch)
};

void run_case(const Case& c, int threads, int reps, const FmaPeak& peak) {
  const ModelFile model = *models::make_random_model(c.arch, 4, c.config, 1);
  Graph graph = *models::build_graph(model);
  graph.input_frames = 1;  // frame_parallel: the graph is one frame; frames are independent runs
  SessionOptions options;
  options.threads = threads;
  auto session = Session::create(graph, model.tensors, options);
  if (!session.ok()) {
    std::printf("%-28s LiteSR session failed: %s\n", c.name.c_str(), session.status().to_string().c_str());
    return;
  }
  const int s = session->scale();
  std::mt19937 rng(5);
  std::vector<uint8_t> lr(static_cast<std::size_t>(c.w) * c.h * 3 * c.frames);
  for (uint8_t& v : lr) v = static_cast<uint8_t>(rng() & 0xFF);
  std::vector<uint8_t> sr(static_cast<std::size_t>(c.w) * s * c.h * s * 3);
  auto run_litesr = [&] {
    for (int f = 0; f < c.frames; ++f) {
      ImageView<const uint8_t> in{lr.data() + static_cast<std::size_t>(f) * c.w * c.h * 3, c.w, c.h, 3,
                                  static_cast<std::ptrdiff_t>(c.w) * 3};
      ImageView<uint8_t> out{sr.data(), c.w * s, c.h * s, 3, static_cast<std::ptrdiff_t>(c.w) * s * 3};
      const Status st = session->run_u8(in, out);
      if (!st.ok()) std::printf("run failed: %s\n", st.to_string().c_str());
    }
  };
  auto torch_graph = train::TorchGraphRunner::create(graph, model.tensors, threads);
  if (!torch_graph.ok()) {
    std::printf("%-28s LibTorch runner failed: %s\n", c.name.c_str(), torch_graph.status().to_string().c_str());
    return;
  }
  std::vector<float> x(static_cast<std::size_t>(c.frames) * 3 * c.h * c.w);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (float& v : x) v = uniform(rng);
  auto run_torch = [&] {
    const Status st = (*torch_graph)->run(x.data(), c.frames, 3, c.h, c.w);
    if (!st.ok()) std::printf("LibTorch run failed: %s\n", st.to_string().c_str());
  };
  for (int i = 0; i < 2; ++i) {
    run_litesr();
    run_torch();
  }
  std::vector<double> ms_litesr, ms_torch, cpu_litesr, cpu_torch;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now_s(), c0 = cpu_s();
    run_litesr();
    const double t1 = now_s(), c1 = cpu_s();
    run_torch();
    const double t2 = now_s(), c2 = cpu_s();
    ms_litesr.push_back(1e3 * (t1 - t0) / c.frames);
    cpu_litesr.push_back(1e3 * (c1 - c0) / c.frames);
    ms_torch.push_back(1e3 * (t2 - t1) / c.frames);
    cpu_torch.push_back(1e3 * (c2 - c1) / c.frames);
  }
  const double lm = median(ms_litesr), tm = median(ms_torch), cm = median(cpu_litesr), ctm = median(cpu_torch);
  const double gflop = 2.0 * static_cast<double>(conv_macs(graph, c.w, c.h)) * 1e-9;
  const double gflops_wall = gflop / (lm * 1e-3);
  const double gflops_cpu = gflop / (cm * 1e-3);  // per CPU second: one dedicated core's rate
  const double frac_wall = gflops_wall / peak.gflops;
  const double frac_cpu = gflops_cpu / (peak.gflops_cpu / peak.threads);
  const char* mode = session->mode() == ExecutionMode::kFusedBands ? "fused" : "layer";
  std::printf("%-28s %-5s %7.2f %8.2f %7.2fx %7.2fx %7.1f %6.1f%% %6.1f%% %7.1f %7.1f  (min %.2f / %.2f)\n",
              c.name.c_str(), mode, lm, tm, tm / lm, ctm / cm, gflops_wall, 100.0 * frac_wall, 100.0 * frac_cpu, 1e3 / lm,
              1e3 * c.frames / (cm * c.frames / threads),
              *std::min_element(ms_litesr.begin(), ms_litesr.end()), *std::min_element(ms_torch.begin(), ms_torch.end()));
  std::fflush(stdout);
}

}  // namespace
}  // namespace litesr

int main(int argc, char** argv) {
  using namespace litesr;
  // LibTorch's OpenMP (libgomp) threads spin after each parallel region by default and would steal the CPUs
  // from the LiteSR repetition that follows; make them sleep instead. libgomp reads the variable when it is
  // loaded, so re-execute once with it set.
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);
  }
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 15;
  const std::string filter = argc > 3 ? argv[3] : "";
  const FmaPeak peak = measure_fma_peak(threads, 0.25);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("isa %s, threads %d (LiteSR and LibTorch %d), FMA peak %.1f GFLOP/s wall, %.1f per CPU-second "
              "per thread; load average %.1f; LibTorch %s, OMP_WAIT_POLICY=%s\n",
              active_isa().c_str(), threads, threads, peak.gflops, peak.gflops_cpu / threads, load[0],
              train::TorchGraphRunner::library_version().c_str(), std::getenv("OMP_WAIT_POLICY"));
  std::printf("%-28s %-5s %7s %8s %8s %8s %7s %7s %7s %7s %7s\n", "case", "path", "litesr", "libtorch", "speedup",
              "speedup", "GFLOP/s", "%peak", "%peak", "fps", "fps");
  std::printf("%-28s %-5s %7s %8s %8s %8s %7s %7s %7s %7s %7s\n", "", "", "ms/frm", "ms/frm", "wall", "cpu", "wall",
              "wall", "cpu", "wall", "cpu");
  const std::vector<Case> cases = {
      {"elsr_x4_320x180_to_720p", "elsr", R"({"scale": 4, "channels": 6})", 320, 180, 1},
      {"elsr_x4_960x540_to_4k", "elsr", R"({"scale": 4, "channels": 6})", 960, 540, 1},
      {"sam_sr_xlite_x4_256x256", "sam_sr",
       R"({"scale": 4, "nf": 16, "n": 8, "se": true, "bn": true, "bicubic_a": -0.5, "se_gate": "hard_sigmoid",
           "upsampler": "candidate_a"})",
       256, 256, 1},
      {"evsrnet_fp_10x320x180", "evsrnet", R"({"scale": 4, "nc": 8, "nb": 5, "frames": 10, "mode": "frame_parallel"})",
       320, 180, 10},
  };
  for (const Case& c : cases) {
    if (!filter.empty() && c.name.find(filter) == std::string::npos) continue;
    run_case(c, threads, c.w * c.h >= 500000 ? std::max(3, reps / 2) : reps, peak);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS of this process (both engines): %.1f MB\n", ru.ru_maxrss / 1024.0);
  return 0;
}

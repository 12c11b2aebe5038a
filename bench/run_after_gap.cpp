// litesr_bench_gap: what the work between two runs costs the next run. One shipped model, one upscaler
// (u8 RGB in and out, the path `litesr bench` times), one random LR frame; each round times one run after each
// of these gaps, in turn (so the machine's load hits every kind alike):
//   none    the previous run ended just before (back to back, what `litesr bench` without peers measures)
//   idle    every thread of the process slept gap_ms
//   spin    `threads` threads spun on the clock for gap_ms (registers only: no memory traffic)
//   stream  `threads` threads streamed over 64 MiB each for gap_ms (the caches filled with other data)
// A peer engine's repetition between two of LiteSR's (`litesr bench --peers`) is a gap of the spin / stream
// kind (~60-300 ms); a caller that upscales one camera frame every 33 ms gives an idle gap.
//
// Usage: litesr_bench_gap [model (default sam-sr-xlite-x4)] [threads (2)] [rounds (15)] [gap_ms (200)]
//                         [lr_width lr_height (320 180)]
// Prints the median and best ms per run after each gap, and the median's ratio to the back-to-back one.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "models/builtin_models.h"
#include "upscaler/model_upscaler.h"

namespace {

using Clock = std::chrono::steady_clock;

enum class Gap { kNone, kIdle, kSpin, kStream };
constexpr Gap kGaps[] = {Gap::kNone, Gap::kIdle, Gap::kSpin, Gap::kStream};
const char* gap_name(Gap g) {
  switch (g) {
    case Gap::kNone:
      return "none";
    case Gap::kIdle:
      return "idle";
    case Gap::kSpin:
      return "spin";
    case Gap::kStream:
      return "stream";
  }
  return "?";
}

// `threads` threads busy for `ms`: spinning on the clock, or reading and writing one byte per cache line of
// their own 64 MiB.
void busy(Gap g, int threads, int ms, std::vector<std::vector<char>>& buffers) {
  const auto until = Clock::now() + std::chrono::milliseconds(ms);
  auto body = [&](std::vector<char>* buf) {
    while (Clock::now() < until) {
      if (g != Gap::kStream) continue;
      for (std::size_t i = 0; i < buf->size(); i += 64) (*buf)[i] = static_cast<char>((*buf)[i] + 1);
    }
  };
  std::vector<std::thread> others;
  for (int t = 1; t < threads; ++t) others.emplace_back(body, &buffers[t]);
  body(&buffers[0]);
  for (std::thread& t : others) t.join();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace litesr;
  const std::string model = argc > 1 ? argv[1] : "sam-sr-xlite-x4";
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 15;
  const int gap_ms = argc > 4 ? std::atoi(argv[4]) : 200;
  const int w = argc > 6 ? std::atoi(argv[5]) : 320, h = argc > 6 ? std::atoi(argv[6]) : 180;
  if (threads < 1 || rounds < 1 || gap_ms < 0 || w < 1 || h < 1) {
    std::fprintf(stderr, "usage: litesr_bench_gap [model] [threads >= 1] [rounds >= 1] [gap_ms >= 0] [w h]\n");
    return 2;
  }
  Result<ModelFile> file = models::resolve_model(model);
  if (!file.ok()) {
    std::fprintf(stderr, "litesr_bench_gap: %s\n", file.status().to_string().c_str());
    return 1;
  }
  UpscalerOptions options;
  options.threads = threads;
  Result<ModelUpscaler> up = ModelUpscaler::open_model(*file, model, options);
  if (!up.ok()) {
    std::fprintf(stderr, "litesr_bench_gap: %s\n", up.status().to_string().c_str());
    return 1;
  }
  const int s = up->scale();
  std::vector<uint8_t> lr(static_cast<std::size_t>(w) * h * 3), sr(static_cast<std::size_t>(w) * s * h * s * 3);
  std::mt19937 rng(1);
  for (uint8_t& v : lr) v = static_cast<uint8_t>(rng() & 255);
  const ImageView<const uint8_t> in{lr.data(), w, h, 3, static_cast<std::ptrdiff_t>(w) * 3};
  const ImageView<uint8_t> out{sr.data(), w * s, h * s, 3, static_cast<std::ptrdiff_t>(w) * s * 3};
  auto run_ms = [&]() -> double {
    const auto t0 = Clock::now();
    const Status st = up->upscale_rgb8_into(in, out);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!st.ok()) {
      std::fprintf(stderr, "litesr_bench_gap: %s\n", st.to_string().c_str());
      std::exit(1);
    }
    return ms;
  };
  std::vector<std::vector<char>> buffers(threads, std::vector<char>(std::size_t{64} << 20, 1));
  for (int i = 0; i < 3; ++i) run_ms();  // warm-up

  std::vector<std::vector<double>> times(std::size(kGaps));
  for (int r = 0; r < rounds; ++r) {
    for (std::size_t g = 0; g < std::size(kGaps); ++g) {
      if (kGaps[g] == Gap::kIdle) std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms));
      if (kGaps[g] == Gap::kSpin || kGaps[g] == Gap::kStream) busy(kGaps[g], threads, gap_ms, buffers);
      if (kGaps[g] == Gap::kNone) run_ms();  // the previous run ends right before the timed one
      times[g].push_back(run_ms());
    }
  }
  std::printf("litesr_bench_gap: %s, %dx%d -> %dx%d, %d threads, %d rounds, gaps of %d ms\n", model.c_str(), w, h,
              w * s, h * s, threads, rounds, gap_ms);
  std::printf("%-8s %12s %10s %14s\n", "gap", "median ms", "best ms", "vs back to back");
  const double base = median(times[0]);
  for (std::size_t g = 0; g < std::size(kGaps); ++g) {
    const double m = median(times[g]);
    std::printf("%-8s %12.2f %10.2f %13.2fx\n", gap_name(kGaps[g]), m,
                *std::min_element(times[g].begin(), times[g].end()), m / base);
  }
  return 0;
}

// litesr_bench_rss: ELSR x4 960x540 -> 3840x2160 (u8 in, u8 out) on LiteSR alone (no LibTorch in the
// process), reporting fps and the process's peak RSS against the output image size.
//
// Usage: litesr_bench_rss [threads (default 2)] [frames (default 30)] [lr_width lr_height (default 960 540)]
// Prints: median / best ms per frame, fps, peak RSS (getrusage ru_maxrss), the RSS before the session was
// created (executable + libraries), the input and output image sizes, and peak RSS − output image.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <vector>

#include "models/registry.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/session.h"

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double max_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;  // KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  using namespace litesr;
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int frames = argc > 2 ? std::atoi(argv[2]) : 30;
  const int w = argc > 4 ? std::atoi(argv[3]) : 960, h = argc > 4 ? std::atoi(argv[4]) : 540, s = 4;
  const double rss_start = max_rss_mb();
  const ModelFile model = *models::make_random_model("elsr", s, R"({"scale": 4, "channels": 6})", 1);
  SessionOptions options;
  options.threads = threads;
  auto session = models::create_session(model, options);
  if (!session.ok()) {
    std::fprintf(stderr, "%s\n", session.status().to_string().c_str());
    return 1;
  }
  std::vector<uint8_t> lr(static_cast<std::size_t>(w) * h * 3);
  std::mt19937 rng(1);
  for (uint8_t& v : lr) v = static_cast<uint8_t>(rng() & 0xFF);
  std::vector<uint8_t> sr(static_cast<std::size_t>(w) * s * h * s * 3);
  const ImageView<const uint8_t> in{lr.data(), w, h, 3, static_cast<std::ptrdiff_t>(w) * 3};
  const ImageView<uint8_t> out{sr.data(), w * s, h * s, 3, static_cast<std::ptrdiff_t>(w) * s * 3};
  std::vector<double> ms, cpu_ms;
  for (int f = 0; f < frames + 2; ++f) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    if (!session->run_u8(in, out).ok()) return 1;
    const double c1 = cpu_seconds();
    const auto t1 = std::chrono::steady_clock::now();
    if (f >= 2) {
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      cpu_ms.push_back(1e3 * (c1 - c0));
    }
  }
  std::sort(cpu_ms.begin(), cpu_ms.end());
  std::sort(ms.begin(), ms.end());
  const double med = ms[ms.size() / 2];
  const double out_mb = static_cast<double>(sr.size()) / (1024.0 * 1024.0);
  const double in_mb = static_cast<double>(lr.size()) / (1024.0 * 1024.0);
  const double rss = max_rss_mb();
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("elsr_x4 %dx%d -> %dx%d u8, isa %s, threads %d, band rows %d, load average %.1f\n", w, h, w * s,
              h * s, active_isa().c_str(), session->threads(), session->band_rows(), load[0]);
  std::printf("ms_per_frame median %.2f best %.2f  fps %.1f (best %.1f)\n", med, ms.front(), 1e3 / med,
              1e3 / ms.front());
  // ELSR x4: 3402 MACs per LR pixel (docs/architectures.md), 2 FLOPs per MAC.
  const double gflop = 2.0 * 3402.0 * w * h * 1e-9;
  std::printf("cpu_ms_per_frame median %.2f (all threads)  GFLOP/s per CPU-second %.1f  -> on %d dedicated cores "
              "%.1f ms/frame, %.1f fps\n",
              cpu_ms[cpu_ms.size() / 2], gflop / (cpu_ms[cpu_ms.size() / 2] * 1e-3), threads,
              cpu_ms[cpu_ms.size() / 2] / threads, 1e3 * threads / cpu_ms[cpu_ms.size() / 2]);
  std::printf("peak_rss_mb %.1f  rss_before_session_mb %.1f  input_mb %.1f  output_mb %.1f  "
              "peak_rss_minus_output_mb %.1f\n",
              rss, rss_start, in_mb, out_mb, rss - out_mb);
  return 0;
}

// FP32 FMA peak measurement (kernel_peak.h), Highway, run-time dispatched.
#include "runtime/kernel_peak.h"

#include "runtime/kernel_targets.h"  // must precede the Highway headers

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <thread>
#include <vector>

#include "runtime/kernel_dispatch.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "runtime/kernel_peak.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "runtime/kernel_simd-inl.h"

HWY_BEFORE_NAMESPACE();
namespace litesr {
namespace HWY_NAMESPACE {

// Independent accumulator chains: >= FMA latency (4) x FMA ports (2), and within the registers.
inline constexpr int kChains = kVecRegs == 32 ? 20 : 12;

// Runs `iters` x kChains vector FMAs; returns FLOPs done (2 per lane per FMA). `sink` defeats DCE.
double fma_loop(int64_t iters, float* sink) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const V m = hn::Set(d, 0.9999999f), a = hn::Set(d, 1e-7f);
  V acc[kChains];
  unroll<kChains>([&](auto k) LITESR_INLINE_LAMBDA { acc[k] = hn::Set(d, static_cast<float>(k)); });
  for (int64_t it = 0; it < iters; ++it) {
    unroll<kChains>([&](auto k) LITESR_INLINE_LAMBDA { acc[k] = hn::MulAdd(acc[k], m, a); });
  }
  V sum = acc[0];
  unroll<kChains - 1>([&](auto k) LITESR_INLINE_LAMBDA { sum = hn::Add(sum, acc[k + 1]); });
  *sink = hn::GetLane(sum);
  return 2.0 * static_cast<double>(iters) * kChains * static_cast<double>(hn::Lanes(d));
}

int lanes_f32() { return static_cast<int>(hn::Lanes(hn::ScalableTag<float>())); }

}  // namespace HWY_NAMESPACE
}  // namespace litesr
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace litesr {

HWY_EXPORT(fma_loop);
HWY_EXPORT(lanes_f32);

FmaPeak measure_fma_peak(int threads, double min_seconds) {
  using Clock = std::chrono::steady_clock;
  threads = std::max(1, threads);
  float sink = 0.0f;
  // Calibrate on one thread: grow until a run takes >= 20 ms.
  int64_t iters = 1 << 16;
  for (;;) {
    const auto t0 = Clock::now();
    LITESR_DISPATCH(fma_loop)(iters, &sink);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s >= 0.02) {
      iters = static_cast<int64_t>(static_cast<double>(iters) * min_seconds / s) + 1;
      break;
    }
    iters *= 4;
  }
  // Best of 5 runs of min_seconds / 5 each: the peak is a maximum, and a shared machine only lowers it.
  iters = iters / 5 + 1;
  std::vector<float> sinks(static_cast<size_t>(threads));
  std::vector<double> flops(static_cast<size_t>(threads));
  double best_rate = 0.0, best_cpu_rate = 0.0, seconds = 0.0;
  for (int rep = 0; rep < 5; ++rep) {
    const std::clock_t c0 = std::clock();
    const auto t0 = Clock::now();
    std::vector<std::thread> pool;
    const KernelIsa isa = KernelIsa::current();  // the probe's threads run the caller's ISA
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        ThreadIsaScope scope(isa);
        flops[t] = LITESR_DISPATCH(fma_loop)(iters, &sinks[t]);
      });
    }
    for (std::thread& th : pool) th.join();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;  // all threads together
    double total = 0.0;
    for (double f : flops) total += f;
    if (cpu > 0.0) best_cpu_rate = std::max(best_cpu_rate, total / cpu * threads);
    if (total / s > best_rate) {
      best_rate = total / s;
      seconds = s;
    }
  }
  FmaPeak peak;
  peak.isa = active_isa();
  peak.threads = threads;
  peak.lanes = LITESR_DISPATCH(lanes_f32)();
  peak.gflops = best_rate * 1e-9;
  peak.gflops_cpu = best_cpu_rate * 1e-9;
  peak.seconds = seconds;
  return peak;
}

}  // namespace litesr
#endif  // HWY_ONCE

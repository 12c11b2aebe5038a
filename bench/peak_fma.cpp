// litesr_bench_peak: the machine's FP32 FMA peak per core and for N threads, for every ISA this CPU runs.
// Usage: litesr_bench_peak [threads] [seconds]   (threads default: hardware concurrency)
// Prints one line per (ISA, threads): GFLOP/s with an FMA counted as 2 FLOPs, per wall-clock second and
// per CPU second x threads (the latter is robust on a loaded machine).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_peak.h"

int main(int argc, char** argv) {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = argc > 1 ? std::atoi(argv[1]) : hw;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 0.5;
  std::printf("%-8s %7s %6s %12s %14s %16s\n", "isa", "threads", "lanes", "GFLOP/s", "GFLOP/s/thread",
              "GFLOP/s(cpu)");
  for (const std::string& isa : litesr::available_isas()) {
    const litesr::Result<litesr::KernelIsa> kernel_isa = litesr::KernelIsa::named(isa);
    if (!kernel_isa.ok()) continue;
    const litesr::ThreadIsaScope isa_scope(kernel_isa.value());
    for (int t : {1, threads}) {
      const litesr::FmaPeak p = litesr::measure_fma_peak(t, seconds);
      std::printf("%-8s %7d %6d %12.1f %14.1f %16.1f\n", p.isa.c_str(), p.threads, p.lanes, p.gflops,
                  p.gflops / t, p.gflops_cpu);
      if (threads == 1) break;
    }
  }
  return 0;
}

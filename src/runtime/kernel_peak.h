// The machine's FP32 FMA peak, measured (DESIGN §6: "measure against the physical limit").
//
// Each thread runs a register-resident loop of independent FMA chains (enough chains to cover FMA
// latency x FMA ports) at the ISA the kernels dispatch to (kernel_dispatch.h). One FMA counts as 2 FLOPs.
#pragma once

#include <string>

namespace litesr {

struct FmaPeak {
  std::string isa;       // Highway target that ran (e.g. "avx3")
  int threads = 1;       // concurrent threads (each runs the same loop)
  int lanes = 0;         // FP32 lanes per vector
  double gflops = 0.0;   // all threads together, 1 FMA = 2 FLOPs, per wall-clock second
  // The same per second of CPU time x threads: what `threads` dedicated cores would do. Use it on a
  // loaded machine (and to compare with CPU-time kernel rates, e.g. Google Benchmark's).
  double gflops_cpu = 0.0;
  double seconds = 0.0;  // wall time of the measured run
};

// Measures for about `min_seconds` (after a calibration run) and reports the best of 5 runs. threads >= 1.
FmaPeak measure_fma_peak(int threads = 1, double min_seconds = 0.25);

}  // namespace litesr

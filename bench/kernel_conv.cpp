// litesr_bench_kernels: GFLOP/s of the row kernels on ELSR / EVSRNet / SAM-SR shaped rows (width 320 and
// 1280), per ISA, and the fraction of this machine's measured single-thread FMA peak at that ISA.
// One iteration = one output row (all output channels); FLOPs = 2 * MACs (conv: 2 * cin * cout * k*k * width,
// the direct-convolution count also for the Winograd layers, so their rate can exceed the peak; `_direct`
// cases run the same layers as direct convolution). Rows stay hot in L1/L2, as in the fused band executor.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "runtime/kernel_conv.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_peak.h"
#include "runtime/kernel_pixel_shuffle.h"

namespace {

using namespace litesr;

// Rows of `count` channels with a zero halo, laid out as recommended in kernel_conv.h: x = 0 of every
// row 64-byte aligned, rows width + 2 (rounded up) apart; ptrs[i] addresses x = 0.
struct Rows {
  Rows(int count, int width, std::mt19937& rng) : stride(((width + 2 + 15) / 16) * 16 + 16) {
    data.assign(static_cast<size_t>(count) * stride + 32, 0.0f);
    const size_t misalign = (reinterpret_cast<uintptr_t>(data.data()) / sizeof(float)) % 16;
    const size_t base = (16 - misalign) % 16 + 16;  // x = 0 at a 64-byte boundary, >= 1 halo float before
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (int i = 0; i < count; ++i) {
      float* p = &data[base + i * stride];
      for (int x = 0; x < width; ++x) p[x] = u(rng);
      ptrs.push_back(p);
    }
  }
  size_t stride;
  std::vector<float> data;
  std::vector<float*> ptrs;
};

std::map<std::string, double>& peaks() {
  static std::map<std::string, double> p;
  return p;
}

double peak_for(const std::string& isa) {
  auto it = peaks().find(isa);
  if (it != peaks().end()) return it->second;
  const double g = measure_fma_peak(1, 0.3).gflops_cpu;  // CPU time, like the kernel rates below
  peaks()[isa] = g;
  return g;
}

// k3x3Direct: the same conv3x3 with its Winograd weights dropped, so it runs as direct convolution (the
// A/B for the shapes packed as Winograd F(4,3): cin <= 8, cout >= 16; kernel_conv.h).
enum class Op { k3x3, k3x3Direct, k1x1, kDw, kShuffleU8 };

void run_case(benchmark::State& state, const std::string& isa, Op op, int cin, int cout, int width,
              Activation act, bool residual) {
  const Result<KernelIsa> kernel_isa = KernelIsa::named(isa);
  if (!kernel_isa.ok()) {
    state.SkipWithError("ISA not available");
    return;
  }
  const ThreadIsaScope isa_scope(kernel_isa.value());
  const double peak = peak_for(isa);
  std::mt19937 rng(42);
  const size_t wcin = op == Op::kDw ? 1 : static_cast<size_t>(cin);
  std::vector<float> wts(wcin * cout * (op == Op::k1x1 ? 1 : 9));
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  for (float& v : wts) v = u(rng);
  std::vector<float> bias(cout, 0.1f), slopes(cout, 0.25f);
  const int in_count = op == Op::k1x1 ? cin : (op == Op::kShuffleU8 ? cin : cin * 3);
  Rows in(in_count, width, rng), out(cout, width, rng), res(cout, width, rng);
  std::vector<const float*> in_ptrs(in.ptrs.begin(), in.ptrs.end());
  std::vector<const float*> res_ptrs(res.ptrs.begin(), res.ptrs.end());
  Epilogue ep;
  ep.bias = bias.data();
  ep.activation = act;
  ep.slope = 0.2f;
  ep.slopes = slopes.data();
  ep.residual = residual ? res_ptrs.data() : nullptr;
  double flops_per_row = 0.0;
  if (op == Op::kShuffleU8) {
    const int s = 4;  // cin = 3 * s * s = 48 conv outputs -> 4 HR rows of width*4 RGB pixels
    std::vector<std::vector<uint8_t>> hr(s, std::vector<uint8_t>(static_cast<size_t>(width) * s * 3));
    std::vector<uint8_t*> hr_ptrs;
    for (auto& r : hr) hr_ptrs.push_back(r.data());
    for (auto _ : state) {
      pixel_shuffle_store_u8_rows(in_ptrs.data(), width, s, nullptr, hr_ptrs.data());
      benchmark::DoNotOptimize(hr_ptrs[0][0]);
    }
    state.counters["Mpx_out/s"] =
        benchmark::Counter(static_cast<double>(width) * s * s * 1e-6, benchmark::Counter::kIsIterationInvariantRate);
    return;
  }
  const bool dense3x3 = op == Op::k3x3 || op == Op::k3x3Direct;
  PackedConv w = dense3x3         ? pack_conv3x3_f32(wts, cin, cout).value()
                 : op == Op::k1x1 ? pack_conv1x1_f32(wts, cin, cout).value()
                                  : pack_dwconv3x3_f32(wts, cout).value();
  if (op == Op::k3x3Direct) w.winograd.clear();
  flops_per_row = 2.0 * width * (op == Op::kDw ? 9.0 * cout : (op == Op::k1x1 ? 1.0 : 9.0) * cin * cout);
  for (auto _ : state) {
    if (dense3x3) conv3x3_f32_rows(w, in_ptrs.data(), width, ep, out.ptrs.data());
    else if (op == Op::k1x1) conv1x1_f32_rows(w, in_ptrs.data(), width, ep, out.ptrs.data());
    else dwconv3x3_f32_rows(w, in_ptrs.data(), width, ep, out.ptrs.data());
    benchmark::DoNotOptimize(out.ptrs[0][0]);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops_per_row * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_GFLOP/s"] = peak;
  // Fraction of the single-thread peak at this ISA (both in CPU time).
  state.counters["frac_peak"] = benchmark::Counter(flops_per_row * 1e-9 / peak,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

struct Case {
  const char* name;
  Op op;
  int cin, cout;
  Activation act;
  bool residual;
};

const Case kCases[] = {
    {"elsr_conv1_3x3_3to6", Op::k3x3, 3, 6, Activation::kNone, false},
    {"elsr_conv2_3x3_6to6_prelu", Op::k3x3, 6, 6, Activation::kPrelu, false},
    {"elsr_conv3_3x3_6to6_res", Op::k3x3, 6, 6, Activation::kNone, true},
    {"elsr_x2_conv4_3x3_6to12", Op::k3x3, 6, 12, Activation::kNone, false},
    {"elsr_x3_conv4_3x3_6to27", Op::k3x3, 6, 27, Activation::kNone, false},
    {"elsr_x4_conv4_3x3_6to48", Op::k3x3, 6, 48, Activation::kNone, false},
    {"elsr_x4_conv4_3x3_6to48_direct", Op::k3x3Direct, 6, 48, Activation::kNone, false},
    {"evsr_head_3x3_3to8_relu", Op::k3x3, 3, 8, Activation::kRelu, false},
    {"evsr_body_3x3_8to8_relu", Op::k3x3, 8, 8, Activation::kRelu, false},
    {"evsr_tail_3x3_8to48", Op::k3x3, 8, 48, Activation::kNone, false},
    {"evsr_tail_3x3_8to48_direct", Op::k3x3Direct, 8, 48, Activation::kNone, false},
    {"evsr_rhead_3x3_62to8_relu", Op::k3x3, 62, 8, Activation::kRelu, false},
    {"samsr_1x1_16to32_lrelu", Op::k1x1, 16, 32, Activation::kLeakyRelu, false},
    {"samsr_1x1_32to16_res", Op::k1x1, 32, 16, Activation::kNone, true},
    {"samsr_1x1_72to144_lrelu", Op::k1x1, 72, 144, Activation::kLeakyRelu, false},
    {"samsr_1x1_144to72_res", Op::k1x1, 144, 72, Activation::kNone, true},
    {"samsr_dw3x3_32_lrelu", Op::kDw, 32, 32, Activation::kLeakyRelu, false},
    {"samsr_dw3x3_144_lrelu", Op::kDw, 144, 144, Activation::kLeakyRelu, false},
    {"samsr_up_1x1_16to8", Op::k1x1, 16, 8, Activation::kNone, false},
    {"samsr_up_dw3x3_8", Op::kDw, 8, 8, Activation::kNone, false},
    {"samsr_up_1x1_8to32_lrelu", Op::k1x1, 8, 32, Activation::kLeakyRelu, false},
    {"samsr_up_1x1_8to8", Op::k1x1, 8, 8, Activation::kNone, false},
    {"samsr_up_1x1_8to3", Op::k1x1, 8, 3, Activation::kNone, false},
    {"pixel_shuffle_u8_x4", Op::kShuffleU8, 48, 48, Activation::kNone, false},
};

}  // namespace

int main(int argc, char** argv) {
  for (const std::string& isa : available_isas()) {
    for (const Case& c : kCases) {
      for (int width : {320, 1280}) {
        const std::string name = std::string(c.name) + "/" + isa + "/w" + std::to_string(width);
        benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) {
          run_case(st, isa, c.op, c.cin, c.cout, width, c.act, c.residual);
        });
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

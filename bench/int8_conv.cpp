// litesr_bench_int8_conv: the INT8 3x3 and 1x1 conv row kernels (runtime/kernel_conv3x3_int8.h) against the FP32 row
// kernels (runtime/kernel_conv.h, Winograd where it packs the shape as Winograd) on the same shapes, one thread, rows
// hot in L1/L2 as in the band executors. Shapes: ELSR's four convs (3->6, 6->6, 6->48), a SAM-SR body width (16->16)
// and EVSRNet's (32->32), SAM-SR XLITE's 1x1 expand (16->32) and project (32->16) and its depthwise 3x3 (32 channels),
// at widths 320 and 960; outputs at zero point 3 (mid-range, as most layers: the requantization's negative branch is
// live). Protocol: the two kernels alternate in 7 rounds of 400 rows each (interleaved, so background load hits both);
// the median ns per row of each and their ratio are printed; on AVX-512 and AVX2 the same for the int8 kernel with the
// integer requantization against its float form (quant/float_requantization.h); then each int8 path this CPU runs
// (avx512vnni, avxvnni, avx2, scalar) once, against the float kernel at the same width. MAC rates count
// direct-convolution MACs (C·O·k² per pixel) for both kernels.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "quant/fixed_point.h"
#include "runtime/kernel_conv.h"
#include "runtime/kernel_conv3x3_int8.h"
#include "runtime/kernel_dispatch.h"

namespace {

using namespace litesr;
using Clock = std::chrono::steady_clock;

constexpr int kRounds = 7;
constexpr int kRowsPerRound = 400;

template <typename T>
struct Rows {  // count rows of `width` samples, 64 zero-point samples each side, x = 0 at ptrs[i]
  Rows(int count, int width, T fill) : stride(width + 128) {
    data.assign(static_cast<std::size_t>(count) * stride, fill);
    for (int i = 0; i < count; ++i) ptrs.push_back(data.data() + static_cast<std::size_t>(i) * stride + 64);
  }
  std::size_t stride;
  std::vector<T> data;
  std::vector<T*> ptrs;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class F>
double ns_per_row(F&& body, int rows = kRowsPerRound) {
  const auto t0 = Clock::now();
  for (int i = 0; i < rows; ++i) body();
  return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / rows;
}

// Median ns per row of `a` and of `b`, run once each first, then alternated in kRounds rounds.
template <class A, class B>
std::pair<double, double> interleaved_medians(A&& a, B&& b) {
  a();
  b();
  std::vector<double> ta, tb;
  for (int round = 0; round < kRounds; ++round) {
    ta.push_back(ns_per_row(a));
    tb.push_back(ns_per_row(b));
  }
  return {median(ta), median(tb)};
}

void run_shape(const char* name, int kernel, int cin, int cout, int width) {
  const int taps = kernel * kernel;  // 9 or 1
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> w8(-40, 40), q8(-128, 127);
  std::uniform_real_distribution<float> uf(-1.0f, 1.0f);
  std::vector<int8_t> weight(static_cast<std::size_t>(cout) * cin * taps);
  for (int8_t& v : weight) v = static_cast<int8_t>(w8(rng));
  std::vector<int32_t> bias(cout);
  for (int32_t& b : bias) b = w8(rng) * 50;
  std::vector<QuantizedMultiplier> m(cout, quantize_multiplier(0.0021));
  const int32_t zp_in = 11;
  const auto pack8 = kernel == 3 ? pack_conv3x3_int8 : pack_conv1x1_int8;
  const PackedConvInt8 p8 = pack8(weight, bias, cin, cout, zp_in, m, 3, ActivationRange{}).value();
  const int in_rows = kernel == 3 ? cin * 3 : cin;  // kernel_conv3x3_int8.h: C·3 rows (3x3) or C rows (1x1)
  Rows<int8_t> in8(in_rows, width, static_cast<int8_t>(zp_in)), out8(cout, width, 0);
  for (int8_t* r : in8.ptrs) {
    for (int x = 0; x < width; ++x) r[x] = static_cast<int8_t>(q8(rng));
  }
  std::vector<const int8_t*> rows8(in8.ptrs.begin(), in8.ptrs.end());

  std::vector<float> wf(weight.size()), bf(cout);
  for (float& v : wf) v = uf(rng) * 0.2f;
  for (float& v : bf) v = uf(rng);
  const PackedConv pf = (kernel == 3 ? pack_conv3x3_f32 : pack_conv1x1_f32)(wf, cin, cout).value();
  Rows<float> inf(in_rows, width, 0.0f), outf(cout, width, 0.0f);
  for (float* r : inf.ptrs) {
    for (int x = 0; x < width; ++x) r[x] = uf(rng);
  }
  std::vector<const float*> rowsf(inf.ptrs.begin(), inf.ptrs.end());
  Epilogue ep;
  ep.bias = bf.data();
  ep.activation = Activation::kRelu;

  const auto int8_rows_on = kernel == 3 ? conv3x3_int8_rows_on : conv1x1_int8_rows_on;
  auto float_row = [&] { conv_f32_rows(pf, rowsf.data(), width, ep, outf.ptrs.data()); };
  Int8ConvPath path = Int8ConvPath::kScalar;
  auto int8_row = [&] {
    path = (kernel == 3 ? conv3x3_int8_rows : conv1x1_int8_rows)(p8, rows8.data(), width, out8.ptrs.data());
  };
  const auto [nf, n8] = interleaved_medians(float_row, int8_row);
  const double macs = static_cast<double>(cin) * cout * taps * width;
  std::printf("%-12s C=%-2d O=%-2d W=%-4d  fp32 [%s, %s] %8.0f ns %6.1f GMAC/s | int8 [%s] %8.0f ns %6.1f GMAC/s | "
              "int8 speedup %.2fx\n",
              name, cin, cout, width, active_isa().c_str(), pf.winograd.empty() ? "direct" : "winograd", nf, macs / nf,
              std::string(int8_path_name(path)).c_str(), n8, macs / n8, nf / n8);
  for (Int8ConvPath simd : {Int8ConvPath::kAvx512Vnni, Int8ConvPath::kAvx2}) {
    if (!int8_path_supported(simd) || p8.float_requant.empty()) continue;
    // The SIMD epilogue with and without the float form of the requantization (the same kernel otherwise).
    PackedConvInt8 pi = p8;
    pi.float_requant.clear();
    const auto [ni, nt] = interleaved_medians([&] { int8_rows_on(simd, pi, rows8.data(), width, out8.ptrs.data()); },
                                              [&] { int8_rows_on(simd, p8, rows8.data(), width, out8.ptrs.data()); });
    std::printf("%-12s %25s int8 [%s] %8.0f ns with the integer requantization, %.0f ns with its float form: %.2fx\n",
                "", "", std::string(int8_path_name(simd)).c_str(), ni, nt, ni / nt);
  }
  for (Int8ConvPath other : {Int8ConvPath::kAvx512Vnni, Int8ConvPath::kAvxVnni, Int8ConvPath::kAvx2,
                             Int8ConvPath::kScalar}) {
    if (other == path || !int8_path_supported(other)) continue;
    const int rows = other == Int8ConvPath::kScalar ? kRowsPerRound / 20 : kRowsPerRound;
    const double n = ns_per_row([&] { int8_rows_on(other, p8, rows8.data(), width, out8.ptrs.data()); }, rows);
    std::printf("%-12s %25s int8 [%s] %8.0f ns %6.1f GMAC/s (fp32 %.2fx of it)\n", "", "",
                std::string(int8_path_name(other)).c_str(), n, macs / n, nf / n);
  }
}

// A depthwise 3x3 conv (depthwise3x3_int8_rows: C one-channel convs) against the float depthwise kernel.
void run_depthwise(const char* name, int channels, int width) {
  std::mt19937 rng(9);
  std::uniform_int_distribution<int> w8(-100, 100), q8(-128, 127);
  std::uniform_real_distribution<float> uf(-1.0f, 1.0f);
  std::vector<PackedConvInt8> per_channel;
  for (int c = 0; c < channels; ++c) {
    std::vector<int8_t> weight(9);
    for (int8_t& v : weight) v = static_cast<int8_t>(w8(rng));
    const std::vector<int32_t> bias = {w8(rng) * 50};
    const std::vector<QuantizedMultiplier> m = {quantize_multiplier(0.0037)};
    per_channel.push_back(pack_conv3x3_int8(weight, bias, 1, 1, 5, m, -3, ActivationRange{}).value());
  }
  Rows<int8_t> in8(channels * 3, width, 5), out8(channels, width, 0);
  for (int8_t* r : in8.ptrs) {
    for (int x = 0; x < width; ++x) r[x] = static_cast<int8_t>(q8(rng));
  }
  std::vector<float> wf(static_cast<std::size_t>(channels) * 9), bf(channels);
  for (float& v : wf) v = uf(rng) * 0.3f;
  for (float& v : bf) v = uf(rng);
  const PackedConv pf = pack_dwconv3x3_f32(wf, channels).value();
  Rows<float> inf(channels * 3, width, 0.0f), outf(channels, width, 0.0f);
  for (float* r : inf.ptrs) {
    for (int x = 0; x < width; ++x) r[x] = uf(rng);
  }
  std::vector<const float*> rowsf(inf.ptrs.begin(), inf.ptrs.end());
  Epilogue ep;
  ep.bias = bf.data();
  auto float_row = [&] { conv_f32_rows(pf, rowsf.data(), width, ep, outf.ptrs.data()); };
  std::vector<const int8_t*> rows8(in8.ptrs.begin(), in8.ptrs.end());
  auto int8_row = [&] { depthwise3x3_int8_rows(per_channel, rows8.data(), width, out8.ptrs.data()); };
  const auto [nf, n8] = interleaved_medians(float_row, int8_row);
  const double macs = 9.0 * channels * width;
  std::printf(
      "%-12s C=%-2d dw  W=%-4d  fp32 [%s]            %8.0f ns %6.1f GMAC/s | int8 [%s] %8.0f ns %6.1f GMAC/s | "
      "int8 speedup %.2fx\n",
      name, channels, width, active_isa().c_str(), nf, macs / nf,
      std::string(int8_path_name(thread_int8_path())).c_str(), n8, macs / n8, nf / n8);
}

}  // namespace

int main() {
  std::printf("litesr_bench_int8_conv: one thread, median of %d interleaved rounds of %d rows\n", kRounds,
              kRowsPerRound);
  for (int width : {320, 960}) {
    run_shape("elsr conv1", 3, 3, 6, width);
    run_shape("elsr conv2", 3, 6, 6, width);
    run_shape("elsr conv4", 3, 6, 48, width);
    run_shape("sam-sr body", 3, 16, 16, width);
    run_shape("evsrnet", 3, 32, 32, width);
    run_shape("sam-sr 1x1 e", 1, 16, 32, width);  // expand
    run_shape("sam-sr 1x1 p", 1, 32, 16, width);  // project
    run_depthwise("sam-sr dw", 32, width);
  }
  return 0;
}

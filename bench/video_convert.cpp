// litesr_bench_video_convert: the video pipeline's frame conversions (video/frame_converter.h), R'G'B' f32 ->
// planar Y'CbCr (RgbToFrame, `from_rgb` in `litesr video --benchmark`) and back (FrameToRgb, `to_rgb`), for
// 4:2:0 / 4:4:4, 8 and 10 bits, at 1280x720 and 320x180, with each compiled copy of the row loops (`best`:
// AVX2 where the CPU has it, `baseline`: the build's ISA). One iteration = one frame; the `time_per_px`
// counter is seconds per pixel (1.2n = 1.2 ns). The frame and the R'G'B' image are reused, so a 720p
// R'G'B' image (11 MB) is read from L3 or memory while 320x180 stays in L2.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>
#include <utility>

#include "video/frame_converter.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace {

using namespace litesr;
using namespace litesr::video_detail;

struct Case {
  Image rgb;
  FramePtr frame;
};

Case make_case(AVPixelFormat fmt, int w, int h) {
  Case c{Image::create(w, h, 3, PixelType::kF32).value(), make_frame()};
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> value(0.0f, 1.0f);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < 3 * w; ++x) c.rgb.view<float>().row(y)[x] = value(rng);
  c.frame->format = fmt;
  c.frame->width = w;
  c.frame->height = h;
  if (av_frame_get_buffer(c.frame.get(), 0) < 0) std::abort();
  return c;
}

void per_pixel(benchmark::State& state, int w, int h) {
  state.counters["time_per_px"] = benchmark::Counter(
      static_cast<double>(w) * h, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void from_rgb(benchmark::State& state, AVPixelFormat fmt, int w, int h, RowKernels kernels, int threads) {
  Case c = make_case(fmt, w, h);
  const FrameColor color;
  RgbToFrame convert(kernels);
  for (auto _ : state) {
    if (!convert.convert(std::as_const(c.rgb).view<float>(), color, *c.frame, threads).ok())
      state.SkipWithError("convert");
    benchmark::DoNotOptimize(c.frame->data[0][0]);
  }
  per_pixel(state, w, h);
}

void to_rgb(benchmark::State& state, AVPixelFormat fmt, int w, int h, RowKernels kernels) {
  Case c = make_case(fmt, w, h);
  const FrameColor color;
  RgbToFrame encode;
  if (!encode.convert(std::as_const(c.rgb).view<float>(), color, *c.frame).ok()) std::abort();
  FrameToRgb convert(kernels);
  for (auto _ : state) {
    if (!convert.convert(*c.frame, color, c.rgb.view<float>()).ok()) state.SkipWithError("convert");
    benchmark::DoNotOptimize(c.rgb.view<float>().row(0)[0]);
  }
  per_pixel(state, w, h);
}

const bool kRegistered = [] {
  for (AVPixelFormat fmt : {AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV420P10LE})
    for (auto [w, h] : {std::pair{1280, 720}, std::pair{320, 180}})
      for (RowKernels k : {RowKernels::kBest, RowKernels::kBaseline}) {
        const std::string suffix = std::string(av_get_pix_fmt_name(fmt)) + "/" + std::to_string(w) + "x" +
                                   std::to_string(h) + (k == RowKernels::kBest ? "/best" : "/baseline");
        benchmark::RegisterBenchmark(("from_rgb/" + suffix).c_str(), from_rgb, fmt, w, h, k, 1);
        if (k == RowKernels::kBest)  // the video pipeline's: every core (real time, the helper threads' work)
          benchmark::RegisterBenchmark(("from_rgb/" + suffix + "/2_threads").c_str(), from_rgb, fmt, w, h, k, 2)
              ->UseRealTime();
        benchmark::RegisterBenchmark(("to_rgb/" + suffix).c_str(), to_rgb, fmt, w, h, k);
      }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();

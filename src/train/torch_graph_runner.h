// TorchGraphRunner: a runtime Graph executed op by op with LibTorch functional ops — the LibTorch peer of
// `litesr bench` and bench/litesr_bench_models (docs/benchmarks.md). This header does not include LibTorch.
//
// Tensors: input x is float32 NCHW [N, C, H, W] (N = a batch, e.g. the frames of a frame-parallel video
// model whose graph runs one frame); output is float32 NCHW [N, C', s·H, s·W], clamped to [0, 1]. The weights
// are copied once at create(). run() executes under torch::InferenceMode, one functional op per node:
//   conv2d / conv_transpose2d -> F::conv2d / F::conv_transpose2d (stride, padding, groups)
//   relu / leaky_relu / prelu / tanh / sigmoid; batch_norm -> F::batch_norm (eval)
//   squeeze_excite -> mean (+ std for SePool::kMeanStd), linear, relu, linear, hardsigmoid | sigmoid, mul
//   add / mul / concat / slice / max_pool2d / pixel_shuffle
//   bicubic_upsample -> F::interpolate(bicubic, a = −0.75) for both kinds (MATLAB's a = −0.5 has the same
//   cost, so timings compare; values differ slightly); bilinear_upsample / bilinear_resize -> bilinear
// Graphs with several inputs (recurrent video steps) are kUnsupported. Threads: create() calls
// torch::set_num_threads(threads), which is process-wide in LibTorch (the last runner created wins).
#pragma once

#include <array>
#include <memory>
#include <string>

#include "base/status.h"
#include "runtime/graph.h"
#include "runtime/tensor.h"

namespace litesr::train {

class TorchGraphRunner {
 public:
  ~TorchGraphRunner();
  TorchGraphRunner(const TorchGraphRunner&) = delete;
  TorchGraphRunner& operator=(const TorchGraphRunner&) = delete;

  // threads >= 1 sets LibTorch's intra-op thread count; 0 leaves it. validate_graph errors (kInvalidArgument:
  // a missing or misshapen tensor); kUnsupported for a graph with several inputs.
  static Result<std::unique_ptr<TorchGraphRunner>> create(const Graph& graph, const TensorMap& tensors, int threads);

  // One forward pass of `nchw` ([n, c, h, w], not copied; must stay valid during the call). The result is
  // kept inside the runner (see output_shape()) and copied to `out` when it is not null (n·C'·s·h·s·w floats).
  // LibTorch exceptions come back as kInternal with their message.
  Status run(const float* nchw, int n, int c, int h, int w, float* out = nullptr);

  // [N, C', H', W'] of the last run (zeros before the first).
  std::array<int64_t, 4> output_shape() const;

  // LibTorch's version string (TORCH_VERSION) and its current intra-op thread count.
  static std::string library_version();
  static int library_threads();

 private:
  struct Impl;
  explicit TorchGraphRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace litesr::train

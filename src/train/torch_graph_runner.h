// TorchGraphRunner: a runtime Graph executed op by op with LibTorch functional ops — the LibTorch peer of
// `litesr bench` and bench/litesr_bench_models (docs/benchmarks.md). This header does not include LibTorch.
//
// Tensors: graph input k is float32 NCHW [N, C_k, H, W] (N = a batch, e.g. the frames of a frame-parallel
// video model whose graph runs one frame); output 0 is float32 NCHW [N, C', s·H, s·W], clamped to [0, 1];
// further outputs (a recurrent step's state maps) are returned as computed, never clamped. The weights are
// copied once at create(). Every run executes under torch::InferenceMode, one functional op per node:
//   conv2d / conv_transpose2d -> F::conv2d / F::conv_transpose2d (stride, padding, groups)
//   relu / leaky_relu / prelu / tanh / sigmoid; batch_norm -> F::batch_norm (eval)
//   squeeze_excite -> mean (+ std for SePool::kMeanStd), linear, relu, linear, hardsigmoid | sigmoid, mul
//   add / mul / concat / slice / max_pool2d / pixel_shuffle
//   bicubic_upsample kPytorch -> F::interpolate(bicubic, a = −0.75, align_corners false);
//                    kMatlab  -> the runtime's BicubicTable taps (a = −0.5, symmetric borders) as index_select
//                                + weighted sum per axis, rows then columns (the reference executor's order)
//   bilinear_upsample / bilinear_resize -> F::interpolate(bilinear)
// Recurrent steps (runtime/multi_frame_session.h contract: inputs x_prev, x_t, state_1..k; outputs frame,
// state_1'..k') run one window at a time with run_window(), the state outputs fed back as tensors (no
// copies), exactly as MultiFrameSession feeds them. Threads: create() calls torch::set_num_threads(threads),
// which is process-wide in LibTorch (the last runner created wins).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "base/status.h"
#include "runtime/graph.h"
#include "runtime/tensor.h"

namespace litesr::train {

// One graph input: float32 NCHW [n, c, h, w], not copied (must stay valid during the run).
struct TorchInput {
  const float* data = nullptr;
  int n = 0, c = 0, h = 0, w = 0;
};

class TorchGraphRunner {
 public:
  ~TorchGraphRunner();
  TorchGraphRunner(const TorchGraphRunner&) = delete;
  TorchGraphRunner& operator=(const TorchGraphRunner&) = delete;

  // threads >= 1 sets LibTorch's intra-op thread count; 0 leaves it. validate_graph errors (kInvalidArgument:
  // a missing or misshapen tensor, a malformed graph); kUnsupported for a graph without inputs or outputs.
  static Result<std::unique_ptr<TorchGraphRunner>> create(const Graph& graph, const TensorMap& tensors, int threads);

  int num_inputs() const;
  int num_outputs() const;

  // One forward pass of a single-input graph on `nchw` ([n, c, h, w]). Output 0 is copied to `out` when it is
  // not null (n·C'·s·h·s·w floats); every output stays inside the runner (output_shape / copy_output).
  // kInvalidArgument for an empty input or a graph with several inputs; LibTorch exceptions come back as
  // kInternal with their message.
  Status run(const float* nchw, int n, int c, int h, int w, float* out = nullptr);

  // One forward pass with one buffer per graph input, in Graph::inputs order (channels must match the input
  // nodes'). Outputs are kept: output_shape(k) / copy_output(k).
  Status run(std::span<const TorchInput> inputs);

  // One window of the recurrent step contract: `frames` is float32 [t, c, h, w] (t >= 1 frames of one
  // window). Step i feeds x_prev = frame max(i − 1, 0), x_t = frame i, and state input 2 + j = output 1 + j of
  // step i − 1 (zeros [1, C, h, w] at i = 0). After each step, `on_frame(i, data)` (when set) sees output 0 of
  // that step ([1, C', s·h, s·w] float32, valid during the call). The outputs of the last step are kept.
  // kUnsupported unless the graph has that contract (>= 2 inputs, inputs − 1 outputs, state channels match).
  Status run_window(const float* frames, int t, int c, int h, int w,
                    const std::function<void(int step, const float* frame)>& on_frame = {});

  // [N, C', H', W'] of output k of the last run (zeros before the first, or for k out of range).
  std::array<int64_t, 4> output_shape(int k = 0) const;
  // Copies output k of the last run (numel of output_shape(k) floats). kInvalidArgument before a run or
  // for k out of range.
  Status copy_output(int k, float* out) const;

  // LibTorch's version string (TORCH_VERSION) and its current intra-op thread count.
  static std::string library_version();
  static int library_threads();

 private:
  struct Impl;
  explicit TorchGraphRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace litesr::train

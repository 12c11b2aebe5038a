// litesr.Upscaler: one model (upscaler/model_upscaler.h) behind a numpy interface.
//
//   up = litesr.Upscaler(model="", scale=0, threads=0)   # "" = the default model; 0 = its scale; 0 = all cores
//   sr = up.upscale(lr)    # lr (H, W[, C]) uint8/uint16/float32 -> sr (scale·H, scale·W[, C]), same dtype
//   up = litesr.Upscaler("elsr-x4", output_scale=1.5)     # any output size (UpscalerOptions::output): a factor,
//   up = litesr.Upscaler("elsr-x4", output_shape=(h, w))  # or (height, width) as litesr.imresize takes it;
//   up.output_shape(lr.shape)                              # the shape upscale(lr) returns
//
// Paths, chosen by layout:
//   uint8 RGB      the session's fused u8 path straight into the new array (ModelUpscaler::upscale_rgb8_into;
//                  with an output size, through an intermediate image and the resize); a non-packed input
//                  (numpy_image.h) is gathered into a packed copy first.
//   float32        values in [0, 1] through the session's f32 path (RGB straight into the new array); outputs
//                  are clamped to [0, 1]. Grey (1 channel) is replicated to RGB and averaged back; the alpha of
//                  GA/RGBA is upscaled separately the same way — the rules of ModelUpscaler::upscale.
//   everything else  uint8 G/GA/RGBA and uint16: ModelUpscaler::upscale on a copy of the input (what
//                  `litesr upscale` and the C API do), then into the new array.
// The GIL is released while the model runs. A Session serves one call at a time, so each Upscaler has a
// mutex: calls on one Upscaler from several Python threads queue; different Upscalers run in parallel.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "numpy_image.h"
#include "upscaler/model_upscaler.h"

namespace litesr::python {

class PyUpscaler {
 public:
  // Opens the model (ValueError for a negative scale/threads, a scale the model does not have, or a bad output
  // size; FileNotFoundError for an unknown model name or missing file). `output_scale`: a factor in
  // (1, kMaxOutputScale]; `output_shape`: (height, width) of every output, 1..kMaxImageSide each; at most one of
  // them, and then scale 0. Releases the GIL while loading.
  PyUpscaler(const std::string& model, int scale, int threads, std::optional<double> output_scale,
             std::optional<std::pair<int, int>> output_shape);

  int scale() const { return model_.scale(); }  // the scale of the model that runs
  const std::string& model_name() const { return model_.model_name(); }
  int threads() const { return model_.threads(); }
  std::string repr() const;  // needs the GIL

  // The (width, height) of the output of a width x height input (ModelUpscaler::output_size); ValueError naming
  // `what` when the model cannot reach the output size or a side would exceed kMaxImageSide. No Python calls.
  std::pair<int, int> output_size(int width, int height, const std::string& what) const;
  // The shape upscale() returns for an image of shape (H, W) or (H, W, C): (H', W'[, C]).
  py::tuple output_shape(const std::vector<int64_t>& shape) const;

  // See above. Needs the GIL (releases it around the model run).
  py::array upscale(const py::array& lr);

  // Benchmark helper (bench/python_overhead.py): upscales `frame` (uint8 (H, W, 3), packed) `iterations` times
  // into one preallocated output with upscale_rgb8_into, the GIL released; returns the wall time in seconds.
  double native_upscale_loop(const py::array& frame, int iterations);

 private:
  // The model run proper, GIL released, mutex held; `out` is the new output array's memory, `out_width` x
  // `out_height` pixels (output_size()). uint8 RGB goes straight into `out` (ModelUpscaler::upscale_rgb8_into,
  // which resizes through an intermediate image when an output size was given); every other dtype/layout through
  // ModelUpscaler::upscale (which owns the grey/alpha round trip, the static window of video models and the
  // resize), then one copy into `out`.
  Status run(const ArrayImage& in, int out_width, int out_height, void* out);

  ModelUpscaler model_;
  OutputSize output_;  // the output size asked for (repr), {} = none
  std::mutex mutex_;   // one model run at a time (a Session is not thread-safe)
};

void bind_upscaler(py::module_& m);

}  // namespace litesr::python

// litesr.Upscaler: one model (upscaler/model_upscaler.h) behind a numpy interface.
//
//   up = litesr.Upscaler(model="", scale=0, threads=0)   # "" = the default model; 0 = its scale; 0 = all cores
//   sr = up.upscale(lr)    # lr (H, W[, C]) uint8/uint16/float32 -> sr (scale·H, scale·W[, C]), same dtype
//
// Paths, chosen by layout:
//   uint8 RGB      the session's fused u8 path straight into the new array (ModelUpscaler::upscale_rgb8_into);
//                  a non-packed input (numpy_image.h) is gathered into a packed copy first.
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

#include <memory>
#include <mutex>
#include <string>

#include "numpy_image.h"
#include "upscaler/model_upscaler.h"

namespace litesr::python {

class PyUpscaler {
 public:
  // Opens the model (ValueError for a negative scale/threads or a scale the model does not have,
  // FileNotFoundError for an unknown model name or missing file). Releases the GIL while loading.
  PyUpscaler(const std::string& model, int scale, int threads);

  int scale() const { return model_.scale(); }
  const std::string& model_name() const { return model_.model_name(); }
  int threads() const { return model_.threads(); }

  // See above. Needs the GIL (releases it around the model run).
  py::array upscale(const py::array& lr);

  // Benchmark helper (bench/python_overhead.py): upscales `frame` (uint8 (H, W, 3), packed) `iterations` times
  // into one preallocated output with upscale_rgb8_into, the GIL released; returns the wall time in seconds.
  double native_upscale_loop(const py::array& frame, int iterations);

 private:
  // The model run proper, GIL released, mutex held; `out` is the new output array's memory.
  // uint8 RGB goes straight into `out`; every other dtype/layout through ModelUpscaler::upscale (which owns
  // the grey/alpha round trip and the static window of video models), then one copy into `out`.
  Status run(const ArrayImage& in, void* out);

  ModelUpscaler model_;
  std::mutex mutex_;  // one model run at a time (a Session is not thread-safe)
};

void bind_upscaler(py::module_& m);

}  // namespace litesr::python

// Session: the inference API the CLI, eval and video code call (docs/runtime.md).
//
//   auto session = Session::create(graph, tensors, options);   // or models::create_session(model_file)
//   session->prepare(w, h);                                     // all allocation happens here
//   session->run(lr, sr);                                       // or run_u8 for 8-bit photos
//
// Images: lr is HWC with image_channels() = 3·input_frames() channels (RGB, frame-major; 1 per frame for a luma
// network: Y/255, graph.h frame_color), sr is (scale·w) x (scale·h) with the same channel count, preallocated by the caller. f32 samples are in [0, 1]; outputs are clamped to [0, 1]
// (NaN -> 0); run_u8 reads v/255 and writes round-half-up of the clamped value (base/image_ops.h).
//
// Execution: graphs of local ops at any integer resolution factor (convs with "same" padding, activations,
// add, concat, slice, pixel_shuffle, bicubic_upsample of the input, squeeze-excite in passes;
// conv_transpose2d is lowered to conv + pixel_shuffle) run on the fused band executor (band_executor.h):
// every output band is computed through the whole network with intermediates in per-thread band buffers,
// spread over the session's thread pool — every shipped model does. Anything else (strided convs, pooling,
// bilinear resizes: RFDN's ESA, IMDN's contrast attention) runs layer by layer on LayerExecutor (one
// thread, scalar). Multi-input/output graphs (recurrent video models) run on MultiFrameSession. The result
// of the fused path is bitwise identical for every band height and thread count. INT8 models run on the INT8
// band executor (int8_band_executor.h) the same way.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/image.h"
#include "base/row_sink.h"
#include "base/status.h"
#include "runtime/graph.h"
#include "runtime/model_file.h"
#include "runtime/model_quantization.h"
#include "runtime/tensor.h"

namespace litesr {

struct SessionOptions {
  int threads = 0;        // 0 = std::thread::hardware_concurrency()
  int band_rows = 0;      // LR rows per band; 0 = auto (about two bands per thread, at least 16 rows)
  std::string isa;        // kernel ISA of this session only, e.g. "avx2", "sse4", "emu128"; "" = the creating
                          // thread's (the best available unless a ThreadIsaScope is active; kernel_dispatch.h)
  bool reference = false; // run the unfused reference executor (the test oracle; slow)
  // Squeeze-excite input maps up to this many bytes are stored, larger ones recomputed (band_executor.h; the same
  // values either way: a speed / memory trade-off); -1 = kDefaultMaxStoredSqueezeInputBytes.
  int64_t max_stored_squeeze_input_bytes = -1;
};

// Which engine a session uses.
enum class ExecutionMode { kFusedBands, kLayerByLayer, kReference, kInt8Bands, kInt8Reference };
// "fused_bands", "layer_by_layer", "reference", "int8_bands", "int8_reference" (what `litesr bench` and
// `litesr profile` print).
const char* execution_mode_name(ExecutionMode mode);

class Session {
 public:
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  // Validates `graph` against `tensors`, folds batch norms, picks the engine, starts the thread pool.
  static Result<Session> create(const Graph& graph, const TensorMap& tensors, const SessionOptions& options = {});
  // An INT8 model (runtime/model_quantization.h): the graph's integer form (runtime/int8_program.h) runs on the
  // INT8 band executor (int8_band_executor.h: fused, multi-threaded, ExecutionMode::kInt8Bands), or with
  // options.reference on the int8 reference executor (one thread, whole images: kInt8Reference); both compute
  // the same integers. kUnsupported for ops without an integer kernel.
  static Result<Session> create(const Graph& graph, const TensorMap& tensors, const SessionOptions& options,
                                const ModelQuantization& quantization);
  // Builds the graph from the model's metadata (litesr.arch, litesr.scale, litesr.config). Defined in
  // src/models (link litesr_models): the runtime itself never depends on the architecture builders.
  // A model file with `litesr.quantization` opens as an INT8 session.
  static Result<Session> create(const ModelFile& model, const SessionOptions& options = {});

  int scale() const;
  int input_frames() const;
  int image_channels() const;  // channels of lr and sr: frame_channels(graph) · input_frames
  const Graph& graph() const;
  ExecutionMode mode() const;
  int threads() const;
  std::string isa() const;  // the kernel ISA this session runs
  int band_rows() const;  // the band height in use after prepare() (0 before, and for non-fused modes)
  // LR rows of context each side of a band that make a band's output equal the whole image's
  // (BandExecutor::context_rows): what streaming an image through in bands needs. kUnsupported when the
  // output depends on the whole image (squeeze-excite's global mean) or the graph runs layer by layer.
  Result<int> context_rows() const;

  // Allocates everything for lr_width x lr_height inputs. run() calls it itself when the size changes.
  Status prepare(int lr_width, int lr_height);
  // `rows` (optional) is told of sr's rows as they are stored (base/row_sink.h; groups of scale() rows on the fused
  // engines, one call for the whole image on the others), all before run returns; not on an error return.
  Status run(ImageView<const float> lr, ImageView<float> sr, RowSink* rows = nullptr);
  Status run_u8(ImageView<const uint8_t> lr, ImageView<uint8_t> sr);

 private:
  struct Impl;
  template <typename In, typename Out>
  Status run_impl(ImageView<const In> lr, ImageView<Out> sr, RowSink* rows);  // defined in session.cpp
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace litesr

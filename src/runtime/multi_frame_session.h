// MultiFrameSession: runs a multi-frame (video) model — a graph that processes ONE frame per call and is
// driven over windows of T = Graph::input_frames frames (docs/runtime.md "Multi-frame sessions";
// docs/architectures.md "evsrnet"). Session runs single-call graphs only; video code calls this.
//
//   auto mfs = MultiFrameSession::create(model_file);         // or create(graph, tensors, options)
//   for each decoded frame: mfs->push_frame(lr, sr);          // streaming, state carried inside a window
//   on a scene cut:         mfs->reset();                     // the next frame starts a new window
//   challenge layout:       mfs->run_stacked(lr30, sr30);     // [H, W, 3·T] -> [sH, sW, 3·T], one window
//
// Frames have K = 3 (RGB) or 1 (luma: the graph's frame_color "y", frames are Y/255 planes) channels; below,
// [3] stands for [K]. Two graph contracts are accepted (anything else: kInvalidArgument at create):
//  * frame-parallel: 1 input [3, H, W] -> 1 output [3, sH, sW]. Every frame alone (shared weights); runs on
//    a fused Session (the graph with input_frames = 1), so it is multi-threaded and bitwise equal to it.
//  * recurrent step: inputs  (x_prev [3, H, W], x_t [3, H, W], state_1 [c_1, H, W] … state_k [c_k, H, W]),
//                    outputs (frame [3, sH, sW], state_1' [c_1, H, W] … state_k' [c_k, H, W]), k >= 0.
//    Step t of a window feeds x_prev = frame t−1 (frame 0 itself when t = 0), x_t = frame t, and the
//    previous step's state outputs as state inputs (zeros when t = 0). EVSRNet recurrent is this contract
//    with k = 2 (h [nc], o [3s²]: models/evsrnet.h kEvsrnetInput*/kEvsrnetOutput*). State maps are kept in
//    f32 exactly as computed (never clamped); x_prev is the f32 (or u8/255) input frame, unclamped.
//    Runs on the fused band executor (band_executor.h: one task per band on the session's thread pool; the
//    frame and state maps in planar f32 ping-pong buffers), bitwise identical for every band height and
//    thread count; options.reference (or a step the band executor cannot fuse) runs it layer by layer
//    (LayerExecutor, one thread) instead. Every map is preallocated.
//
// INT8 models (runtime/model_quantization.h, the create overload with a ModelQuantization): a frame-parallel
// graph runs on an INT8 Session; a recurrent step on the INT8 band executor (int8_band_executor.h: fused,
// multi-threaded, ExecutionMode::kInt8Bands; options.reference: the INT8 reference executor, one thread,
// kInt8Reference), bit-identical to each other, with x_prev, x_t and the state maps kept as planar int8 maps at
// their steps' parameters (a state input has its state output's parameters, so the state goes round unchanged;
// a zero state is the quantized 0).
//
// Windows: the state resets at the start of every window — after every input_frames() frames pushed
// since create/reset, on reset(), and when the frame size changes (which re-prepares). run_stacked()
// processes exactly one window: it resets first, and leaves the session at a window start.
//
// Images: HWC, f32 in [0, 1] (or u8 read as v/255). push_frame: K channels in and out, sr exactly
// scale() × the lr size. Outputs are clamped to [0, 1] (NaN -> 0); u8 outputs round half up, like Session.
// No allocation per frame after the first frame of a given size.
#pragma once

#include <cstdint>
#include <memory>

#include "base/image.h"
#include "base/row_sink.h"
#include "base/status.h"
#include "runtime/graph.h"
#include "runtime/model_file.h"
#include "runtime/model_quantization.h"
#include "runtime/session.h"
#include "runtime/tensor.h"

namespace litesr {

class MultiFrameSession {
 public:
  MultiFrameSession(MultiFrameSession&&) noexcept;
  MultiFrameSession& operator=(MultiFrameSession&&) noexcept;
  ~MultiFrameSession();

  // Validates the graph against one of the two contracts above and compiles it. options.threads /
  // band_rows / isa apply to the frame-parallel Session; options.reference runs the unfused oracle.
  static Result<MultiFrameSession> create(const Graph& graph, const TensorMap& tensors,
                                          const SessionOptions& options = {});
  // An INT8 model: the graph's integer form (above). kUnsupported / kCorruptData as compile_int8_program.
  static Result<MultiFrameSession> create(const Graph& graph, const TensorMap& tensors, const SessionOptions& options,
                                          const ModelQuantization& quantization);
  // Builds the graph from the model's metadata. Defined in src/models (link litesr_models), like
  // Session::create(const ModelFile&); models::create_multi_frame_session is the same function.
  static Result<MultiFrameSession> create(const ModelFile& model, const SessionOptions& options = {});

  int scale() const;
  int window() const;        // T = Graph::input_frames: frames per window (state reset period)
  bool recurrent() const;    // false: frame-parallel
  int position() const;      // index within the current window of the next frame pushed (0 = window start)
  ExecutionMode mode() const;  // the engine frames run on (kFusedBands, kLayerByLayer or kReference)
  int threads() const;
  const Graph& graph() const;

  int channels() const;  // K: 3 (RGB) or 1 (luma) channels per frame
  // One LR frame in (w x h x K), one SR frame out ((s·w) x (s·h) x K). `rows` (optional) is told of sr's rows as
  // they are stored, as Session::run's.
  Status push_frame(ImageView<const float> lr, ImageView<float> sr, RowSink* rows = nullptr);
  Status push_frame_u8(ImageView<const uint8_t> lr, ImageView<uint8_t> sr);
  // Starts a new window at the next push (scene cut).
  void reset();

  // One whole window in the challenge layout: lr [H, W, K·T] (channel = K·t + colour), sr [sH, sW, K·T].
  Status run_stacked(ImageView<const float> lr_stacked, ImageView<float> sr_stacked);

 private:
  struct Impl;
  template <typename In, typename Out>
  Status push_impl(ImageView<const In> lr, int lr_channel, ImageView<Out> sr, int sr_channel);
  template <typename In, typename Out>
  Status push_int8(ImageView<const In> lr, int lr_channel, ImageView<Out> sr, int sr_channel);
  template <typename In, typename Out>
  Status push_int8_fused(ImageView<const In> lr, int lr_channel, ImageView<Out> sr, int sr_channel);
  Status prepare_int8_fused(int width, int height);
  template <typename Out>
  Status fused_frame_output(ImageView<Out> sr, int sr_channel);
  template <typename Out>
  void finish_fused_frame(ImageView<Out> sr, int sr_channel);
  template <typename In, typename Out>
  Status push_fused(ImageView<const In> lr, int lr_channel, ImageView<Out> sr, int sr_channel);
  Status prepare_fused(int width, int height);
  static Result<MultiFrameSession> create_impl(const Graph& graph, const TensorMap& tensors,
                                               const SessionOptions& options, const ModelQuantization* quantization);
  explicit MultiFrameSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace litesr

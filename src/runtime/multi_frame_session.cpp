#include "runtime/multi_frame_session.h"

#include <algorithm>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "base/image_ops.h"
#include "runtime/band_executor.h"
#include "runtime/int8_band_executor.h"
#include "runtime/int8_program.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/kernel_pixel_shuffle.h"
#include "runtime/program.h"
#include "runtime/reference_executor.h"
#include "runtime/thread_pool.h"
#include "runtime/view_checks.h"

namespace litesr {

struct MultiFrameSession::Impl {
  Graph graph;
  int channels = 3;  // K, channels of a frame: 3 (RGB) or 1 (luma: graph.h frame_color)
  int scale = 1;
  int window = 1;
  bool recurrent = false;
  int position = 0;           // index within the window of the next frame
  int width = 0, height = 0;  // prepared LR size (recurrent executor / frame-parallel gather buffers)
  int band_rows = 0;          // SessionOptions::band_rows for the fused recurrent step
  RowSink* rows = nullptr;    // push_frame's sink, for the push running (base/row_sink.h)
  // Recurrent: the step program. Fused (the default): the band executor over `pool`, with frames and states
  // in planar f32 ping-pong buffers (step t reads set `current`, writes set 1 − current). Reference: run
  // layer by layer, state outputs copied back into the state inputs.
  Program program;
  bool fused = false;
  bool reference = false;  // SessionOptions::reference
  KernelIsa isa = KernelIsa::best();  // the kernels' ISA (SessionOptions::isa)
  std::unique_ptr<ThreadPool> pool;
  BandExecutor bands;
  // Planar maps in the band executor's in-place layout: rows of `row_stride` floats, x = 0 at kBandPlanarPad,
  // zero padding columns either side (never written: the executor writes [0, W) only).
  std::vector<float> frames[2];  // [K][H][row_stride]: x_t of the step that wrote it, x_prev of the next
  std::vector<float> states[2];  // the state maps one after another ([c_1][H][row_stride] … [c_k][H][row_stride])
  std::vector<std::size_t> state_offsets;  // per state: float offset into states[*]
  int row_stride = 0;
  int current = 0;
  std::vector<BandInput> band_inputs;
  std::vector<BandOutput> band_outputs;
  LayerExecutor layers;
  // Recurrent INT8 models: the step's integer form. Fused (the default): the INT8 band executor over `pool`, with
  // frames and states in planar int8 ping-pong buffers as the f32 ones above ([K][H][W] and the states one after
  // another, stride W). Reference: run_int8_reference with int8_inputs (x_prev, x_t, states) as its inputs.
  std::unique_ptr<Int8Program> int8;
  Int8BandExecutor int8_bands;
  std::vector<int8_t> int8_frames[2], int8_states[2];
  std::vector<Int8PlanarMap> int8_band_inputs, int8_band_states;
  ByteToInt8Table int8_frame_u8;  // u8 frame samples -> x_t's int8 (int8_from_sample as a table)
  std::vector<QuantizedMap> int8_inputs;
  // Frame-parallel: the single-frame graph on a Session; K-channel gather/scatter buffers for run_stacked.
  std::optional<Session> session;
  std::vector<float> lr_frame, sr_frame;
};

MultiFrameSession::MultiFrameSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MultiFrameSession::MultiFrameSession(MultiFrameSession&&) noexcept = default;
MultiFrameSession& MultiFrameSession::operator=(MultiFrameSession&&) noexcept = default;
MultiFrameSession::~MultiFrameSession() = default;

namespace {

std::string shape_text(const NodeShape& s) {
  return "[" + std::to_string(s.channels) + (s.factor == 1 ? "" : " at x" + std::to_string(s.factor)) + "]";
}

Status contract_error(const Graph& g, const std::string& why) {
  return invalid_argument(g.arch + ": not a multi-frame graph (" + why +
                          "); expected frame-parallel (x [K] -> frame [K] at xscale) or a recurrent step "
                          "(x_prev [K], x_t [K], states... -> frame [K] at xscale, states'...), K = 3 or 1");
}

// Channels [channel, +K) of src into the K-channel map dst (K = dst.channels).
template <typename In>
void load_frame(ImageView<const In> src, int channel, FeatureMap& dst) {
  for (int y = 0; y < src.height; ++y) {
    const In* row = src.row(y);
    for (int x = 0; x < src.width; ++x) {
      for (int c = 0; c < dst.channels; ++c) {
        const In v = row[static_cast<std::ptrdiff_t>(x) * src.channels + channel + c];
        dst.at(c, y, x) = std::is_same_v<In, float> ? static_cast<float>(v) : static_cast<float>(v) / 255.0f;
      }
    }
  }
}

// Channels [src_channel, +k) of src into channels [dst_channel, +k) of dst (same size): the gathers and scatters
// between a stacked window and one k-channel frame.
void copy_channels(ImageView<const float> src, int src_channel, ImageView<float> dst, int dst_channel, int k) {
  for (int y = 0; y < dst.height; ++y) {
    for (int x = 0; x < dst.width; ++x) {
      for (int c = 0; c < k; ++c) dst.at(x, y, dst_channel + c) = src.at(x, y, src_channel + c);
    }
  }
}

// The K-channel map src (K = src.channels) into channels [channel, +K) of dst, clamped / rounded.
template <typename Out>
void store_frame(const FeatureMap& src, ImageView<Out> dst, int channel) {
  for (int y = 0; y < dst.height; ++y) {
    Out* row = dst.row(y);
    for (int x = 0; x < dst.width; ++x) {
      for (int c = 0; c < src.channels; ++c) {
        const float v = src.at(c, y, x);
        Out& o = row[static_cast<std::ptrdiff_t>(x) * dst.channels + channel + c];
        if constexpr (std::is_same_v<Out, float>) {
          o = clamp_unit(v);
        } else {
          o = static_cast<Out>(quantize_unit(v, 255));
        }
      }
    }
  }
}


}  // namespace

Result<MultiFrameSession> MultiFrameSession::create(const Graph& graph, const TensorMap& tensors,
                                                    const SessionOptions& options) {
  return create_impl(graph, tensors, options, nullptr);
}

Result<MultiFrameSession> MultiFrameSession::create(const Graph& graph, const TensorMap& tensors,
                                                    const SessionOptions& options,
                                                    const ModelQuantization& quantization) {
  return create_impl(graph, tensors, options, &quantization);
}

Result<MultiFrameSession> MultiFrameSession::create_impl(const Graph& graph, const TensorMap& tensors,
                                                         const SessionOptions& options,
                                                         const ModelQuantization* quantization) {
  if (options.threads < 0 || options.band_rows < 0) return invalid_argument("threads and band_rows must be >= 0");
  if (graph.input_frames < 1) return invalid_argument(graph.arch + ": input_frames must be >= 1");
  LITESR_ASSIGN_OR_RETURN(const std::vector<NodeShape> shapes, infer_shapes(graph));
  auto impl = std::make_unique<Impl>();
  LITESR_ASSIGN_OR_RETURN(impl->isa, KernelIsa::named_or_current(options.isa));
  impl->graph = graph;
  impl->scale = graph.scale;
  impl->window = graph.input_frames;
  impl->channels = frame_channels(graph);
  if (impl->channels != 3 && impl->channels != 1) {
    return contract_error(graph, "its frames have " + std::to_string(impl->channels) + " channels");
  }
  const int k = impl->channels;
  const std::size_t ni = graph.inputs.size(), no = graph.outputs.size();
  const NodeShape frame_in{k, 1}, frame_out{k, graph.scale};
  auto same = [](const NodeShape& a, const NodeShape& b) { return a.channels == b.channels && a.factor == b.factor; };
  const NodeShape out0 = shapes[graph.outputs[0]];
  if (ni == 1 && no == 1) {
    // Frame-parallel: the single-frame graph runs on a (fused) Session as a 1-frame model.
    if (!same(shapes[graph.inputs[0]], frame_in) || !same(out0, frame_out)) {
      return contract_error(graph, "its one input is " + shape_text(shapes[graph.inputs[0]]) + " and its output " +
                                       shape_text(out0));
    }
    Graph single = graph;
    single.input_frames = 1;
    LITESR_ASSIGN_OR_RETURN(Session session, quantization ? Session::create(single, tensors, options, *quantization)
                                                          : Session::create(single, tensors, options));
    impl->session.emplace(std::move(session));
    return MultiFrameSession(std::move(impl));
  }
  if (ni < 2 || no + 1 != ni) {
    return contract_error(graph, std::to_string(ni) + " inputs and " + std::to_string(no) + " outputs");
  }
  if (!same(shapes[graph.inputs[0]], frame_in) || !same(shapes[graph.inputs[1]], frame_in) ||
      !same(out0, frame_out)) {
    const std::string frame = "[" + std::to_string(k) + "]";
    return contract_error(graph, "inputs 0, 1 must be " + frame + " frames and output 0 a " + frame + " frame at x" +
                                     std::to_string(graph.scale));
  }
  for (std::size_t i = 1; i < no; ++i) {
    const NodeShape in = shapes[graph.inputs[i + 1]], out = shapes[graph.outputs[i]];
    if (!same(in, out) || out.factor != 1) {
      return contract_error(graph, "state output " + std::to_string(i) + " " + shape_text(out) +
                                       " does not match state input " + std::to_string(i + 1) + " " +
                                       shape_text(in));
    }
  }
  CompileOptions compile;  // an INT8 program starts from the folded, lowered one (as Session's)
  compile.fold_batch_norm = !options.reference || quantization;
  compile.lower_conv_transpose = !options.reference || quantization;
  LITESR_ASSIGN_OR_RETURN(impl->program, compile_program(graph, tensors, compile));
  impl->recurrent = true;
  if (quantization) {
    LITESR_ASSIGN_OR_RETURN(Int8Program int8, compile_int8_program(impl->program, *quantization));
    impl->int8 = std::make_unique<Int8Program>(std::move(int8));
    impl->reference = options.reference;
    impl->fused = !options.reference && Int8BandExecutor::check_supported(*impl->int8).ok();
    impl->pool = std::make_unique<ThreadPool>(impl->fused ? resolve_threads(options.threads) : 1);
    impl->band_rows = options.band_rows;
    return MultiFrameSession(std::move(impl));
  }
  impl->reference = options.reference;
  impl->fused = !options.reference && BandExecutor::check_supported(impl->program).ok();
  impl->pool = std::make_unique<ThreadPool>(impl->fused ? resolve_threads(options.threads) : 1);
  impl->band_rows = options.band_rows;
  return MultiFrameSession(std::move(impl));
}

int MultiFrameSession::scale() const { return impl_->scale; }
int MultiFrameSession::window() const { return impl_->window; }
int MultiFrameSession::channels() const { return impl_->channels; }
bool MultiFrameSession::recurrent() const { return impl_->recurrent; }
int MultiFrameSession::position() const { return impl_->position; }
ExecutionMode MultiFrameSession::mode() const {
  if (!impl_->recurrent) return impl_->session->mode();
  if (impl_->int8) return impl_->fused ? ExecutionMode::kInt8Bands : ExecutionMode::kInt8Reference;
  if (impl_->fused) return ExecutionMode::kFusedBands;
  return impl_->reference ? ExecutionMode::kReference : ExecutionMode::kLayerByLayer;
}
int MultiFrameSession::threads() const { return impl_->recurrent ? impl_->pool->size() : impl_->session->threads(); }
const Graph& MultiFrameSession::graph() const { return impl_->graph; }
void MultiFrameSession::reset() { impl_->position = 0; }

// Runs frame (lr channels [lr_channel, +K)) into sr channels [sr_channel, +K); views already checked.
template <typename In, typename Out>
Status MultiFrameSession::push_impl(ImageView<const In> lr, int lr_channel, ImageView<Out> sr, int sr_channel) {
  Impl& s = *impl_;
  const ThreadIsaScope isa_scope(s.isa);  // recurrent steps: this session's kernels, here and on its pool
  if (lr.width != s.width || lr.height != s.height) {
    s.width = s.height = 0;
    s.position = 0;  // a new size starts a new window
    if (s.int8 && s.fused) {
      LITESR_RETURN_IF_ERROR(prepare_int8_fused(lr.width, lr.height));
    } else if (s.int8) {
      s.int8_inputs.clear();
      for (int id : s.int8->inputs) {
        const Int8Step& in = s.int8->steps[id];
        s.int8_inputs.push_back(QuantizedMap::zeros(in.channels, lr.height, lr.width, in.output));
      }
    } else if (s.recurrent && s.fused) {
      LITESR_RETURN_IF_ERROR(prepare_fused(lr.width, lr.height));
    } else if (s.recurrent) {
      LITESR_RETURN_IF_ERROR(s.layers.prepare(s.program, lr.width, lr.height));
    } else {
      LITESR_RETURN_IF_ERROR(s.session->prepare(lr.width, lr.height));
    }
    s.width = lr.width;
    s.height = lr.height;
  }
  if (!s.recurrent) {
    Status st;
    const int k = s.channels;
    if (lr_channel == 0 && lr.channels == k && sr_channel == 0 && sr.channels == k) {
      if constexpr (std::is_same_v<In, float> && std::is_same_v<Out, float>) {
        st = s.session->run(lr, sr, s.rows);
      } else {
        st = s.session->run_u8(lr, sr);
      }
    } else if constexpr (std::is_same_v<In, float> && std::is_same_v<Out, float>) {
      // Frame t of a stacked image (run_stacked): gather into K-channel buffers, run, scatter.
      const std::size_t lr_size = static_cast<std::size_t>(lr.width) * lr.height * k;
      if (s.lr_frame.size() != lr_size) {  // first stacked window at this size
        s.lr_frame.assign(lr_size, 0.0f);
        s.sr_frame.assign(lr_size * s.scale * s.scale, 0.0f);
      }
      ImageView<float> lf{s.lr_frame.data(), lr.width, lr.height, k, static_cast<std::ptrdiff_t>(lr.width) * k};
      ImageView<float> sf{s.sr_frame.data(), sr.width, sr.height, k, static_cast<std::ptrdiff_t>(sr.width) * k};
      copy_channels(lr, lr_channel, lf, 0, k);
      st = s.session->run(lf, sf);
      if (st.ok()) copy_channels(sf, 0, sr, sr_channel, k);
    } else {
      return internal_error("stacked frames are f32 only");
    }
    if (st.ok()) s.position = (s.position + 1) % s.window;
    return st;
  }
  if (s.int8 && s.fused) return push_int8_fused(lr, lr_channel, sr, sr_channel);
  if (s.int8) return push_int8(lr, lr_channel, sr, sr_channel);
  if (s.fused) return push_fused(lr, lr_channel, sr, sr_channel);
  // Recurrent step: inputs (x_prev, x_t, states...), outputs (frame, states'...).
  LayerExecutor& ex = s.layers;
  FeatureMap& x_t = ex.input(1);
  load_frame(lr, lr_channel, x_t);
  const int states = static_cast<int>(s.program.inputs.size()) - 2;
  if (s.position == 0) {  // window start: x_{-1} = x_0, zero state
    FeatureMap& x_prev = ex.input(0);
    std::copy(x_t.data.begin(), x_t.data.end(), x_prev.data.begin());
    for (int i = 0; i < states; ++i) {
      FeatureMap& st = ex.input(2 + i);
      std::fill(st.data.begin(), st.data.end(), 0.0f);
    }
  }
  ex.run();
  store_frame(ex.output(0), sr, sr_channel);
  rows_stored(s.rows, sr.height, sr.height);
  // Feed back for the next step: x_prev <- x_t, state inputs <- state outputs (same shapes, checked).
  FeatureMap& x_prev = ex.input(0);
  std::copy(x_t.data.begin(), x_t.data.end(), x_prev.data.begin());
  for (int i = 0; i < states; ++i) {
    const FeatureMap& out = ex.output(1 + i);
    FeatureMap& in = ex.input(2 + i);
    if (&out != &in) std::copy(out.data.begin(), out.data.end(), in.data.begin());
  }
  s.position = (s.position + 1) % s.window;
  return {};
}

// The INT8 recurrent step: x_t quantized at its input's parameters (u8 exactly: q = v − 128), x_prev = x_t and the
// states the quantized 0 at a window start; the frame dequantized into sr; x_t and the state outputs fed back.
template <typename In, typename Out>
Status MultiFrameSession::push_int8(ImageView<const In> lr, int lr_channel, ImageView<Out> sr, int sr_channel) {
  Impl& s = *impl_;
  std::vector<QuantizedMap>& in = s.int8_inputs;
  QuantizedMap& x_t = in[1];
  for (int c = 0; c < x_t.channels; ++c) {
    for (int y = 0; y < x_t.height; ++y) {
      for (int x = 0; x < x_t.width; ++x) x_t.at(c, y, x) = int8_from_sample(lr.at(x, y, lr_channel + c), x_t.params);
    }
  }
  if (s.position == 0) {
    in[0].data = x_t.data;
    for (std::size_t i = 2; i < in.size(); ++i) {
      std::fill(in[i].data.begin(), in[i].data.end(), quantize_value(0.0f, in[i].params));
    }
  }
  LITESR_ASSIGN_OR_RETURN(std::vector<QuantizedMap> out, run_int8_reference(*s.int8, in));
  const QuantizedMap& frame = out[0];
  for (int c = 0; c < frame.channels; ++c) {
    for (int y = 0; y < frame.height; ++y) {
      for (int x = 0; x < frame.width; ++x) {
        sr.at(x, y, sr_channel + c) = sample_from_int8<Out>(frame.at(c, y, x), frame.params);
      }
    }
  }
  rows_stored(s.rows, sr.height, sr.height);
  std::swap(in[0].data, x_t.data);
  for (std::size_t i = 1; i < out.size(); ++i) in[i + 1].data = std::move(out[i].data);
  s.position = (s.position + 1) % s.window;
  return {};
}

Status MultiFrameSession::prepare_int8_fused(int width, int height) {
  Impl& s = *impl_;
  const Int8Program& p = *s.int8;
  LITESR_RETURN_IF_ERROR(s.int8_bands.prepare(p, width, height, s.band_rows, s.pool->size()));
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(width) * height;
  std::size_t state_bytes = 0;
  s.state_offsets.clear();
  for (std::size_t i = 2; i < p.inputs.size(); ++i) {
    s.state_offsets.push_back(state_bytes);
    state_bytes += static_cast<std::size_t>(p.steps[p.inputs[i]].channels) * plane;
  }
  for (int b = 0; b < 2; ++b) {
    s.int8_frames[b].assign(static_cast<std::size_t>(s.channels) * plane, 0);
    s.int8_states[b].assign(state_bytes, 0);
  }
  s.int8_band_inputs.assign(p.inputs.size(), Int8PlanarMap{});
  s.int8_band_states.assign(p.outputs.size() - 1, Int8PlanarMap{});
  s.band_outputs.assign(1, BandOutput{});  // the frame (fused_frame_output)
  s.int8_frame_u8 = byte_to_int8_table(p.steps[p.inputs[1]].output);
  s.current = 0;
  return {};
}

// The fused INT8 step: frame -> planar int8 frames[current] (int8_from_sample; 8-bit RGB through its table and the
// SIMD deinterleave, f32 frames through the SIMD quantization), run with states[current] (null = the zero state at a
// window start) as inputs and states[1 − current] as outputs, then swap.
template <typename In, typename Out>
Status MultiFrameSession::push_int8_fused(ImageView<const In> lr, int lr_channel, ImageView<Out> sr, int sr_channel) {
  Impl& s = *impl_;
  const Int8Program& p = *s.int8;
  const int w = lr.width, h = lr.height, k = s.channels, cur = s.current, next = 1 - cur;
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(w) * h;
  const QuantParams frame_params = p.steps[p.inputs[1]].output;
  int8_t* frame = s.int8_frames[cur].data();
  for (int y = 0; y < h; ++y) {  // x_t, planar
    int8_t* planes[3] = {};      // the K planes' row y
    for (int c = 0; c < k; ++c) planes[c] = frame + c * plane + static_cast<std::ptrdiff_t>(y) * w;
    if constexpr (std::is_same_v<In, uint8_t>) {
      if (k == 3 && lr_channel == 0 && lr.channels == 3) {
        deinterleave_rgb_u8_to_int8(lr.row(y), w, s.int8_frame_u8, planes);
        continue;
      }
    } else {
      if (lr_channel == 0 && lr.channels == k) {  // int8_from_sample of a float is quantize_value
        quantize_interleaved_f32_to_int8(lr.row(y), w, k, frame_params, planes);
        continue;
      }
    }
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < k; ++c) planes[c][x] = int8_from_sample(lr.at(x, y, lr_channel + c), frame_params);
    }
  }
  const bool window_start = s.position == 0;
  auto planar = [&](int8_t* data) { return Int8PlanarMap{data, w, plane}; };
  s.int8_band_inputs[0] = planar(window_start ? frame : s.int8_frames[next].data());  // x_{-1} = x_0
  s.int8_band_inputs[1] = planar(frame);
  for (std::size_t i = 0; i < s.state_offsets.size(); ++i) {
    s.int8_band_inputs[2 + i] = window_start ? Int8PlanarMap{} : planar(s.int8_states[cur].data() + s.state_offsets[i]);
    s.int8_band_states[i] = planar(s.int8_states[next].data() + s.state_offsets[i]);
  }
  LITESR_RETURN_IF_ERROR(fused_frame_output(sr, sr_channel));
  s.int8_bands.run(*s.pool, s.int8_band_inputs, s.band_outputs[0], s.int8_band_states);
  finish_fused_frame(sr, sr_channel);
  s.current = next;
  s.position = (s.position + 1) % s.window;
  return {};
}

Status MultiFrameSession::prepare_fused(int width, int height) {
  Impl& s = *impl_;
  const std::vector<InputLayout> layouts(s.program.inputs.size(), InputLayout::kPlanarInPlace);
  LITESR_RETURN_IF_ERROR(s.bands.prepare(s.program, width, height, s.band_rows, s.pool->size(), layouts));
  s.row_stride = (width + 2 * kBandPlanarPad + 15) / 16 * 16;
  const std::size_t plane = static_cast<std::size_t>(s.row_stride) * height;
  const int states = static_cast<int>(s.program.inputs.size()) - 2;
  s.state_offsets.assign(states, 0);
  std::size_t state_floats = 0;
  for (int i = 0; i < states; ++i) {
    s.state_offsets[i] = state_floats;
    state_floats += static_cast<std::size_t>(s.program.steps[s.program.inputs[2 + i]].shape.channels) * plane;
  }
  for (int b = 0; b < 2; ++b) {
    s.frames[b].assign(static_cast<std::size_t>(s.channels) * plane, 0.0f);
    s.states[b].assign(state_floats, 0.0f);
  }
  s.band_inputs.assign(s.program.inputs.size(), BandInput{});
  s.band_outputs.assign(s.program.outputs.size(), BandOutput{});
  s.current = 0;
  return {};
}

// band_outputs[0] for the SR frame: `sr` itself, or (frame t of a stacked window) a K-channel f32 buffer.
template <typename Out>
Status MultiFrameSession::fused_frame_output(ImageView<Out> sr, int sr_channel) {
  Impl& s = *impl_;
  const int k = s.channels;
  BandOutput& out = s.band_outputs[0];  // sized by prepare_fused / prepare_int8_fused
  const bool direct = sr_channel == 0 && sr.channels == k;
  if constexpr (!std::is_same_v<Out, float>) {
    if (!direct) return internal_error("stacked frames are f32 only");
  }
  const std::size_t sr_floats = static_cast<std::size_t>(sr.width) * sr.height * k;
  if (!direct && s.sr_frame.size() != sr_floats) s.sr_frame.assign(sr_floats, 0.0f);
  out = BandOutput{};
  if (!direct) {
    out.f32 = s.sr_frame.data();
    out.stride = static_cast<std::ptrdiff_t>(sr.width) * k;
  } else if constexpr (std::is_same_v<Out, float>) {
    out.f32 = sr.data;
    out.stride = sr.stride;
    out.rows = s.rows;  // push_frame's sink: only a whole frame is pushed with one
  } else {
    out.u8 = sr.data;
    out.stride = sr.stride;
  }
  return {};
}

// After a fused step: frame t of a stacked window (run_stacked) scattered from the buffer into its channels.
template <typename Out>
void MultiFrameSession::finish_fused_frame(ImageView<Out> sr, int sr_channel) {
  Impl& s = *impl_;
  const int k = s.channels;
  if constexpr (std::is_same_v<Out, float>) {
    if (sr_channel != 0 || sr.channels != k) {
      const ImageView<const float> frame_sr{s.sr_frame.data(), sr.width, sr.height, k,
                                            static_cast<std::ptrdiff_t>(sr.width) * k};
      copy_channels(frame_sr, 0, sr, sr_channel, k);
    }
  }
}

// The fused recurrent step: frame -> planar frames[current], run with states[current] (or zeros at a window
// start) as inputs and states[1 − current] as outputs, then swap.
template <typename In, typename Out>
Status MultiFrameSession::push_fused(ImageView<const In> lr, int lr_channel, ImageView<Out> sr, int sr_channel) {
  Impl& s = *impl_;
  const int w = lr.width, h = lr.height, stride = s.row_stride, k = s.channels;
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(stride) * h;
  const int cur = s.current, next = 1 - cur;
  float* frame = s.frames[cur].data() + kBandPlanarPad;  // x = 0 of row 0, channel 0
  for (int y = 0; y < h; ++y) {  // x_t, planar, as the band executor's interleaved input would read it
    const In* src = lr.row(y);
    float* planes[3] = {};  // the K planes' row y
    for (int c = 0; c < k; ++c) planes[c] = frame + c * plane + y * stride;
    if (k == 3 && lr_channel == 0 && lr.channels == 3) {
      if constexpr (std::is_same_v<In, float>) {
        deinterleave_rgb_f32_to_planar_f32(src, w, planes);
      } else {
        deinterleave_rgb_u8_to_planar_f32(src, w, planes);
      }
      continue;
    }
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < k; ++c) {
        const In v = src[static_cast<std::ptrdiff_t>(x) * lr.channels + lr_channel + c];
        planes[c][x] = std::is_same_v<In, float> ? static_cast<float>(v) : static_cast<float>(v) / 255.0f;
      }
    }
  }
  const bool window_start = s.position == 0;
  auto planar_in = [&](const float* data) {
    BandInput in;
    in.planar = data;
    in.stride = stride;
    in.plane_stride = plane;
    return in;
  };
  s.band_inputs[0] = planar_in(window_start ? frame : s.frames[next].data() + kBandPlanarPad);  // x_{-1} = x_0
  s.band_inputs[1] = planar_in(frame);
  const int states = static_cast<int>(s.state_offsets.size());
  for (int i = 0; i < states; ++i) {
    s.band_inputs[2 + i] =
        window_start ? BandInput{} : planar_in(s.states[cur].data() + s.state_offsets[i] + kBandPlanarPad);
    BandOutput& o = s.band_outputs[1 + i];
    o.planar = s.states[next].data() + s.state_offsets[i] + kBandPlanarPad;
    o.stride = stride;
    o.plane_stride = plane;
  }
  LITESR_RETURN_IF_ERROR(fused_frame_output(sr, sr_channel));
  s.bands.run(*s.pool, s.band_inputs, s.band_outputs);
  finish_fused_frame(sr, sr_channel);
  s.current = next;
  s.position = (s.position + 1) % s.window;
  return {};
}

Status MultiFrameSession::push_frame(ImageView<const float> lr, ImageView<float> sr, RowSink* rows) {
  LITESR_RETURN_IF_ERROR(check_sr_views(lr, sr, impl_->channels, impl_->scale, "frame", "multi-frame session"));
  impl_->rows = rows;
  const Status st = push_impl(lr, 0, sr, 0);
  impl_->rows = nullptr;
  return st;
}

Status MultiFrameSession::push_frame_u8(ImageView<const uint8_t> lr, ImageView<uint8_t> sr) {
  LITESR_RETURN_IF_ERROR(check_sr_views(lr, sr, impl_->channels, impl_->scale, "frame", "multi-frame session"));
  return push_impl(lr, 0, sr, 0);
}

Status MultiFrameSession::run_stacked(ImageView<const float> lr_stacked, ImageView<float> sr_stacked) {
  const int t_count = impl_->window, k = impl_->channels;
  LITESR_RETURN_IF_ERROR(
      check_sr_views(lr_stacked, sr_stacked, k * t_count, impl_->scale, "frame", "multi-frame session"));
  reset();
  for (int t = 0; t < t_count; ++t) {
    const Status st = push_impl(lr_stacked, k * t, sr_stacked, k * t);
    if (!st.ok()) {
      reset();
      return st;
    }
  }
  return {};
}

}  // namespace litesr

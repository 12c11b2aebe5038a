#include "runtime/session.h"
#include "runtime/view_checks.h"

#include <algorithm>

#include "base/image_ops.h"
#include "runtime/band_executor.h"
#include "runtime/int8_band_executor.h"
#include "runtime/int8_program.h"
#include "runtime/kernel_dispatch.h"
#include "runtime/program.h"
#include "runtime/reference_executor.h"
#include "runtime/thread_pool.h"

namespace litesr {

struct Session::Impl {
  Graph graph;
  Program program;
  SessionOptions options;
  KernelIsa isa = KernelIsa::best();
  ExecutionMode mode = ExecutionMode::kLayerByLayer;
  std::unique_ptr<ThreadPool> pool;
  BandExecutor bands;
  LayerExecutor layers;     // kLayerByLayer / kReference: one map per step, one thread
  std::unique_ptr<Int8Program> int8;  // kInt8Bands / kInt8Reference
  Int8BandExecutor int8_bands;
  int width = 0, height = 0;  // prepared LR size
};

const char* execution_mode_name(ExecutionMode mode) {
  switch (mode) {
    case ExecutionMode::kFusedBands: return "fused_bands";
    case ExecutionMode::kLayerByLayer: return "layer_by_layer";
    case ExecutionMode::kReference: return "reference";
    case ExecutionMode::kInt8Bands: return "int8_bands";
    case ExecutionMode::kInt8Reference: return "int8_reference";
  }
  return "unknown";
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

Result<Session> Session::create(const Graph& graph, const TensorMap& tensors, const SessionOptions& options) {
  if (options.threads < 0 || options.band_rows < 0) return invalid_argument("threads and band_rows must be >= 0");
  auto impl = std::make_unique<Impl>();
  LITESR_ASSIGN_OR_RETURN(impl->isa, KernelIsa::named_or_current(options.isa));
  impl->graph = graph;
  impl->options = options;
  CompileOptions compile;
  compile.fold_batch_norm = !options.reference;
  compile.lower_conv_transpose = !options.reference;
  LITESR_ASSIGN_OR_RETURN(impl->program, compile_program(graph, tensors, compile));
  const Program& p = impl->program;
  if (p.inputs.size() != 1 || p.outputs.size() != 1) {
    return unsupported("Session runs graphs with one input and one output (this graph has " +
                       std::to_string(p.inputs.size()) + " and " + std::to_string(p.outputs.size()) + ")");
  }
  const int channels = frame_channels(graph) * p.input_frames;  // RGB or luma frames
  const Step& in = p.steps[p.inputs[0]];
  const Step& out = p.steps[p.outputs[0]];
  if (frame_color(graph).empty() || in.shape.channels != channels || out.shape.channels != channels ||
      out.shape.factor != p.scale) {
    return invalid_argument("graph must map RGB (3) or luma (1) frames to frames of the same channels at scale " +
                            std::to_string(p.scale));
  }
  if (options.reference) {
    impl->mode = ExecutionMode::kReference;
  } else if (BandExecutor::check_supported(p).ok()) {
    impl->mode = ExecutionMode::kFusedBands;
  }
  impl->pool = std::make_unique<ThreadPool>(impl->mode == ExecutionMode::kFusedBands ? resolve_threads(options.threads) : 1);
  return Session(std::move(impl));
}

Result<Session> Session::create(const Graph& graph, const TensorMap& tensors, const SessionOptions& options,
                                const ModelQuantization& quantization) {
  SessionOptions single = options;  // the float session only compiles and checks the program: one thread
  single.reference = false;
  single.threads = 1;
  LITESR_ASSIGN_OR_RETURN(Session session, create(graph, tensors, single));
  Impl& s = *session.impl_;
  LITESR_ASSIGN_OR_RETURN(Int8Program int8, compile_int8_program(s.program, quantization));
  s.int8 = std::make_unique<Int8Program>(std::move(int8));
  s.options = options;
  if (!options.reference && Int8BandExecutor::check_supported(*s.int8).ok()) {
    s.mode = ExecutionMode::kInt8Bands;
    s.pool = std::make_unique<ThreadPool>(resolve_threads(options.threads));
  } else {
    s.mode = ExecutionMode::kInt8Reference;
  }
  return session;
}

int Session::scale() const { return impl_->program.scale; }
int Session::input_frames() const { return impl_->program.input_frames; }
int Session::image_channels() const { return frame_channels(impl_->graph) * impl_->program.input_frames; }
const Graph& Session::graph() const { return impl_->graph; }
ExecutionMode Session::mode() const { return impl_->mode; }
int Session::threads() const { return impl_->pool->size(); }
std::string Session::isa() const { return impl_->isa.name(); }
Result<int> Session::context_rows() const {
  if (impl_->mode == ExecutionMode::kInt8Bands) return Int8BandExecutor::context_rows(*impl_->int8);
  if (impl_->mode != ExecutionMode::kFusedBands) {
    return unsupported("the model runs layer by layer (an output row may depend on the whole image)");
  }
  return BandExecutor::context_rows(impl_->program);
}

int Session::band_rows() const {
  switch (impl_->mode) {
    case ExecutionMode::kFusedBands: return impl_->bands.band_rows();
    case ExecutionMode::kInt8Bands: return impl_->int8_bands.band_rows();
    default: return 0;
  }
}

Status Session::prepare(int lr_width, int lr_height) {
  Impl& s = *impl_;
  if (lr_width < 1 || lr_height < 1) return invalid_argument("input size must be at least 1x1");
  if (static_cast<int64_t>(lr_width) * s.program.scale > kMaxImageSide ||
      static_cast<int64_t>(lr_height) * s.program.scale > kMaxImageSide) {
    return resource_exhausted("output would exceed " + std::to_string(kMaxImageSide) + " pixels per side");
  }
  s.width = s.height = 0;
  if (s.mode == ExecutionMode::kFusedBands) {
    LITESR_RETURN_IF_ERROR(s.bands.prepare(s.program, lr_width, lr_height, s.options.band_rows, s.pool->size(), {},
                                           s.options.max_stored_squeeze_input_bytes < 0
                                               ? kDefaultMaxStoredSqueezeInputBytes
                                               : static_cast<std::size_t>(s.options.max_stored_squeeze_input_bytes)));
  } else if (s.mode == ExecutionMode::kInt8Bands) {
    LITESR_RETURN_IF_ERROR(s.int8_bands.prepare(*s.int8, lr_width, lr_height, s.options.band_rows, s.pool->size()));
  } else if (s.mode == ExecutionMode::kInt8Reference) {
    // Whole int8 maps are allocated per run (the reference executor).
  } else {
    LITESR_RETURN_IF_ERROR(s.layers.prepare(s.program, lr_width, lr_height));
  }
  s.width = lr_width;
  s.height = lr_height;
  return {};
}

template <typename In, typename Out>
Status Session::run_impl(ImageView<const In> lr, ImageView<Out> sr, RowSink* rows) {
  Impl& s = *impl_;
  const ThreadIsaScope isa_scope(s.isa);  // this session's kernels, here and on its pool's threads
  const int channels = image_channels();
  LITESR_RETURN_IF_ERROR(check_sr_views(lr, sr, channels, s.program.scale, "image", "model"));
  if (lr.width != s.width || lr.height != s.height) LITESR_RETURN_IF_ERROR(prepare(lr.width, lr.height));
  if (s.mode == ExecutionMode::kFusedBands || s.mode == ExecutionMode::kInt8Bands) {
    BandInput in;
    BandOutput out;
    if constexpr (std::is_same_v<In, float>) in.f32 = lr.data; else in.u8 = lr.data;
    if constexpr (std::is_same_v<Out, float>) out.f32 = sr.data; else out.u8 = sr.data;
    in.stride = lr.stride;
    out.stride = sr.stride;
    out.rows = rows;
    if (s.mode == ExecutionMode::kInt8Bands) {
      s.int8_bands.run(*s.pool, in, out);
    } else {
      s.bands.run(*s.pool, in, out);
    }
    return {};
  }
  if (s.mode == ExecutionMode::kInt8Reference) {
    const QuantizedMap in = int8_map_from_image<In>(lr, s.int8->steps[s.int8->inputs[0]].output);
    LITESR_ASSIGN_OR_RETURN(const QuantizedMap out, run_int8_reference(*s.int8, in));
    int8_map_to_image<Out>(out, sr);
    rows_stored(rows, sr.height, sr.height);
    return {};
  }
  FeatureMap& x = s.layers.input(0);
  for (int y = 0; y < lr.height; ++y) {
    for (int xx = 0; xx < lr.width; ++xx) {
      for (int c = 0; c < channels; ++c) {
        const In v = lr.at(xx, y, c);
        x.at(c, y, xx) = std::is_same_v<In, float> ? static_cast<float>(v) : static_cast<float>(v) / 255.0f;
      }
    }
  }
  s.layers.run();
  const FeatureMap& o = s.layers.output(0);
  for (int y = 0; y < sr.height; ++y) {
    for (int xx = 0; xx < sr.width; ++xx) {
      for (int c = 0; c < channels; ++c) {
        const float v = o.at(c, y, xx);
        if constexpr (std::is_same_v<Out, float>) {
          sr.at(xx, y, c) = clamp_unit(v);
        } else {
          sr.at(xx, y, c) = static_cast<uint8_t>(quantize_unit(v, 255));
        }
      }
    }
  }
  rows_stored(rows, sr.height, sr.height);
  return {};
}

Status Session::run(ImageView<const float> lr, ImageView<float> sr, RowSink* rows) { return run_impl(lr, sr, rows); }
Status Session::run_u8(ImageView<const uint8_t> lr, ImageView<uint8_t> sr) { return run_impl(lr, sr, nullptr); }

}  // namespace litesr

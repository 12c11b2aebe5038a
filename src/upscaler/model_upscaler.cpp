#include "upscaler/model_upscaler.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <tuple>
#include <type_traits>
#include <vector>

#include "base/image_ops.h"
#include "eval/luma_color.h"
#include "models/builtin_models.h"
#include "models/registry.h"

namespace litesr {

namespace {

// Averages the three channels of an RGB image into one (the grey/alpha round trip): u8/u16 rounded to
// nearest, f32 as the float mean.
Result<Image> average_rgb(const Image& rgb) {
  LITESR_ASSIGN_OR_RETURN(Image grey, Image::create(rgb.width(), rgb.height(), 1, rgb.type()));
  for (int y = 0; y < rgb.height(); ++y) {
    for (int x = 0; x < rgb.width(); ++x) {
      if (rgb.type() == PixelType::kU8) {
        const uint8_t* p = rgb.view<uint8_t>().row(y) + 3 * x;
        grey.view<uint8_t>().row(y)[x] = static_cast<uint8_t>((p[0] + p[1] + p[2] + 1) / 3);
      } else if (rgb.type() == PixelType::kU16) {
        const uint16_t* p = rgb.view<uint16_t>().row(y) + 3 * x;
        grey.view<uint16_t>().row(y)[x] = static_cast<uint16_t>((p[0] + p[1] + p[2] + 1) / 3);
      } else {
        const float* p = rgb.view<float>().row(y) + 3 * x;
        grey.view<float>().row(y)[x] = (p[0] + p[1] + p[2]) / 3.0f;
      }
    }
  }
  return grey;
}

// The model that serves an output factor: `name`'s family member at the smallest scale >= factor (bicubic: the
// next integer scale within 2..kBicubicMaxScale, which only sets the session; its resized outputs come from the
// input, at any factor).
Result<std::pair<std::string, int>> model_for_factor(const std::string& name, double factor) {
  const int needed = static_cast<int>(std::ceil(factor - 1e-9));
  if (name == "bicubic") return std::pair<std::string, int>(name, std::clamp(needed, 2, models::kBicubicMaxScale));
  const auto family = models::builtin_family(name);
  if (family.empty()) return std::pair<std::string, int>(name, 0);  // a file: itself (checked against the factor)
  for (const auto& [scale, member] : family) {
    if (scale >= needed) return std::pair<std::string, int>(member, 0);
  }
  char text[32];
  std::snprintf(text, sizeof text, "%g", factor);
  return invalid_argument("no shipped model of " + name + "'s family reaches x" + text + " (largest: " +
                          family.back().second + ")");
}

// Same-size views, row by row (strides may differ).
template <typename T>
void copy_pixels(ImageView<const T> from, ImageView<T> to) {
  const std::size_t row_bytes = static_cast<std::size_t>(from.width) * from.channels * sizeof(T);
  for (int y = 0; y < from.height; ++y) std::memcpy(to.row(y), from.row(y), row_bytes);
}

}  // namespace

Result<ModelUpscaler> ModelUpscaler::open(const UpscalerOptions& options) {
  std::string name = options.model.empty() ? models::default_model_name() : options.model;
  int scale = options.scale;
  if (!options.output.empty()) {
    if (options.scale != 0) return invalid_argument("give a model scale or an output size, not both");
    if (options.output.scale > 0) {
      LITESR_ASSIGN_OR_RETURN(std::tie(name, scale), model_for_factor(name, options.output.scale));
    }
  }
  LITESR_ASSIGN_OR_RETURN(ModelFile model, models::resolve_model(name, scale));
  return open_model(model, name, options);
}

Result<ModelUpscaler> ModelUpscaler::open_model(const ModelFile& model, const std::string& name,
                                                const UpscalerOptions& options) {
  LITESR_ASSIGN_OR_RETURN(int model_scale, models::model_scale(model));
  SessionOptions session_options;
  session_options.threads = options.threads;
  session_options.band_rows = options.band_rows;
  ModelUpscaler up;
  LITESR_ASSIGN_OR_RETURN(const Graph graph, models::build_graph(model));
  if (models::runs_on_multi_frame_session(graph)) {
    LITESR_ASSIGN_OR_RETURN(MultiFrameSession frames, models::create_multi_frame_session(model, session_options));
    up.frames_session_ = std::make_unique<MultiFrameSession>(std::move(frames));
  } else {
    LITESR_ASSIGN_OR_RETURN(Session session, models::create_session(model, session_options));
    up.session_ = std::make_unique<Session>(std::move(session));
  }
  up.model_name_ = name;
  up.scale_ = model_scale;
  up.bicubic_ = graph.arch == "bicubic";
  up.luma_ = frame_color(graph) == "y";
  up.output_ = options.output;
  if (up.output_.scale > 0) {
    if (!up.reaches(up.output_.scale)) {
      return invalid_argument(name + " is x" + std::to_string(model_scale) + " and cannot reach x" +
                              up.output_.label().substr(1));
    }
    if (up.output_.scale == model_scale) up.output_ = {};  // the model's own scale: nothing to resize
  }
  return up;
}

Result<std::pair<int, int>> ModelUpscaler::output_size(int w, int h) const {
  if (w < 1 || h < 1) return invalid_argument("input size must be at least 1x1");
  if (output_.empty()) return std::pair<int, int>(w * scale_, h * scale_);
  LITESR_ASSIGN_OR_RETURN(const double factor, output_.factor_for_input(w, h));
  if (!reaches(factor)) {
    char text[160];
    std::snprintf(text, sizeof text, "%s of a %dx%d image needs x%.3g, more than the model's x%d",
                  output_.label().c_str(), w, h, factor, scale_);
    return invalid_argument(text);
  }
  return output_.for_input(w, h);
}

Result<bool> ModelUpscaler::resizes_output(int w, int h) const {
  LITESR_ASSIGN_OR_RETURN(const auto size, output_size(w, h));
  return size.first != w * scale_ || size.second != h * scale_;
}

Result<MatlabRowResizer> ModelUpscaler::output_resizer(int w, int h, int channels, PixelType type) const {
  if (!resizes()) return invalid_argument("outputs are not resized (no output size given)");
  LITESR_ASSIGN_OR_RETURN(const auto size, output_size(w, h));
  const int from = resizes_input() ? 1 : scale_;
  MatlabResizePlan plan;
  if (output_.scale > 0) {
    // MATLAB's imresize(A, F / from) on the from x image; the size is output_size's (the same ceil rule).
    const double scale = output_.scale / from;
    plan = MatlabResizePlan{size.first, size.second, scale, scale};
  } else {
    LITESR_ASSIGN_OR_RETURN(plan, plan_matlab_resize_to(w * from, h * from, size.first, size.second));
  }
  return MatlabRowResizer::create(w * from, h * from, channels, type, plan);
}

Result<int> ModelUpscaler::context_rows() const {
  if (!session_) return unsupported("multi-frame models do not stream in bands");
  if (luma_) return unsupported("luma models run on whole images (their chroma is resized with the image)");
  return session_->context_rows();
}

int ModelUpscaler::threads() const { return session_ ? session_->threads() : frames_session_->threads(); }

ExecutionMode ModelUpscaler::mode() const { return session_ ? session_->mode() : frames_session_->mode(); }

int ModelUpscaler::window() const { return frames_session_ ? frames_session_->window() : 1; }

void ModelUpscaler::reset_window() {
  if (frames_session_) frames_session_->reset();
}

Status ModelUpscaler::push_frame_u8(ImageView<const uint8_t> lr, ImageView<uint8_t> sr) {
  if (resizes()) return unsupported("frame streams run at the model's scale (no -s/--size resize)");
  if (luma_) return run_luma(lr, sr, /*stream=*/true);
  return frames_session_ ? frames_session_->push_frame_u8(lr, sr) : session_->run_u8(lr, sr);
}

Status ModelUpscaler::push_frame(ImageView<const float> lr, ImageView<float> sr, RowSink* rows) {
  if (resizes()) return unsupported("frame streams run at the model's scale (no -s/--size resize)");
  if (luma_) {
    LITESR_RETURN_IF_ERROR(run_luma(lr, sr, /*stream=*/true));
    rows_stored(rows, sr.height, sr.height);
    return {};
  }
  return frames_session_ ? frames_session_->push_frame(lr, sr, rows) : session_->run(lr, sr, rows);
}

Status ModelUpscaler::push_luma_plane(ImageView<const float> lr_y, ImageView<float> sr_y) {
  if (!luma_) return invalid_argument(model_name_ + " is not a luma model: its frames are RGB");
  if (resizes()) return unsupported("frame streams run at the model's scale (no -s/--size resize)");
  if (lr_y.channels != 1 || sr_y.channels != 1 || sr_y.width != lr_y.width * scale_ ||
      sr_y.height != lr_y.height * scale_) {
    return invalid_argument("luma planes must have one channel, the output scale x the input");
  }
  return run_luma_plane(lr_y, sr_y, /*stream=*/true);
}

Status ModelUpscaler::run_luma_plane(ImageView<const float> lr_y, ImageView<float> sr_y, bool stream) {
  if (session_) return session_->run(lr_y, sr_y);
  if (stream) return frames_session_->push_frame(lr_y, sr_y);
  return run_static_window<float>(lr_y, sr_y);
}

Result<Image> ModelUpscaler::upscale_luma(const Image& rgb, bool stream) {
  LITESR_ASSIGN_OR_RETURN(const Image y, luma_of_rgb(rgb));
  LITESR_ASSIGN_OR_RETURN(Image y_sr, Image::create(rgb.width() * scale_, rgb.height() * scale_, 1, PixelType::kF32));
  LITESR_RETURN_IF_ERROR(run_luma_plane(y.view<float>(), y_sr.view<float>(), stream));
  return merge_upscaled_luma(y_sr, rgb, scale_, threads());
}

template <typename T>
Status ModelUpscaler::run_luma(ImageView<const T> lr, ImageView<T> sr, bool stream) {
  if (lr.channels != 3 || sr.channels != 3 || sr.width != lr.width * scale_ || sr.height != lr.height * scale_) {
    return invalid_argument("frames must be RGB, the output scale x the input");
  }
  LITESR_ASSIGN_OR_RETURN(Image src, Image::create(lr.width, lr.height, 3, pixel_type_of<T>()));
  copy_pixels(lr, src.view<T>());
  LITESR_ASSIGN_OR_RETURN(const Image out, upscale_luma(src, stream));
  copy_pixels(out.view<T>(), sr);
  return Status();
}

template <typename T>
Status ModelUpscaler::run_static_window(ImageView<const T> lr, ImageView<T> sr) {
  frames_session_->reset();
  for (int t = 0; t < frames_session_->window(); ++t) {
    if constexpr (std::is_same_v<T, uint8_t>) {
      LITESR_RETURN_IF_ERROR(frames_session_->push_frame_u8(lr, sr));
    } else {
      LITESR_RETURN_IF_ERROR(frames_session_->push_frame(lr, sr));
    }
  }
  return Status();
}

Status ModelUpscaler::upscale_rgb8_into(ImageView<const uint8_t> lr, ImageView<uint8_t> sr) {
  if (lr.channels != 3 || sr.channels != 3) return invalid_argument("upscale_rgb8_into takes 3-channel images");
  LITESR_ASSIGN_OR_RETURN(const auto size, output_size(lr.width, lr.height));
  if (sr.width != size.first || sr.height != size.second) {
    return invalid_argument("the output must be " + std::to_string(size.first) + "x" + std::to_string(size.second) +
                            " for a " + std::to_string(lr.width) + "x" + std::to_string(lr.height) + " input");
  }
  LITESR_ASSIGN_OR_RETURN(const bool resized, resizes_output(lr.width, lr.height));
  if (resized) {
    LITESR_ASSIGN_OR_RETURN(Image src, Image::create(lr.width, lr.height, 3, PixelType::kU8));
    copy_pixels(lr, src.view<uint8_t>());
    LITESR_ASSIGN_OR_RETURN(const Image out, upscale(src));
    copy_pixels(out.view<uint8_t>(), sr);
    return Status();
  }
  return run_rgb8(lr, sr);
}

Status ModelUpscaler::run_rgb8(ImageView<const uint8_t> lr, ImageView<uint8_t> sr) {
  if (luma_) return run_luma(lr, sr, /*stream=*/false);
  if (frames_session_) return run_static_window<uint8_t>(lr, sr);
  return session_->run_u8(lr, sr);
}

Result<Image> ModelUpscaler::upscale_rgb(const Image& rgb) {
  if (luma_) return upscale_luma(rgb);
  const int w = rgb.width() * scale_;
  const int h = rgb.height() * scale_;
  if (rgb.type() == PixelType::kU8) {
    LITESR_ASSIGN_OR_RETURN(Image out, Image::create(w, h, 3, PixelType::kU8));
    LITESR_RETURN_IF_ERROR(run_rgb8(rgb.view<uint8_t>(), out.view<uint8_t>()));
    return out;
  }
  // u16 runs in float (16-bit depth kept on the way back); f32 runs as it is.
  const bool f32 = rgb.type() == PixelType::kF32;
  Image converted;
  if (!f32) {
    LITESR_ASSIGN_OR_RETURN(converted, convert_pixel_type(rgb, PixelType::kF32));
  }
  const Image& lr = f32 ? rgb : converted;
  LITESR_ASSIGN_OR_RETURN(Image sr, Image::create(w, h, 3, PixelType::kF32));
  if (frames_session_) {
    LITESR_RETURN_IF_ERROR(run_static_window<float>(lr.view<float>(), sr.view<float>()));
  } else {
    LITESR_RETURN_IF_ERROR(session_->run(lr.view<float>(), sr.view<float>()));
  }
  if (f32) return sr;
  return convert_pixel_type(sr, rgb.type());
}

Result<Image> ModelUpscaler::upscale(const Image& src) {
  LITESR_ASSIGN_OR_RETURN(const bool resized, resizes_output(src.width(), src.height()));
  if (!resized) return upscale_at_model_scale(src);
  LITESR_ASSIGN_OR_RETURN(MatlabRowResizer resizer,
                          output_resizer(src.width(), src.height(), src.channels(), src.type()));
  if (resizes_input()) {
    LITESR_RETURN_IF_ERROR(resizer.push_rows(src, 0, src.height()));
  } else {
    LITESR_ASSIGN_OR_RETURN(const Image sr, upscale_at_model_scale(src));
    LITESR_RETURN_IF_ERROR(resizer.push_rows(sr, 0, sr.height()));
  }
  LITESR_ASSIGN_OR_RETURN(Image out, resizer.take_ready_rows());
  if (out.type() == PixelType::kF32) {
    // The resize's cubic lobes overshoot: f32 outputs are clamped to [0, 1] as the model's own outputs are.
    for (int y = 0; y < out.height(); ++y) {
      float* row = out.view<float>().row(y);
      for (int i = 0; i < out.width() * out.channels(); ++i) row[i] = std::clamp(row[i], 0.0f, 1.0f);
    }
  }
  return out;
}

Result<Image> ModelUpscaler::upscale_at_model_scale(const Image& src) {
  const int c = src.channels();
  const bool has_alpha = c == 2 || c == 4;
  const int colour_channels = has_alpha ? c - 1 : c;
  LITESR_ASSIGN_OR_RETURN(Image colour, extract_channels(src, 0, colour_channels));
  if (colour_channels == 1) {
    LITESR_ASSIGN_OR_RETURN(colour, grey_to_rgb(colour));
  }
  LITESR_ASSIGN_OR_RETURN(Image out, upscale_rgb(colour));
  if (colour_channels == 1) {
    LITESR_ASSIGN_OR_RETURN(out, average_rgb(out));
  }
  if (!has_alpha) return out;
  LITESR_ASSIGN_OR_RETURN(Image alpha, extract_channels(src, c - 1, 1));
  LITESR_ASSIGN_OR_RETURN(Image alpha_rgb, grey_to_rgb(alpha));
  LITESR_ASSIGN_OR_RETURN(Image alpha_up_rgb, upscale_rgb(alpha_rgb));
  LITESR_ASSIGN_OR_RETURN(Image alpha_up, average_rgb(alpha_up_rgb));
  return concat_channels(out, alpha_up);
}

Result<std::vector<ModelUpscaler>> open_lanes(const UpscalerOptions& options, int count) {
  UpscalerOptions one_thread = options;
  one_thread.threads = 1;
  std::vector<ModelUpscaler> lanes;
  for (int i = 0; i < count; ++i) {
    LITESR_ASSIGN_OR_RETURN(ModelUpscaler lane, ModelUpscaler::open(one_thread));
    lanes.push_back(std::move(lane));
  }
  return lanes;
}

namespace {

// Single-threaded instances handed to one call at a time (make_model_image_upscaler's lanes).
class ModelPool {
 public:
  explicit ModelPool(std::vector<ModelUpscaler> models) : models_(std::move(models)) {
    for (std::size_t i = 0; i < models_.size(); ++i) free_.push_back(i);
  }
  Result<Image> upscale(const Image& lr) {
    std::size_t i = 0;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !free_.empty(); });
      i = free_.back();
      free_.pop_back();
    }
    Result<Image> out = models_[i].upscale(lr);
    {
      std::lock_guard lock(mu_);
      free_.push_back(i);
    }
    cv_.notify_one();
    return out;
  }

 private:
  std::vector<ModelUpscaler> models_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::size_t> free_;  // indices into models_ of the instances no call holds
};

}  // namespace

Result<ImageUpscaler> make_model_image_upscaler(const UpscalerOptions& options, int lanes) {
  if (lanes >= 2) {
    LITESR_ASSIGN_OR_RETURN(std::vector<ModelUpscaler> models, open_lanes(options, lanes));
    auto pool = std::make_shared<ModelPool>(std::move(models));
    return ImageUpscaler([pool](const Image& lr) { return pool->upscale(lr); });
  }
  LITESR_ASSIGN_OR_RETURN(ModelUpscaler model, ModelUpscaler::open(options));
  auto shared = std::make_shared<ModelUpscaler>(std::move(model));
  auto mutex = std::make_shared<std::mutex>();
  return ImageUpscaler([shared, mutex](const Image& lr) -> Result<Image> {
    std::lock_guard<std::mutex> lock(*mutex);
    return shared->upscale(lr);
  });
}

}  // namespace litesr

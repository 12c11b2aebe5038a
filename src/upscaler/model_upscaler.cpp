#include "upscaler/model_upscaler.h"

#include <mutex>
#include <type_traits>

#include "base/image_ops.h"
#include "models/builtin_models.h"
#include "models/registry.h"

namespace litesr {

namespace {

// Averages the three channels of an RGB image into one (the grey/alpha round trip).
Result<Image> average_rgb(const Image& rgb) {
  LITESR_ASSIGN_OR_RETURN(Image grey, Image::create(rgb.width(), rgb.height(), 1, rgb.type()));
  for (int y = 0; y < rgb.height(); ++y) {
    for (int x = 0; x < rgb.width(); ++x) {
      if (rgb.type() == PixelType::kU8) {
        const uint8_t* p = rgb.view<uint8_t>().row(y) + 3 * x;
        grey.view<uint8_t>().row(y)[x] = static_cast<uint8_t>((p[0] + p[1] + p[2] + 1) / 3);
      } else {
        const uint16_t* p = rgb.view<uint16_t>().row(y) + 3 * x;
        grey.view<uint16_t>().row(y)[x] = static_cast<uint16_t>((p[0] + p[1] + p[2] + 1) / 3);
      }
    }
  }
  return grey;
}

}  // namespace

Result<ModelUpscaler> ModelUpscaler::open(const UpscalerOptions& options) {
  std::string name = options.model.empty() ? models::default_model_name() : options.model;
  LITESR_ASSIGN_OR_RETURN(ModelFile model, models::resolve_model(name, options.scale));
  LITESR_ASSIGN_OR_RETURN(int model_scale, models::model_scale(model));
  SessionOptions session_options;
  session_options.threads = options.threads;
  session_options.band_rows = options.band_rows;
  ModelUpscaler up;
  LITESR_ASSIGN_OR_RETURN(const Graph graph, models::build_graph(model));
  if (graph.input_frames > 1) {
    LITESR_ASSIGN_OR_RETURN(MultiFrameSession frames, models::create_multi_frame_session(model, session_options));
    up.frames_session_ = std::make_unique<MultiFrameSession>(std::move(frames));
  } else {
    LITESR_ASSIGN_OR_RETURN(Session session, models::create_session(model, session_options));
    up.session_ = std::make_unique<Session>(std::move(session));
  }
  up.model_name_ = name;
  up.scale_ = model_scale;
  return up;
}

Result<int> ModelUpscaler::context_rows() const {
  if (!session_) return unsupported("multi-frame models do not stream in bands");
  return session_->context_rows();
}

int ModelUpscaler::threads() const { return session_ ? session_->threads() : frames_session_->threads(); }

ExecutionMode ModelUpscaler::mode() const { return session_ ? session_->mode() : frames_session_->mode(); }

int ModelUpscaler::window() const { return frames_session_ ? frames_session_->window() : 1; }

void ModelUpscaler::reset_window() {
  if (frames_session_) frames_session_->reset();
}

Status ModelUpscaler::push_frame(ImageView<const float> lr, ImageView<float> sr) {
  return frames_session_ ? frames_session_->push_frame(lr, sr) : session_->run(lr, sr);
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
  if (sr.width != lr.width * scale_ || sr.height != lr.height * scale_) {
    return invalid_argument("the output must be x" + std::to_string(scale_) + " of the input");
  }
  if (frames_session_) return run_static_window<uint8_t>(lr, sr);
  return session_->run_u8(lr, sr);
}

Result<Image> ModelUpscaler::upscale_rgb(const Image& rgb) {
  const int w = rgb.width() * scale_;
  const int h = rgb.height() * scale_;
  if (rgb.type() == PixelType::kU8) {
    LITESR_ASSIGN_OR_RETURN(Image out, Image::create(w, h, 3, PixelType::kU8));
    LITESR_RETURN_IF_ERROR(upscale_rgb8_into(rgb.view<uint8_t>(), out.view<uint8_t>()));
    return out;
  }
  LITESR_ASSIGN_OR_RETURN(Image lr, convert_pixel_type(rgb, PixelType::kF32));
  LITESR_ASSIGN_OR_RETURN(Image sr, Image::create(w, h, 3, PixelType::kF32));
  if (frames_session_) {
    LITESR_RETURN_IF_ERROR(run_static_window<float>(lr.view<float>(), sr.view<float>()));
  } else {
    LITESR_RETURN_IF_ERROR(session_->run(lr.view<float>(), sr.view<float>()));
  }
  return convert_pixel_type(sr, rgb.type());
}

Result<Image> ModelUpscaler::upscale(const Image& src) {
  if (src.type() == PixelType::kF32) return invalid_argument("upscale expects 8- or 16-bit images");
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

Result<ImageUpscaler> make_model_image_upscaler(const UpscalerOptions& options) {
  LITESR_ASSIGN_OR_RETURN(ModelUpscaler model, ModelUpscaler::open(options));
  auto shared = std::make_shared<ModelUpscaler>(std::move(model));
  auto mutex = std::make_shared<std::mutex>();
  return ImageUpscaler([shared, mutex](const Image& lr) -> Result<Image> {
    std::lock_guard<std::mutex> lock(*mutex);
    return shared->upscale(lr);
  });
}

}  // namespace litesr

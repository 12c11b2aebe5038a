#include "cli/model_upscaler.h"

#include <mutex>

#include "base/image_ops.h"
#include "models/builtin_models.h"
#include "models/registry.h"

namespace litesr::cli {

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
  int scale = options.scale;
  if (name == "bicubic" && scale == 0) scale = 4;
  LITESR_ASSIGN_OR_RETURN(ModelFile model, models::resolve_model(name, scale));
  LITESR_ASSIGN_OR_RETURN(int model_scale, models::model_scale(model));
  SessionOptions session_options;
  session_options.threads = options.threads;
  session_options.band_rows = options.band_rows;
  LITESR_ASSIGN_OR_RETURN(Session session, models::create_session(model, session_options));
  if (session.input_frames() != 1) {
    return invalid_argument(name + " is a multi-frame video model; use `litesr video`");
  }
  ModelUpscaler up;
  up.session_ = std::make_unique<Session>(std::move(session));
  up.model_name_ = name;
  up.scale_ = model_scale;
  return up;
}

Status ModelUpscaler::upscale_rgb_f32(ImageView<const float> lr, ImageView<float> sr) {
  return session_->run(lr, sr);
}

Result<Image> ModelUpscaler::upscale_rgb(const Image& rgb) {
  const int w = rgb.width() * scale_;
  const int h = rgb.height() * scale_;
  if (rgb.type() == PixelType::kU8) {
    LITESR_ASSIGN_OR_RETURN(Image out, Image::create(w, h, 3, PixelType::kU8));
    LITESR_RETURN_IF_ERROR(session_->run_u8(rgb.view<uint8_t>(), out.view<uint8_t>()));
    return out;
  }
  LITESR_ASSIGN_OR_RETURN(Image lr, convert_pixel_type(rgb, PixelType::kF32));
  LITESR_ASSIGN_OR_RETURN(Image sr, Image::create(w, h, 3, PixelType::kF32));
  LITESR_RETURN_IF_ERROR(session_->run(lr.view<float>(), sr.view<float>()));
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

}  // namespace litesr::cli

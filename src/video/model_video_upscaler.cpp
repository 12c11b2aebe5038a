#include "video/model_video_upscaler.h"

#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "models/builtin_models.h"

namespace litesr {

namespace {

// The pipeline's callbacks on one model instance (its session and window state).
Upscaler callbacks_of(std::shared_ptr<ModelUpscaler> shared) {
  Upscaler u;
  u.scale = shared->scale();
  if (shared->multi_frame()) {
    u.window_frames = shared->window();
    u.window_streams = true;  // push_frame: one frame per step, the state carried between calls
    // One window through `push` (R'G'B' frames or Y' planes), the model's state reset first when asked.
    using Push = Status (*)(ModelUpscaler&, ImageView<const float>, ImageView<float>);
    auto window_of = [shared](Push push) -> WindowUpscaler {
      return [shared, push](std::span<const ImageView<const float>> lr, std::span<const ImageView<float>> sr,
                            bool reset) -> Status {
        if (reset) shared->reset_window();
        for (std::size_t i = 0; i < lr.size(); ++i) LITESR_RETURN_IF_ERROR(push(*shared, lr[i], sr[i]));
        return {};
      };
    };
    u.window = window_of(
        [](ModelUpscaler& m, ImageView<const float> lr, ImageView<float> sr) { return m.push_frame(lr, sr); });
    u.rows = [shared](ImageView<const float> lr, ImageView<float> sr, bool reset, RowSink& rows) -> Status {
      if (reset) shared->reset_window();
      return shared->push_frame(lr, sr, &rows);
    };
    if (shared->luma()) {
      u.luma_window = window_of([](ModelUpscaler& m, ImageView<const float> lr_y, ImageView<float> sr_y) {
        return m.push_luma_plane(lr_y, sr_y);
      });
    }
  } else {
    u.frame = [shared](ImageView<const float> lr, ImageView<float> sr) { return shared->push_frame(lr, sr); };
    u.rows = [shared](ImageView<const float> lr, ImageView<float> sr, bool, RowSink& rows) {
      return shared->push_frame(lr, sr, &rows);
    };
    if (shared->luma()) {
      u.luma_plane = [shared](ImageView<const float> lr_y, ImageView<float> sr_y) {
        return shared->push_luma_plane(lr_y, sr_y);
      };
    }
  }
  return u;
}

}  // namespace

Result<ModelVideoUpscaler> open_model_video_upscaler(UpscalerOptions options) {
  if (!options.output.empty()) return invalid_argument("video frames run at the model's scale (no output size)");
  if (options.model.empty()) options.model = models::default_video_model_name();
  LITESR_ASSIGN_OR_RETURN(ModelUpscaler model, ModelUpscaler::open(options));
  auto shared = std::make_shared<ModelUpscaler>(std::move(model));
  ModelVideoUpscaler out;
  out.model_name = options.model;
  out.upscaler = callbacks_of(shared);
  // One single-threaded instance per thread as lanes (frame_pipeline.h: frames or windows side by side), for the
  // job to use where it can.
  if (shared->threads() >= 2) {
    LITESR_ASSIGN_OR_RETURN(std::vector<ModelUpscaler> lanes, open_lanes(options, shared->threads()));
    for (ModelUpscaler& lane : lanes)
      out.upscaler.lanes.push_back(callbacks_of(std::make_shared<ModelUpscaler>(std::move(lane))));
  }
  return out;
}

}  // namespace litesr

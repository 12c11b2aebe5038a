// A model as the video pipeline's SR step (`litesr video -n NAME`): a ModelUpscaler (upscaler/model_upscaler.h)
// behind frame_pipeline.h's Upscaler callbacks. Single-frame models run each frame on a Session (fused bands);
// multi-frame models (EVSRNet) on a MultiFrameSession whose windows are the pipeline's windows; luma models also
// take the frames' Y' planes (Upscaler::luma_plane) where the job can hand them on. With two or more threads it also
// opens one single-threaded instance per thread as the upscaler's lanes (frames or windows side by side, each instance
// on one lane thread). Each instance's callbacks are called from one thread at a time, as the sessions require.
#pragma once

#include <string>

#include "base/status.h"
#include "upscaler/model_upscaler.h"
#include "video/frame_pipeline.h"

namespace litesr {

struct ModelVideoUpscaler {
  Upscaler upscaler;
  std::string model_name;  // the model that runs (options.model, or the default video model)
};

// options.model "" = models::default_video_model_name(); options.output must be empty (frames keep the model's
// scale). kNotFound for an unknown model name or a missing file.
Result<ModelVideoUpscaler> open_model_video_upscaler(UpscalerOptions options);

}  // namespace litesr

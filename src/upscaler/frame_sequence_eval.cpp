#include "upscaler/frame_sequence_eval.h"

#include <chrono>
#include <filesystem>

#include "base/image_ops.h"
#include "io/image_file.h"
#include "io/image_folder.h"
#include "upscaler/model_upscaler.h"

namespace litesr {

namespace fs = std::filesystem;

namespace {

Result<Image> read_rgb_f32(const fs::path& path) {
  LITESR_ASSIGN_OR_RETURN(DecodedImage decoded, read_image(path));
  Image colour = std::move(decoded.image);
  if (colour.channels() == 2 || colour.channels() == 4) {
    LITESR_ASSIGN_OR_RETURN(colour, extract_channels(colour, 0, colour.channels() - 1));
  }
  LITESR_ASSIGN_OR_RETURN(Image rgb, grey_to_rgb(colour));
  return convert_pixel_type(rgb, PixelType::kF32);
}

}  // namespace

Result<EvaluationResult> evaluate_frame_sequence(const FrameSequenceEvalOptions& options,
                                                 const CancelToken* cancel, Progress* progress) {
  const auto start = std::chrono::steady_clock::now();
  LITESR_ASSIGN_OR_RETURN(std::vector<fs::path> lr_frames, list_images(options.lr_dir));
  LITESR_ASSIGN_OR_RETURN(std::vector<fs::path> gt_frames, list_images(options.gt_dir));
  if (lr_frames.empty()) return not_found(options.lr_dir + ": no image frames");
  if (lr_frames.size() != gt_frames.size()) {
    return invalid_argument(options.lr_dir + " has " + std::to_string(lr_frames.size()) + " frames but " +
                            options.gt_dir + " has " + std::to_string(gt_frames.size()));
  }
  LITESR_ASSIGN_OR_RETURN(ModelUpscaler model, ModelUpscaler::open({options.model, options.scale, options.threads, 0, {}}));
  const int scale = model.scale();

  EvaluationResult result;
  // "Vid4_calendar/GT": the sequence folder and the GT folder (a trailing '/' is ignored).
  const fs::path gt = fs::path(options.gt_dir).lexically_normal();
  const fs::path gt_dir = gt.has_filename() ? gt : gt.parent_path();
  result.dataset = (gt_dir.parent_path().filename() / gt_dir.filename()).string();
  result.scale = scale;
  result.method = model.model_name();
  result.shave = options.shave < 0 ? scale : options.shave;
  for (std::size_t i = 0; i < lr_frames.size(); ++i) {
    if (cancel != nullptr && cancel->cancelled()) return cancelled("evaluation interrupted");
    const fs::path lr_path = fs::path(options.lr_dir) / lr_frames[i];
    const fs::path gt_path = fs::path(options.gt_dir) / gt_frames[i];
    LITESR_ASSIGN_OR_RETURN(Image lr, read_rgb_f32(lr_path));
    LITESR_ASSIGN_OR_RETURN(DecodedImage gt, read_image(gt_path));
    if (gt.image.type() != PixelType::kU8) return unsupported(gt_path.string() + ": ground truth must be 8-bit");
    if (gt.image.width() != lr.width() * scale || gt.image.height() != lr.height() * scale) {
      return invalid_argument(gt_path.string() + " is " + std::to_string(gt.image.width()) + "x" +
                              std::to_string(gt.image.height()) + ", expected x" + std::to_string(scale) +
                              " of " + lr_path.string());
    }
    LITESR_ASSIGN_OR_RETURN(Image sr, Image::create(lr.width() * scale, lr.height() * scale, 3, PixelType::kF32));
    LITESR_RETURN_IF_ERROR(model.push_frame(lr.view<float>(), sr.view<float>()).with_context(lr_path.string()));
    LITESR_ASSIGN_OR_RETURN(SrScores scores, score_sr_result(sr, gt.image, scale, result.shave));
    result.images.push_back({lr_frames[i].filename().string(), gt.image.width(), gt.image.height(), scores});
    if (progress != nullptr) progress->advance(1, lr_frames[i].filename().string());
  }
  result.mean = mean_scores(result.images);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace litesr

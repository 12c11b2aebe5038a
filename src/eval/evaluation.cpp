#include "eval/evaluation.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "base/image_ops.h"
#include "base/image_size.h"
#include "base/worker_threads.h"
#include "io/image_file.h"

namespace litesr {

ImageUpscaler make_bicubic_upscaler(int scale, const MatlabResizeOptions& options) {
  return [scale, options](const Image& lr) -> Result<Image> {
    if (scale < 1) return invalid_argument("bicubic scale must be >= 1, got " + std::to_string(scale));
    return matlab_imresize(lr, static_cast<double>(scale), options);
  };
}

Result<SrScores> score_sr_result(const Image& sr, const Image& hr_u8, int scale, int shave, Image* sr_u8) {
  if (sr.empty()) return invalid_argument("the upscaler returned an empty image");
  if (sr.width() != hr_u8.width() || sr.height() != hr_u8.height()) {
    return invalid_argument("the upscaler returned " + size_text(sr.width(), sr.height()) + ", expected " +
                            size_text(hr_u8.width(), hr_u8.height()) + " (x" + std::to_string(scale) + ")");
  }
  if (sr.channels() != 3 && sr.channels() != 1) {
    return invalid_argument("the upscaler returned " + std::to_string(sr.channels()) + " channels, expected RGB");
  }
  Image rounded;
  if (sr.type() == PixelType::kU8) {
    rounded = sr.clone();
  } else if (sr.type() == PixelType::kF32) {
    LITESR_ASSIGN_OR_RETURN(rounded, convert_pixel_type(sr, PixelType::kU8));  // floor(255·v + 0.5), clamped
  } else {
    return invalid_argument("the upscaler returned a 16-bit image; expected u8 or f32");
  }
  LITESR_ASSIGN_OR_RETURN(SrScores scores, compute_sr_scores(rounded, hr_u8, shave));
  if (sr_u8 != nullptr) *sr_u8 = std::move(rounded);
  return scores;
}

SrScores mean_scores(std::span<const ImageEvaluation> images) {
  SrScores mean;
  if (images.empty()) return mean;
  for (const ImageEvaluation& e : images) {
    mean.psnr_y += e.scores.psnr_y;
    mean.ssim_y += e.scores.ssim_y;
    mean.psnr_rgb += e.scores.psnr_rgb;
    mean.ssim_rgb += e.scores.ssim_rgb;
  }
  const double n = static_cast<double>(images.size());
  mean.psnr_y /= n;
  mean.ssim_y /= n;
  mean.psnr_rgb /= n;
  mean.ssim_rgb /= n;
  return mean;
}

Result<EvaluationResult> evaluate_dataset(const SrDataset& dataset, const SrDatasetOptions& dataset_options,
                                          const ImageUpscaler& upscaler, const std::string& method,
                                          const EvaluationOptions& options) {
  if (!upscaler) return invalid_argument("no upscaler given");
  if (dataset.pairs.empty()) return invalid_argument("dataset " + dataset.name + " has no images");
  if (dataset_options.scale != dataset.scale) {
    return invalid_argument("dataset was opened for x" + std::to_string(dataset.scale) + " but options say x" +
                            std::to_string(dataset_options.scale));
  }
  const int shave = options.shave < 0 ? dataset.scale : options.shave;
  if (!options.save_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.save_dir, ec);
    if (ec) return io_error("cannot create " + options.save_dir.string() + ": " + ec.message());
  }
  const auto start = std::chrono::steady_clock::now();

  const std::size_t n = dataset.pairs.size();
  std::vector<std::optional<ImageEvaluation>> results(n);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex error_mu;
  std::optional<std::pair<std::size_t, Status>> first_error;  // lowest failing index wins (deterministic)

  auto record_error = [&](std::size_t i, Status s) {
    std::lock_guard<std::mutex> lock(error_mu);
    if (!first_error || i < first_error->first) first_error.emplace(i, std::move(s));
    stop.store(true);
  };
  auto evaluate_one = [&](std::size_t i) -> Status {
    const SrPair& pair = dataset.pairs[i];
    LITESR_ASSIGN_OR_RETURN(LoadedSrPair loaded, load_sr_pair(dataset, pair, dataset_options));
    Result<Image> sr = upscaler(loaded.lr_rgb);
    if (!sr.ok()) return sr.status();
    Image sr_u8;
    LITESR_ASSIGN_OR_RETURN(SrScores scores, score_sr_result(*sr, loaded.hr, dataset.scale, shave, &sr_u8));
    if (!options.save_dir.empty()) {
      WriteOptions wo;
      wo.format = ImageFormat::kPng;
      wo.overwrite = options.overwrite;
      LITESR_RETURN_IF_ERROR(write_image(options.save_dir / (pair.name + ".png"), sr_u8, wo));
    }
    results[i] = ImageEvaluation{pair.name, loaded.hr.width(), loaded.hr.height(), scores};
    return {};
  };
  auto worker = [&] {
    for (;;) {
      if (stop.load()) return;
      if (options.cancel != nullptr && options.cancel->cancelled()) {
        record_error(n, cancelled("evaluation interrupted"));
        return;
      }
      const std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      Status s = evaluate_one(i);
      if (!s.ok()) {
        record_error(i, s.with_context(dataset.name + "/" + dataset.pairs[i].name));
        return;
      }
      if (options.progress != nullptr) options.progress->advance(1, dataset.pairs[i].name);
    }
  };

  run_workers(options.threads, n, worker);
  if (first_error) return first_error->second;
  if (options.cancel != nullptr && options.cancel->cancelled()) return cancelled("evaluation interrupted");

  EvaluationResult out;
  out.dataset = dataset.name;
  out.scale = dataset.scale;
  out.method = method;
  out.shave = shave;
  out.lr_generated = dataset.lr_generated;
  for (auto& r : results) {
    if (!r) return internal_error("an image was not evaluated");
    out.images.push_back(std::move(*r));
  }
  out.mean = mean_scores(out.images);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace litesr

#include "calibration/quantize_model.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/image_ops.h"
#include "eval/luma_color.h"
#include "eval/matlab_resize.h"
#include "eval/metrics.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "io/image_folder.h"
#include "models/builtin_models.h"
#include "models/registry.h"
#include "runtime/int8_program.h"
#include "upscaler/model_upscaler.h"

namespace litesr {

namespace {

constexpr int kMinLrSide = 8;

struct SrPairU8 {
  Image hr;  // u8 RGB
  Image lr;  // u8 RGB, hr / s
};

// The centre w x h region of `src` as a new image.
Result<Image> centre_crop(const Image& src, int w, int h) {
  LITESR_ASSIGN_OR_RETURN(Image out, Image::create(w, h, src.channels(), src.type()));
  const int x0 = (src.width() - w) / 2, y0 = (src.height() - h) / 2;
  const std::size_t px = static_cast<std::size_t>(src.channels()) * pixel_type_size(src.type());
  for (int y = 0; y < h; ++y) std::memcpy(out.row_bytes_ptr(y), src.row_bytes_ptr(y0 + y) + x0 * px, w * px);
  return out;
}

Result<SrPairU8> load_pair(const std::filesystem::path& path, int scale, int crop) {
  LITESR_ASSIGN_OR_RETURN(const DecodedImage decoded, read_image(path));
  LITESR_ASSIGN_OR_RETURN(Image hr, to_u8_color(decoded.image));
  if (hr.channels() == 1) {
    LITESR_ASSIGN_OR_RETURN(hr, grey_to_rgb(hr));
  }
  if (hr.width() < kMinLrSide * scale || hr.height() < kMinLrSide * scale) {
    return invalid_argument(path.string() + ": " + std::to_string(hr.width()) + "x" + std::to_string(hr.height()) +
                            " is too small to calibrate x" + std::to_string(scale) + " (at least " +
                            std::to_string(kMinLrSide * scale) + " pixels per side)");
  }
  const int w = std::min(hr.width(), crop * scale) / scale * scale;
  const int h = std::min(hr.height(), crop * scale) / scale * scale;
  LITESR_ASSIGN_OR_RETURN(hr, centre_crop(hr, w, h));
  MatlabResizeOptions shrink;
  shrink.border = BorderMode::kReplicate;  // the benchmark LR files' rule (eval/sr_dataset.h)
  LITESR_ASSIGN_OR_RETURN(Image lr, matlab_imresize(hr, 1.0 / scale, shrink));
  return SrPairU8{std::move(hr), std::move(lr)};
}

// What the model takes for the LR image `lr` (u8 RGB): the image itself, or a luma model's Y/255 plane.
Result<Image> model_input(const Image& lr, bool luma) { return luma ? luma_of_rgb(lr) : lr.clone(); }

// Mean PSNR-Y of `model` over the pairs (u8 RGB in and out, `scale` pixels shaved), run as `litesr upscale` /
// `eval` run it (upscaler/model_upscaler.h, one thread): a luma model upscales Y and gets the chroma by MATLAB
// bicubic, a video model takes each image as a static window.
Result<double> mean_psnr_y(const ModelFile& model, const std::vector<SrPairU8>& pairs, int scale) {
  UpscalerOptions one_thread;
  one_thread.threads = 1;
  LITESR_ASSIGN_OR_RETURN(ModelUpscaler upscaler, ModelUpscaler::open_model(model, "model", one_thread));
  double sum = 0;
  for (const SrPairU8& p : pairs) {
    LITESR_ASSIGN_OR_RETURN(const Image sr, upscaler.upscale(p.lr));
    LITESR_ASSIGN_OR_RETURN(const SrScores scores, compute_sr_scores(sr, p.hr, scale));
    sum += scores.psnr_y;
  }
  return sum / static_cast<double>(pairs.size());
}

// The float model with `q` as its litesr.quantization.
ModelFile with_quantization(const ModelFile& float_model, const ModelQuantization& q) {
  ModelFile out = float_model;
  out.metadata[std::string(kMetaQuantization)] = model_quantization_json(q);
  return out;
}

// "T91" for "data/T91" and "data/T91/".
std::string folder_name(const std::filesystem::path& dir) {
  const std::filesystem::path normal = dir.lexically_normal();
  return (normal.has_filename() ? normal.filename() : normal.parent_path().filename()).string();
}

void progress(const QuantizeOptions& options, const std::string& line) {
  if (options.on_progress) options.on_progress(line);
}

}  // namespace

Result<QuantizeResult> quantize_model(const ModelFile& float_model, const QuantizeOptions& options) {
  if (is_quantized_model(float_model)) return invalid_argument("the model is already quantized (INT8)");
  if (options.max_images < 2) return invalid_argument("max_images must be at least 2 (one image is held out)");
  if (options.crop < kMinLrSide) return invalid_argument("crop must be at least " + std::to_string(kMinLrSide));
  if (!(options.percentile > 50.0 && options.percentile <= 100.0)) {
    return invalid_argument("percentile must be in (50, 100]");
  }
  std::vector<RangeMethod> methods;
  if (options.method == "auto") {
    methods = {RangeMethod::kMinMax, RangeMethod::kPercentile, RangeMethod::kMse};
  } else {
    LITESR_ASSIGN_OR_RETURN(const RangeMethod m, parse_range_method(options.method));
    methods = {m};
  }
  LITESR_ASSIGN_OR_RETURN(const Graph graph, models::build_graph(float_model));
  LITESR_ASSIGN_OR_RETURN(const Program program, compile_program(graph, float_model.tensors));
  const int scale = program.scale;
  const bool luma = frame_color(graph) == "y";

  LITESR_ASSIGN_OR_RETURN(std::vector<std::filesystem::path> files, list_images(options.calib_dir));
  if (files.size() > static_cast<std::size_t>(options.max_images)) files.resize(options.max_images);
  if (files.size() < 2) {
    return invalid_argument(options.calib_dir.string() + ": calibration needs at least 2 images (.png, .jpg, .webp), "
                            "found " + std::to_string(files.size()));
  }
  std::vector<SrPairU8> calibration, held_out;
  std::vector<Image> calibration_lr;
  for (std::size_t i = 0; i < files.size(); ++i) {
    LITESR_ASSIGN_OR_RETURN(SrPairU8 pair, load_pair(options.calib_dir / files[i], scale, options.crop));
    if (i % 4 == 3) {
      held_out.push_back(std::move(pair));
    } else {
      LITESR_ASSIGN_OR_RETURN(Image input, model_input(pair.lr, luma));
      calibration_lr.push_back(std::move(input));
    }
  }
  if (held_out.empty()) {  // 2 or 3 images: hold out the last
    LITESR_ASSIGN_OR_RETURN(SrPairU8 pair, load_pair(options.calib_dir / files.back(), scale, options.crop));
    held_out.push_back(std::move(pair));
    calibration_lr.pop_back();
  }
  progress(options, "calibrating on " + std::to_string(calibration_lr.size()) + " images, " +
                        std::to_string(held_out.size()) + " held out");
  LITESR_ASSIGN_OR_RETURN(const ActivationStats stats, observe_activations(program, calibration_lr));

  QuantizeResult result;
  result.calibration_images = static_cast<int>(calibration_lr.size());
  result.held_out_images = static_cast<int>(held_out.size());
  LITESR_ASSIGN_OR_RETURN(result.float_psnr_y, mean_psnr_y(float_model, held_out, scale));

  ModelQuantization best;
  double best_psnr = -1;
  for (RangeMethod method : methods) {
    LITESR_ASSIGN_OR_RETURN(ModelQuantization q, quantization_from_stats(program, stats, method, options.percentile));
    LITESR_ASSIGN_OR_RETURN(const double psnr, mean_psnr_y(with_quantization(float_model, q), held_out, scale));
    result.scores.push_back({method, psnr});
    char line[128];
    std::snprintf(line, sizeof line, "%-10s held-out PSNR-Y %.3f dB (float %.3f)", std::string(range_method_name(method)).c_str(),
                  psnr, result.float_psnr_y);
    progress(options, line);
    if (psnr > best_psnr) {  // ties keep the earlier (simpler) method
      best_psnr = psnr;
      best = std::move(q);
      result.method = method;
    }
  }
  char provenance[256];
  std::snprintf(provenance, sizeof provenance,
                "%s%s ranges from %d images of %s (%d held out: INT8 PSNR-Y %.3f dB, float %.3f dB)",
                std::string(range_method_name(result.method)).c_str(),
                result.method == RangeMethod::kPercentile ? (" " + std::to_string(options.percentile)).c_str() : "",
                result.calibration_images, folder_name(options.calib_dir).c_str(), result.held_out_images,
                best_psnr, result.float_psnr_y);
  best.calibration = provenance;
  result.model = with_quantization(float_model, best);
  return result;
}

Result<QuantizeResult> quantize_model(const std::string& model, const QuantizeOptions& options) {
  LITESR_ASSIGN_OR_RETURN(const ModelFile file, models::resolve_model(model));
  Result<QuantizeResult> result = quantize_model(file, options);
  if (!result.ok()) return result.status().with_context(model);
  return result;
}

}  // namespace litesr

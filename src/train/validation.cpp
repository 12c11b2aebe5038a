#include "train/validation.h"

#include "base/image_ops.h"
#include "eval/luma_color.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "report/difference_regions.h"
#include "train/loss.h"

namespace litesr::train {

torch::Tensor image_to_tensor(const Image& rgb_u8) {
  const ImageView<const uint8_t> v = rgb_u8.view<uint8_t>();
  torch::Tensor t = torch::empty({1, 3, v.height, v.width}, torch::kFloat);
  float* d = t.data_ptr<float>();
  const std::size_t plane = static_cast<std::size_t>(v.width) * v.height;
  for (int y = 0; y < v.height; ++y) {
    for (int x = 0; x < v.width; ++x) {
      for (int c = 0; c < 3; ++c) d[c * plane + static_cast<std::size_t>(y) * v.width + x] = v.at(x, y, c) / 255.0f;
    }
  }
  return t;
}

Result<Image> tensor_to_image(const torch::Tensor& chw) {
  const torch::Tensor t = chw.detach().to(torch::kFloat).contiguous();
  if (t.dim() != 3 || t.size(0) != 3) return invalid_argument("tensor_to_image: expected [3, H, W]");
  const int h = static_cast<int>(t.size(1)), w = static_cast<int>(t.size(2));
  LITESR_ASSIGN_OR_RETURN(Image img, Image::create(w, h, 3, PixelType::kU8));
  ImageView<uint8_t> v = img.view<uint8_t>();
  const float* d = t.data_ptr<float>();
  const std::size_t plane = static_cast<std::size_t>(w) * h;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        const float s = std::clamp(d[c * plane + static_cast<std::size_t>(y) * w + x], 0.0f, 1.0f) * 255.0f;
        v.at(x, y, c) = static_cast<uint8_t>(s + 0.5f);
      }
    }
  }
  return img;
}

namespace {

// The validation pairs: the benchmark folder's, or the held-out files' (LR generated).
Result<SrDataset> validation_dataset(const ValidationSpec& spec, const SrDatasetOptions& options) {
  if (!spec.dir.empty()) return open_sr_dataset(spec.dir, options);
  SrDataset d;
  d.name = spec.label();
  d.scale = options.scale;
  d.lr_generated = true;
  for (const auto& f : spec.images) d.pairs.push_back(SrPair{f.stem().string(), f, {}});
  return d;
}

// The network's output frame for one LR image as a u8 RGB image: [1, C·T, sH, sW], last frame; C = 1 for a
// luma network (`luma_net`), whose Y is merged with the LR image's bicubic chroma.
Result<Image> network_output_image(SrNetwork& net, const Image& lr_rgb, int scale, int frames, bool luma_net) {
  const int c = luma_net ? 1 : 3;
  torch::Tensor x = image_to_tensor(lr_rgb);
  if (luma_net) x = sr_luma(x);
  if (frames > 1) x = x.repeat({1, frames, 1, 1});
  const torch::Tensor y = net.forward(x).narrow(1, c * (frames - 1), c).squeeze(0);  // [C, sH, sW]
  if (!luma_net) return tensor_to_image(y);
  const torch::Tensor plane = y.detach().to(torch::kFloat).clamp(0.0, 1.0).contiguous();
  LITESR_ASSIGN_OR_RETURN(Image y_sr, Image::create(static_cast<int>(plane.size(2)), static_cast<int>(plane.size(1)),
                                                    1, PixelType::kF32));
  std::copy_n(plane.data_ptr<float>(), plane.numel(), y_sr.view<float>().data);
  return merge_upscaled_luma(y_sr, lr_rgb, scale);
}

Status write_crops(const ValidationCrops& crops, const std::string& name, const Image& sr, const LoadedSrPair& pair,
                   int scale) {
  namespace fs = std::filesystem;
  // The most detailed window of the HR (report/difference_regions.h's detail map), fixed across validations.
  LITESR_ASSIGN_OR_RETURN(const Image hr_rgb, grey_to_rgb(pair.hr));
  const Image* hr_image = &hr_rgb;
  LITESR_ASSIGN_OR_RETURN(const std::vector<DifferenceRegion> regions,
                          find_difference_regions({&hr_image, 1}, {}, {}, nullptr,
                                                  RegionOptions{.count = 1, .size = crops.side, .align = scale}));
  if (regions.empty()) return {};  // smaller than one scale x scale window
  const DifferenceRegion& w = regions.front();
  const fs::path step_dir = crops.dir / std::to_string(crops.iteration);
  std::error_code ec;
  for (const fs::path& d : {step_dir, crops.dir / "hr", crops.dir / "lr"}) {
    fs::create_directories(d, ec);
    if (ec) return io_error(d.string() + ": " + ec.message());
  }
  LITESR_ASSIGN_OR_RETURN(const Image out, copy_window(sr, w.x, w.y, w.size, w.size));
  LITESR_RETURN_IF_ERROR(write_image(step_dir / (name + ".png"), out));
  // HR and LR each time: a run that changes scale (ELSR x2 -> x4) ends with the LR of its last scale.
  LITESR_ASSIGN_OR_RETURN(const Image hr, copy_window(pair.hr, w.x, w.y, w.size, w.size));
  LITESR_RETURN_IF_ERROR(write_image(crops.dir / "hr" / (name + ".png"), hr));
  const int lr_side = w.size / scale;
  LITESR_ASSIGN_OR_RETURN(const Image lr, copy_window(pair.lr_rgb, w.x / scale, w.y / scale, lr_side, lr_side));
  return write_image(crops.dir / "lr" / (name + ".png"), lr);
}

}  // namespace

Result<ValidationSums> validate_network_shard(SrNetwork& net, const ValidationSpec& spec, int shard_index,
                                              int shard_count, const ValidationCrops* crops) {
  if (shard_count < 1 || shard_index < 0 || shard_index >= shard_count) {
    return invalid_argument("validate_network_shard: shard " + std::to_string(shard_index) + " of " +
                            std::to_string(shard_count));
  }
  const int scale = config_scale(net.config());
  const int frames = config_frames(net.config());
  const bool luma_net = config_frame_channels(net.config()) == 1;
  const int max_images = spec.max_images;
  SrDatasetOptions options;
  options.scale = scale;
  LITESR_ASSIGN_OR_RETURN(SrDataset dataset, validation_dataset(spec, options));
  const bool was_training = net.is_training();
  ValidationSums result;
  try {
    net.eval();
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < dataset.pairs.size(); ++i) {
      if (max_images > 0 && i >= static_cast<std::size_t>(max_images)) break;
      if (static_cast<int>(i % shard_count) != shard_index) continue;
      const SrPair& pair = dataset.pairs[i];
      Result<LoadedSrPair> loaded = load_sr_pair(dataset, pair, options);
      if (!loaded.ok()) {
        net.train(was_training);
        return loaded.status();
      }
      Result<Image> sr = network_output_image(net, loaded->lr_rgb, scale, frames, luma_net);
      if (!sr.ok()) {
        net.train(was_training);
        return sr.status();
      }
      Result<SrScores> s = compute_sr_scores(*sr, loaded->hr, scale);
      if (!s.ok()) {
        net.train(was_training);
        return s.status().with_context(pair.name);
      }
      if (crops != nullptr && shard_index == 0 && result.images < crops->max_images) {
        if (Status st = write_crops(*crops, pair.name, *sr, *loaded, scale); !st.ok()) {
          net.train(was_training);
          return st.with_context("validation crops");
        }
      }
      result.sum.psnr_y += s->psnr_y;
      result.sum.ssim_y += s->ssim_y;
      result.sum.psnr_rgb += s->psnr_rgb;
      result.sum.ssim_rgb += s->ssim_rgb;
      ++result.images;
    }
  } catch (const c10::Error& e) {
    net.train(was_training);
    return internal_error(std::string("validation: ") + e.what_without_backtrace());
  }
  net.train(was_training);
  return result;
}

Result<ValidationResult> validate_network(SrNetwork& net, const ValidationSpec& spec, const ValidationCrops* crops) {
  LITESR_ASSIGN_OR_RETURN(ValidationSums sums, validate_network_shard(net, spec, 0, 1, crops));
  ValidationResult result;
  result.images = sums.images;
  result.mean = sums.sum;
  if (result.images > 0) {
    result.mean.psnr_y /= result.images;
    result.mean.ssim_y /= result.images;
    result.mean.psnr_rgb /= result.images;
    result.mean.ssim_rgb /= result.images;
  }
  return result;
}

}  // namespace litesr::train

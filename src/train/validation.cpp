#include "train/validation.h"

#include "eval/sr_dataset.h"

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

Result<ValidationSums> validate_network_shard(SrNetwork& net, const std::filesystem::path& dir, int max_images,
                                              int shard_index, int shard_count) {
  if (shard_count < 1 || shard_index < 0 || shard_index >= shard_count) {
    return invalid_argument("validate_network_shard: shard " + std::to_string(shard_index) + " of " +
                            std::to_string(shard_count));
  }
  const int scale = config_scale(net.config());
  const int frames = config_frames(net.config());
  SrDatasetOptions options;
  options.scale = scale;
  LITESR_ASSIGN_OR_RETURN(SrDataset dataset, open_sr_dataset(dir, options));
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
      torch::Tensor x = image_to_tensor(loaded->lr_rgb);
      if (frames > 1) x = x.repeat({1, frames, 1, 1});
      torch::Tensor y = net.forward(x);                  // [1, 3·T, sH, sW]
      y = y.narrow(1, 3 * (frames - 1), 3).squeeze(0);  // last frame [3, sH, sW]
      Result<Image> sr = tensor_to_image(y);
      if (!sr.ok()) {
        net.train(was_training);
        return sr.status();
      }
      Result<SrScores> s = compute_sr_scores(*sr, loaded->hr, scale);
      if (!s.ok()) {
        net.train(was_training);
        return s.status().with_context(pair.name);
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

Result<ValidationResult> validate_network(SrNetwork& net, const std::filesystem::path& dir, int max_images) {
  LITESR_ASSIGN_OR_RETURN(ValidationSums sums, validate_network_shard(net, dir, max_images, 0, 1));
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

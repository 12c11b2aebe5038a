#include "eval/sr_dataset.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <system_error>

#include "base/image_ops.h"
#include "base/image_size.h"
#include "eval/matlab_resize.h"
#include "io/image_file.h"
#include "io/image_folder.h"

namespace litesr {

namespace {

namespace fs = std::filesystem;

}  // namespace

Result<Image> modcrop(const Image& image, int scale) {
  if (scale < 1) return invalid_argument("modcrop scale must be >= 1, got " + std::to_string(scale));
  const int w = image.width() - image.width() % scale;
  const int h = image.height() - image.height() % scale;
  if (w < 1 || h < 1) {
    return invalid_argument("a " + size_text(image.width(), image.height()) + " image is smaller than the scale " +
                            std::to_string(scale));
  }
  LITESR_ASSIGN_OR_RETURN(Image out, Image::create(w, h, image.channels(), image.type()));
  const std::size_t bytes = static_cast<std::size_t>(w) * image.channels() * pixel_type_size(image.type());
  for (int y = 0; y < h; ++y) std::memcpy(out.row_bytes_ptr(y), image.row_bytes_ptr(y), bytes);
  return out;
}

Result<Image> to_u8_color(const Image& image) {
  if (image.empty()) return invalid_argument("empty image");
  const int color = image.channels() <= 2 ? 1 : 3;
  Image u8;
  if (image.type() == PixelType::kU8) {
    u8 = image.clone();
  } else {
    LITESR_ASSIGN_OR_RETURN(u8, convert_pixel_type(image, PixelType::kU8));
  }
  if (u8.channels() == color) return u8;
  return extract_channels(u8, 0, color);
}

Result<SrDataset> open_sr_dataset(const fs::path& dir, const SrDatasetOptions& options) {
  if (options.scale < 1) return invalid_argument("scale must be a positive integer, got " + std::to_string(options.scale));
  std::error_code ec;
  if (!fs::exists(dir, ec)) return not_found("dataset folder " + dir.string() + " does not exist");
  if (!fs::is_directory(dir, ec)) return invalid_argument("dataset " + dir.string() + " is not a folder");
  const fs::path hr_dir = dir / "HR";
  if (!fs::is_directory(hr_dir, ec)) {
    return not_found("dataset " + dir.string() + " has no HR folder (expected " + hr_dir.string() + ")");
  }
  LITESR_ASSIGN_OR_RETURN(std::vector<fs::path> hr_files, list_images(hr_dir));
  if (hr_files.empty()) return invalid_argument("no images in " + hr_dir.string());

  SrDataset ds;
  ds.root = dir;
  ds.name = fs::weakly_canonical(dir, ec).filename().string();
  if (ds.name.empty()) ds.name = dir.filename().string();
  ds.scale = options.scale;
  const std::string sx = "X" + std::to_string(options.scale);
  const fs::path lr_dir = dir / "LR_bicubic" / sx;
  ds.lr_generated = !fs::is_directory(lr_dir, ec);
  for (const fs::path& rel : hr_files) {
    SrPair pair;
    pair.name = rel.stem().string();
    pair.hr_path = hr_dir / rel;
    if (!ds.lr_generated) {
      pair.lr_path = lr_dir / (pair.name + "x" + std::to_string(options.scale) + ".png");
      if (!fs::exists(pair.lr_path, ec)) {
        return not_found("LR image " + pair.lr_path.string() + " for " + pair.hr_path.filename().string() +
                         " is missing (remove " + lr_dir.string() + " to generate every LR image instead)");
      }
    }
    ds.pairs.push_back(std::move(pair));
  }
  std::sort(ds.pairs.begin(), ds.pairs.end(), [](const SrPair& a, const SrPair& b) { return a.name < b.name; });
  for (std::size_t i = 1; i < ds.pairs.size(); ++i) {
    if (ds.pairs[i].name == ds.pairs[i - 1].name) {
      return invalid_argument("two HR images share the name '" + ds.pairs[i].name + "' in " + hr_dir.string());
    }
  }
  return ds;
}

Result<LoadedSrPair> load_sr_pair(const SrDataset& dataset, const SrPair& pair, const SrDatasetOptions& options) {
  const int s = dataset.scale;
  LITESR_ASSIGN_OR_RETURN(DecodedImage hr_file, read_image(pair.hr_path));
  LITESR_ASSIGN_OR_RETURN(Image hr_color, to_u8_color(hr_file.image));
  Result<Image> cropped = modcrop(hr_color, s);
  if (!cropped.ok()) return cropped.status().with_context(pair.hr_path.string());
  LoadedSrPair out;
  out.hr = std::move(cropped).value();
  Image lr;
  if (pair.lr_path.empty()) {
    MatlabResizeOptions ro;
    ro.border = options.lr_border;
    LITESR_ASSIGN_OR_RETURN(lr, matlab_imresize(out.hr, 1.0 / s, ro));
  } else {
    LITESR_ASSIGN_OR_RETURN(DecodedImage lr_file, read_image(pair.lr_path));
    LITESR_ASSIGN_OR_RETURN(lr, to_u8_color(lr_file.image));
  }
  if (lr.width() * s != out.hr.width() || lr.height() * s != out.hr.height()) {
    return invalid_argument(pair.lr_path.string() + ": LR is " + size_text(lr.width(), lr.height()) +
                            " but the mod-cropped HR " + pair.hr_path.filename().string() + " is " +
                            size_text(out.hr.width(), out.hr.height()) + " (expected HR / " + std::to_string(s) + ")");
  }
  LITESR_ASSIGN_OR_RETURN(out.lr_rgb, grey_to_rgb(lr));
  return out;
}

}  // namespace litesr

#include "report/image_panel.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "base/image_ops.h"
#include "eval/matlab_resize.h"
#include "eval/metrics.h"
#include "io/image_file.h"

namespace litesr {
namespace {

constexpr int kWebpMaxSide = 16383;
constexpr int kThumbnailQuality = 80;

// Pastes `src` into `dst` at (x, y).
void paste(const Image& src, Image& dst, int x, int y) {
  const std::size_t bytes = static_cast<std::size_t>(src.width()) * src.channels();
  for (int r = 0; r < src.height(); ++r) {
    std::memcpy(dst.row_bytes_ptr(y + r) + static_cast<std::size_t>(x) * dst.channels(), src.row_bytes_ptr(r), bytes);
  }
}

Result<EncodedImage> encode_lossless_impl(const Image& image) {
  WriteOptions wo;
  EncodedImage out;
  if (image.width() <= kWebpMaxSide && image.height() <= kWebpMaxSide) {
    wo.format = ImageFormat::kWebp;
    wo.lossless = true;
    out.mime = "image/webp";
  } else {
    wo.format = ImageFormat::kPng;
    wo.png_level = 9;
    out.mime = "image/png";
  }
  LITESR_ASSIGN_OR_RETURN(out.bytes, encode_image(image, wo));
  out.width = image.width();
  out.height = image.height();
  return out;
}

// The views' windows of `image` (coordinates already in its pixels) side by side, or the image itself.
Result<EncodedImage> encode_layer(const Image& image, const std::vector<std::array<int, 4>>& cells, bool whole) {
  if (whole) return encode_lossless_impl(image);
  int width = 0, height = 0;
  for (const auto& c : cells) {
    width += c[2];
    height = std::max(height, c[3]);
  }
  if (width == 0 || height == 0) return EncodedImage{};
  LITESR_ASSIGN_OR_RETURN(Image sprite, Image::create(width, height, image.channels(), PixelType::kU8));
  int x = 0;
  for (const auto& c : cells) {
    LITESR_ASSIGN_OR_RETURN(Image crop, copy_window(image, c[0], c[1], c[2], c[3]));
    paste(crop, sprite, x, 0);
    x += c[2];
  }
  return encode_lossless_impl(sprite);
}

// PSNR-Y of a window of `sr` against the same window of `hr` (no shave).
Result<double> window_psnr_y(const Image& sr, const Image& hr, const PanelView& v) {
  LITESR_ASSIGN_OR_RETURN(Image a, copy_window(sr, v.x, v.y, v.width, v.height));
  LITESR_ASSIGN_OR_RETURN(Image b, copy_window(hr, v.x, v.y, v.width, v.height));
  return psnr_y_against(a, b);
}

Result<EncodedImage> make_thumbnail(const Image& source, int side, double* factor) {
  const int longest = std::max(source.width(), source.height());
  Image small;
  if (longest > side) {
    const double f = static_cast<double>(side) / longest;
    const int w = std::max(1, static_cast<int>(std::lround(source.width() * f)));
    const int h = std::max(1, static_cast<int>(std::lround(source.height() * f)));
    LITESR_ASSIGN_OR_RETURN(small, matlab_imresize_to(source, w, h));
  } else {
    small = source.clone();
  }
  *factor = static_cast<double>(small.width()) / source.width();
  WriteOptions wo;
  wo.format = ImageFormat::kJpeg;
  wo.quality = kThumbnailQuality;
  EncodedImage out;
  out.mime = "image/jpeg";
  LITESR_ASSIGN_OR_RETURN(out.bytes, encode_image(small, wo));
  out.width = small.width();
  out.height = small.height();
  return out;
}

}  // namespace

Result<EncodedImage> encode_lossless_image(const Image& image) { return encode_lossless_impl(image); }

Result<Image> copy_image_window(const Image& image, int x, int y, int w, int h) {
  if (image.type() != PixelType::kU8) return invalid_argument("copy_image_window needs an 8-bit image");
  if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > image.width() || y + h > image.height()) {
    return invalid_argument("window outside the image");
  }
  return copy_window(image, x, y, w, h);
}

Result<double> psnr_y_against(const Image& image, const Image& hr) {
  if (image.width() != hr.width() || image.height() != hr.height()) {
    return invalid_argument("PSNR of images of different sizes");
  }
  Plane pa, pb;
  if (hr.channels() <= 2) {  // grey ground truth: full-range luma for both (metrics.h)
    LITESR_ASSIGN_OR_RETURN(pa, grey_luma_plane(image, 0));
    LITESR_ASSIGN_OR_RETURN(pb, grey_luma_plane(hr, 0));
  } else {
    LITESR_ASSIGN_OR_RETURN(pa, sr_luma_plane(image, 0));
    LITESR_ASSIGN_OR_RETURN(pb, sr_luma_plane(hr, 0));
  }
  return psnr_planes({&pa}, {&pb});
}

std::size_t ImagePanel::embedded_bytes() const {
  std::size_t n = thumbnail.bytes.size();
  for (const PanelLayer& l : layers) n += l.image.bytes.size();
  return n;
}

Result<ImagePanel> build_image_panel(const PanelInput& input, const PanelOptions& options) {
  const int s = input.scale;
  if (s < 1) return invalid_argument("panel scale must be >= 1");
  if (input.lr == nullptr || input.lr->type() != PixelType::kU8 || input.lr->channels() != 3) {
    return invalid_argument(input.name + ": the panel needs the 8-bit RGB LR image");
  }
  const int w = input.lr->width() * s, h = input.lr->height() * s;
  std::vector<const Image*> outputs;
  for (const PanelMethod& m : input.methods) {
    if (m.sr == nullptr || m.sr->type() != PixelType::kU8 || m.sr->channels() != 3) {
      return invalid_argument(input.name + ": " + m.name + "'s output is not 8-bit RGB");
    }
    if (m.sr->width() != w || m.sr->height() != h) {
      return invalid_argument(input.name + ": " + m.name + "'s output is not " + std::to_string(s) + " x the LR");
    }
    outputs.push_back(m.sr);
  }
  if (input.hr != nullptr &&
      (input.hr->width() != w || input.hr->height() != h || input.hr->type() != PixelType::kU8)) {
    return invalid_argument(input.name + ": the HR image is not " + std::to_string(s) + " x the LR (8-bit)");
  }

  ImagePanel panel;
  panel.name = input.name;
  panel.scale = s;
  panel.width = w;
  panel.height = h;
  panel.full_images = options.full_images;

  if (!outputs.empty()) {
    RegionOptions ro;
    ro.count = options.regions;
    ro.size = options.crop_size;
    ro.align = s;
    ro.border = options.border;
    LITESR_ASSIGN_OR_RETURN(panel.regions,
                            find_difference_regions(outputs, input.disagreement, input.error, input.hr, ro));
  }
  for (std::size_t i = 0; i < panel.regions.size(); ++i) {
    const DifferenceRegion& r = panel.regions[i];
    panel.views.push_back({"Region " + std::to_string(i + 1), r.x, r.y, r.size, r.size, static_cast<int>(i)});
  }
  if (options.full_images || panel.views.empty()) {
    panel.views.push_back({"Whole image", 0, 0, w, h, -1});
  }
  // Without a region (a single method and no room, or a tiny image) the whole image is the one view.
  const bool whole = options.full_images || panel.regions.empty();

  Image hr_rgb;
  if (input.hr != nullptr) {
    LITESR_ASSIGN_OR_RETURN(hr_rgb, grey_to_rgb(*input.hr));
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();

  auto add_layer = [&](std::string label, LayerKind kind, int method, const Image& image, int factor_div) -> Status {
    PanelLayer layer;
    layer.label = std::move(label);
    layer.kind = kind;
    layer.method = method;
    layer.factor = 1.0 / factor_div;
    std::vector<std::array<int, 4>> source;  // the views' windows in this layer's pixels
    for (const PanelView& v : panel.views) {
      source.push_back({v.x / factor_div, v.y / factor_div, v.width / factor_div, v.height / factor_div});
    }
    LITESR_ASSIGN_OR_RETURN(layer.image, encode_layer(image, source, whole));
    int x = 0;
    for (const auto& c : source) {
      if (whole) {
        layer.cells.push_back(c);
      } else {
        layer.cells.push_back({x, 0, c[2], c[3]});
        x += c[2];
      }
    }
    for (const PanelView& v : panel.views) {
      double p = nan;
      if (kind == LayerKind::kMethod && input.hr != nullptr) {
        LITESR_ASSIGN_OR_RETURN(p, window_psnr_y(image, *input.hr, v));
      }
      layer.view_psnr_y.push_back(p);
    }
    panel.layers.push_back(std::move(layer));
    return {};
  };
  LITESR_RETURN_IF_ERROR(add_layer("LR (nearest)", LayerKind::kLr, -1, *input.lr, s));
  for (std::size_t i = 0; i < input.methods.size(); ++i) {
    LITESR_RETURN_IF_ERROR(add_layer(input.methods[i].name, LayerKind::kMethod, static_cast<int>(i), *outputs[i], 1));
  }
  if (input.hr != nullptr) LITESR_RETURN_IF_ERROR(add_layer("HR", LayerKind::kHr, -1, hr_rgb, 1));

  LITESR_ASSIGN_OR_RETURN(panel.thumbnail, make_thumbnail(input.hr != nullptr ? hr_rgb : *input.lr,
                                                          options.thumbnail_side, &panel.thumbnail_factor));
  if (input.hr == nullptr) panel.thumbnail_factor *= 1.0 / s;  // the LR stands for the output: per output pixel
  return panel;
}

}  // namespace litesr

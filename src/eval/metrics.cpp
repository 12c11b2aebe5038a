#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "base/color.h"
#include "base/image_size.h"

namespace litesr {

namespace {

Status check_shave(const Image& image, int shave) {
  if (image.empty()) return invalid_argument("empty image");
  if (image.type() != PixelType::kU8) {
    return invalid_argument("metrics need 8-bit images, got " + std::string(pixel_type_name(image.type())));
  }
  if (shave < 0) return invalid_argument("shave must be >= 0, got " + std::to_string(shave));
  if (2 * shave >= image.width() || 2 * shave >= image.height()) {
    return invalid_argument("shaving " + std::to_string(shave) + " pixels leaves nothing of a " +
                            size_text(image.width(), image.height()) + " image");
  }
  return {};
}

// Number of colour channels (alpha excluded): 1 for G/GA, 3 for RGB/RGBA.
int color_channels(const Image& image) { return image.channels() <= 2 ? 1 : 3; }

// Normalised 1-D Gaussian taps; the 2-D MATLAB window fspecial('gaussian', n, σ) is their outer product.
std::vector<double> gaussian_taps(int n, double sigma) {
  std::vector<double> g(static_cast<std::size_t>(n));
  const double centre = (n - 1) / 2.0;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    const double d = i - centre;
    g[i] = std::exp(-(d * d) / (2.0 * sigma * sigma));
    sum += g[i];
  }
  for (double& v : g) v /= sum;
  return g;
}

// One vertical window tap over a row pair: v* += gk·(a, b, a², b², ab), x in [0, w). The outputs never alias
// the inputs or each other (restrict lets the compiler vectorise).
void accumulate_window_row(const double* __restrict ra, const double* __restrict rb, double gk, int w,
                           double* __restrict va, double* __restrict vb, double* __restrict vaa,
                           double* __restrict vbb, double* __restrict vab) {
  for (int x = 0; x < w; ++x) {
    const double pa = ra[x];
    const double pb = rb[x];
    va[x] += gk * pa;
    vb[x] += gk * pb;
    vaa[x] += gk * (pa * pa);
    vbb[x] += gk * (pb * pb);
    vab[x] += gk * (pa * pb);
  }
}

}  // namespace

Result<Plane> plane_from_u8(const Image& image, int channel, int shave) {
  LITESR_RETURN_IF_ERROR(check_shave(image, shave));
  if (channel < 0 || channel >= image.channels()) {
    return invalid_argument("channel " + std::to_string(channel) + " out of range");
  }
  Plane p;
  p.width = image.width() - 2 * shave;
  p.height = image.height() - 2 * shave;
  p.data.resize(static_cast<std::size_t>(p.width) * p.height);
  const auto v = image.view<uint8_t>();
  for (int y = 0; y < p.height; ++y) {
    for (int x = 0; x < p.width; ++x) {
      p.data[static_cast<std::size_t>(y) * p.width + x] = v.at(x + shave, y + shave, channel);
    }
  }
  return p;
}

Result<Plane> sr_luma_plane(const Image& image, int shave) {
  LITESR_RETURN_IF_ERROR(check_shave(image, shave));
  Plane p;
  p.width = image.width() - 2 * shave;
  p.height = image.height() - 2 * shave;
  p.data.resize(static_cast<std::size_t>(p.width) * p.height);
  const auto v = image.view<uint8_t>();
  const bool grey = color_channels(image) == 1;
  for (int y = 0; y < p.height; ++y) {
    for (int x = 0; x < p.width; ++x) {
      const double r = v.at(x + shave, y + shave, 0) / 255.0;
      const double g = grey ? r : v.at(x + shave, y + shave, 1) / 255.0;
      const double b = grey ? r : v.at(x + shave, y + shave, 2) / 255.0;
      p.data[static_cast<std::size_t>(y) * p.width + x] = sr_luma_255(r, g, b);
    }
  }
  return p;
}

Result<double> psnr_planes(const std::vector<const Plane*>& a, const std::vector<const Plane*>& b, double peak) {
  if (a.empty() || a.size() != b.size()) return invalid_argument("psnr needs the same non-zero number of planes");
  double sum = 0.0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i]->width != b[i]->width || a[i]->height != b[i]->height) {
      return invalid_argument("psnr: plane sizes differ (" + size_text(a[i]->width, a[i]->height) + " vs " +
                              size_text(b[i]->width, b[i]->height) + ")");
    }
    for (std::size_t k = 0; k < a[i]->data.size(); ++k) {
      const double d = a[i]->data[k] - b[i]->data[k];
      sum += d * d;
    }
    count += a[i]->data.size();
  }
  if (count == 0) return invalid_argument("psnr of empty planes");
  const double mse = sum / static_cast<double>(count);
  if (mse == 0.0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(peak * peak / mse);
}

Result<double> ssim_plane(const Plane& a, const Plane& b, const SsimOptions& options) {
  if (a.width != b.width || a.height != b.height) {
    return invalid_argument("ssim: plane sizes differ (" + size_text(a.width, a.height) + " vs " +
                            size_text(b.width, b.height) + ")");
  }
  const int n = options.window_size;
  if (n < 1 || !(options.sigma > 0.0)) return invalid_argument("ssim: bad window");
  if (a.width < n || a.height < n) {
    return invalid_argument("ssim needs at least " + size_text(n, n) + " pixels after shaving, got " +
                            size_text(a.width, a.height));
  }
  const std::vector<double> g = gaussian_taps(n, options.sigma);
  const double c1 = (options.k1 * options.dynamic_range) * (options.k1 * options.dynamic_range);
  const double c2 = (options.k2 * options.dynamic_range) * (options.k2 * options.dynamic_range);
  const int w = a.width;
  const int ow = a.width - n + 1;
  const int oh = a.height - n + 1;
  // Separable 'valid' filtering, one output row at a time: the window's vertical taps over the five
  // fields a, b, a², b², ab into column sums (width w), then its horizontal taps (width ow).
  std::vector<double> col(static_cast<std::size_t>(5) * w);
  double* va = col.data();
  double* vb = va + w;
  double* vaa = vb + w;
  double* vbb = vaa + w;
  double* vab = vbb + w;
  std::vector<double> row(static_cast<std::size_t>(5) * ow);  // horizontal results: μa, μb, E[a²], E[b²], E[ab]
  double* ha = row.data();
  double* hb = ha + ow;
  double* haa = hb + ow;
  double* hbb = haa + ow;
  double* hab = hbb + ow;
  double sum = 0.0;
  for (int y = 0; y < oh; ++y) {
    std::fill(col.begin(), col.end(), 0.0);
    for (int k = 0; k < n; ++k) {
      accumulate_window_row(&a.data[static_cast<std::size_t>(y + k) * w], &b.data[static_cast<std::size_t>(y + k) * w],
                            g[k], w, va, vb, vaa, vbb, vab);
    }
    std::fill(row.begin(), row.end(), 0.0);
    for (int k = 0; k < n; ++k) {
      const double gk = g[k];
      for (int x = 0; x < ow; ++x) {
        ha[x] += gk * va[x + k];
        hb[x] += gk * vb[x + k];
        haa[x] += gk * vaa[x + k];
        hbb[x] += gk * vbb[x + k];
        hab[x] += gk * vab[x + k];
      }
    }
    for (int x = 0; x < ow; ++x) {
      const double m1 = ha[x];
      const double m2 = hb[x];
      const double s11 = haa[x] - m1 * m1;
      const double s22 = hbb[x] - m2 * m2;
      const double s12 = hab[x] - m1 * m2;
      sum += ((2.0 * m1 * m2 + c1) * (2.0 * s12 + c2)) / ((m1 * m1 + m2 * m2 + c1) * (s11 + s22 + c2));
    }
  }
  return sum / (static_cast<double>(ow) * oh);
}

Result<Plane> grey_luma_plane(const Image& image, int shave) {
  LITESR_ASSIGN_OR_RETURN(Plane p, sr_luma_plane(image, shave));
  for (double& v : p.data) v = (v - 16.0) * (255.0 / 219.0);
  return p;
}

Result<SrScores> compute_sr_scores(const Image& sr_u8, const Image& hr_u8, int shave) {
  LITESR_RETURN_IF_ERROR(check_shave(sr_u8, shave).with_context("SR image"));
  LITESR_RETURN_IF_ERROR(check_shave(hr_u8, shave).with_context("HR image"));
  if (sr_u8.width() != hr_u8.width() || sr_u8.height() != hr_u8.height()) {
    return invalid_argument("SR image is " + size_text(sr_u8.width(), sr_u8.height()) + " but HR is " +
                            size_text(hr_u8.width(), hr_u8.height()));
  }
  SrScores scores;
  // A grey ground truth is its own luma (MATLAB scripts convert only 3-channel images to YCbCr).
  const bool grey = color_channels(hr_u8) == 1;
  LITESR_ASSIGN_OR_RETURN(Plane ys, grey ? grey_luma_plane(sr_u8, shave) : sr_luma_plane(sr_u8, shave));
  LITESR_ASSIGN_OR_RETURN(Plane yh, grey ? grey_luma_plane(hr_u8, shave) : sr_luma_plane(hr_u8, shave));
  LITESR_ASSIGN_OR_RETURN(scores.psnr_y, psnr_planes({&ys}, {&yh}));
  LITESR_ASSIGN_OR_RETURN(scores.ssim_y, ssim_plane(ys, yh));

  // RGB: a grey image stands for R = G = B, so its single plane is reused for all three channels.
  std::vector<Plane> sr_planes;
  std::vector<Plane> hr_planes;
  for (int c = 0; c < color_channels(sr_u8); ++c) {
    LITESR_ASSIGN_OR_RETURN(Plane p, plane_from_u8(sr_u8, c, shave));
    sr_planes.push_back(std::move(p));
  }
  for (int c = 0; c < color_channels(hr_u8); ++c) {
    LITESR_ASSIGN_OR_RETURN(Plane p, plane_from_u8(hr_u8, c, shave));
    hr_planes.push_back(std::move(p));
  }
  std::vector<const Plane*> sp;
  std::vector<const Plane*> hp;
  for (int c = 0; c < 3; ++c) {
    sp.push_back(&sr_planes[sr_planes.size() == 1 ? 0 : c]);
    hp.push_back(&hr_planes[hr_planes.size() == 1 ? 0 : c]);
  }
  LITESR_ASSIGN_OR_RETURN(scores.psnr_rgb, psnr_planes(sp, hp));
  double ssim_sum = 0.0;
  for (int c = 0; c < 3; ++c) {
    LITESR_ASSIGN_OR_RETURN(double s, ssim_plane(*sp[c], *hp[c]));
    ssim_sum += s;
  }
  scores.ssim_rgb = ssim_sum / 3.0;
  return scores;
}

}  // namespace litesr

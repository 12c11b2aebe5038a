// The visual material a report shows for one image: an overview thumbnail, the regions where the methods differ
// most (report/difference_regions.h), and for every layer — the LR input (shown with nearest-neighbour
// magnification), each method's output and the HR when there is one — its crops of those regions, encoded for
// embedding in HTML.
//
// Encodings: crops are lossless (WebP lossless, PNG when a side exceeds WebP's 16383-pixel limit), because the
// differences a reader looks for are a few 8-bit levels; the thumbnail, only for orientation, is JPEG (q 80).
// Crop mode (the default) packs a layer's crops side by side in one "sprite" image per layer: view k is the
// k-th cell. Full mode (`full_images`) embeds each layer whole; views are then the regions plus the whole image.
// Every view's source rectangle in each layer's pixels is listed in PanelLayer::cells, so a viewer draws
// view k of layer j from layers[j].image at cells[k] without knowing which mode made it.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "base/image.h"
#include "base/status.h"
#include "report/difference_regions.h"

namespace litesr {

struct PanelOptions {
  int crop_size = 64;        // region side in output (HR) pixels, rounded down to a multiple of the scale
  int regions = 3;           // regions per image
  int thumbnail_side = 160;  // longest side of the overview thumbnail, pixels
  bool full_images = false;  // embed whole images (large reports) instead of crops
  int border = 0;            // regions keep this far from the edges when possible (the metrics' shave)
};

struct PanelMethod {
  std::string name;
  const Image* sr = nullptr;  // u8 RGB, scale x the LR
};

struct PanelInput {
  std::string name;
  int scale = 1;
  const Image* lr = nullptr;         // u8 RGB
  std::vector<PanelMethod> methods;  // the SR outputs, in report order
  const Image* hr = nullptr;         // u8 grey or RGB ground truth of the outputs' size, or nullptr
  std::vector<int> disagreement;     // indices into methods compared with each other (see difference_regions.h)
  std::vector<int> error;            // indices into methods compared with the HR
};

struct EncodedImage {
  std::string mime;   // "image/webp", "image/png", "image/jpeg"
  std::string bytes;  // the encoded file
  int width = 0;
  int height = 0;
};

enum class LayerKind { kLr, kMethod, kHr };

struct PanelLayer {
  std::string label;  // "LR (nearest)", the method's name, "HR"
  LayerKind kind = LayerKind::kMethod;
  int method = -1;  // index into PanelInput::methods for kMethod
  EncodedImage image;
  double factor = 1;                      // layer pixels per output pixel (1 / scale for the LR)
  std::vector<std::array<int, 4>> cells;  // per view: x, y, width, height in this layer's pixels
  std::vector<double> view_psnr_y;        // per view: PSNR-Y (dB) of the layer's view against the HR's
                                          // (no shave; NaN for the LR, the HR itself, or without HR)
};

struct PanelView {
  std::string label;                        // "Region 1", ..., "Whole image"
  int x = 0, y = 0, width = 0, height = 0;  // output pixels
  int region = -1;                          // index into ImagePanel::regions, -1 for the whole image
};

struct ImagePanel {
  std::string name;
  int scale = 1;
  int width = 0, height = 0;  // output (HR) size
  EncodedImage thumbnail;
  double thumbnail_factor = 1;  // thumbnail pixels per output pixel
  std::vector<DifferenceRegion> regions;
  std::vector<PanelView> views;
  std::vector<PanelLayer> layers;  // LR, methods in order, HR (when given)
  bool full_images = false;

  std::size_t embedded_bytes() const;  // thumbnail + every layer image, before base64
};

// kInvalidArgument when sizes disagree (outputs and HR must be scale x the LR) or images are not 8-bit.
Result<ImagePanel> build_image_panel(const PanelInput& input, const PanelOptions& options);

// The w x h window of a u8 image at (x, y) (inside it) as a new image.
Result<Image> copy_image_window(const Image& image, int x, int y, int w, int h);

// A u8 image encoded losslessly as panels embed it (WebP lossless, PNG beyond WebP's size limit).
Result<EncodedImage> encode_lossless_image(const Image& image);

// PSNR-Y (dB, no shave) of a u8 RGB image against a same-size u8 grey or RGB ground truth, with eval/metrics.h's
// luma rule (full-range luma for a grey ground truth).
Result<double> psnr_y_against(const Image& image, const Image& hr);

}  // namespace litesr

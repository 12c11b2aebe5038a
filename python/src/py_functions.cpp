// The module's free functions: the model list, MATLAB-exact resizing, the SR metrics and image files.
#include "py_functions.h"

#include <pybind11/stl.h>

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eval/matlab_resize.h"
#include "eval/metrics.h"
#include "eval/sr_dataset.h"
#include "io/image_file.h"
#include "models/builtin_models.h"
#include "numpy_image.h"
#include "path_argument.h"
#include "profile/builtin_catalog.h"
#include "status_error.h"
#include "without_gil.h"

namespace litesr::python {

namespace {

// An image argument as a packed Image (a copy: the metrics, the resizer and the encoders take whole images).
// `channel_axis`, when given, receives whether the array was (H, W, C) rather than (H, W).
Image image_argument(const py::array& array, const char* what, bool* channel_axis = nullptr) {
  const ArrayImage a = describe_image_array(array, what);
  if (channel_axis != nullptr) *channel_axis = a.channel_axis;
  return value_or_throw(without_gil([&] { return copy_to_image(a); }));
}

enum class Metric { kPsnr, kSsim };

// PSNR or SSIM of `sr` against the reference `hr` exactly as `litesr eval` scores an image (eval/metrics.h,
// compute_sr_scores): both reduced to 8-bit colour like eval does (to_u8_color: float32 rounded as
// floor(255·v + 0.5) clamped, uint16 rounded to 8 bits, alpha dropped), `shave` pixels removed from every side;
// y_only: BT.601 studio-range Y (unrounded), or full-range luma when `hr` is grey; else all three colour
// channels (a grey image counts as R = G = B).
Result<double> sr_metric(Metric metric, const Image& sr_any, const Image& hr_any, bool y_only, int shave) {
  LITESR_ASSIGN_OR_RETURN(const Image sr, to_u8_color(sr_any));
  LITESR_ASSIGN_OR_RETURN(const Image hr, to_u8_color(hr_any));
  if (sr.width() != hr.width() || sr.height() != hr.height()) {
    return invalid_argument("the images differ in size: " + std::to_string(sr.width()) + "x" +
                            std::to_string(sr.height()) + " and " + std::to_string(hr.width()) + "x" +
                            std::to_string(hr.height()));
  }
  std::vector<Plane> sr_planes;
  std::vector<Plane> hr_planes;
  if (y_only) {
    const bool grey = hr.channels() == 1;
    LITESR_ASSIGN_OR_RETURN(Plane ys, grey ? grey_luma_plane(sr, shave) : sr_luma_plane(sr, shave));
    LITESR_ASSIGN_OR_RETURN(Plane yh, grey ? grey_luma_plane(hr, shave) : sr_luma_plane(hr, shave));
    sr_planes.push_back(std::move(ys));
    hr_planes.push_back(std::move(yh));
  } else {
    for (int c = 0; c < sr.channels(); ++c) {
      LITESR_ASSIGN_OR_RETURN(Plane p, plane_from_u8(sr, c, shave));
      sr_planes.push_back(std::move(p));
    }
    for (int c = 0; c < hr.channels(); ++c) {
      LITESR_ASSIGN_OR_RETURN(Plane p, plane_from_u8(hr, c, shave));
      hr_planes.push_back(std::move(p));
    }
  }
  std::vector<const Plane*> sp;
  std::vector<const Plane*> hp;
  const int count = y_only ? 1 : 3;
  for (int c = 0; c < count; ++c) {
    sp.push_back(&sr_planes[sr_planes.size() == 1 ? 0 : c]);
    hp.push_back(&hr_planes[hr_planes.size() == 1 ? 0 : c]);
  }
  if (metric == Metric::kPsnr) return psnr_planes(sp, hp);
  double sum = 0.0;
  for (int c = 0; c < count; ++c) {
    LITESR_ASSIGN_OR_RETURN(const double s, ssim_plane(*sp[c], *hp[c]));
    sum += s;
  }
  return sum / count;
}

double metric_function(Metric metric, const py::array& a, const py::array& b, bool y_only, int shave) {
  const Image sr = image_argument(a, "a");
  const Image hr = image_argument(b, "b");
  return value_or_throw(without_gil([&] { return sr_metric(metric, sr, hr, y_only, shave); }));
}

py::array imresize(const py::array& array, std::optional<double> scale, std::optional<std::pair<int, int>> output_shape,
                   const std::string& border, bool antialias) {
  if (scale.has_value() == output_shape.has_value()) {
    throw StatusError(invalid_argument("imresize: give exactly one of scale and output_shape"));
  }
  MatlabResizeOptions options;
  options.border = value_or_throw(parse_border_mode(border));
  options.antialias = antialias;
  bool channel_axis = true;
  const Image src = image_argument(array, "image", &channel_axis);
  Result<Image> out = without_gil([&] {
    return scale ? matlab_imresize(src, *scale, options)
                 : matlab_imresize_to(src, output_shape->second, output_shape->first, options);
  });
  return image_to_array(value_or_throw(std::move(out)), channel_axis);
}

py::array read_image_function(const py::object& path, bool apply_exif_orientation) {
  const std::string file = path_argument(path);
  ReadOptions options;
  options.apply_exif_orientation = apply_exif_orientation;
  Result<DecodedImage> decoded = without_gil([&] { return read_image(file, options); });
  return image_to_array(std::move(value_or_throw(std::move(decoded)).image), true);
}

void write_image_function(const py::object& path, const py::array& array, int quality, bool lossless, int png_level,
                          bool overwrite) {
  const std::string file = path_argument(path);
  const Image image = image_argument(array, "image");
  if (image.type() == PixelType::kF32) {
    throw StatusError(
        invalid_argument("image: write_image takes uint8 or uint16; convert float32 in [0, 1] first, e.g. "
                         "np.clip(a * 255 + 0.5, 0, 255).astype(np.uint8)"));
  }
  if (quality < 1 || quality > 100) {
    throw StatusError(invalid_argument("quality must be 1..100, got " + std::to_string(quality)));
  }
  throw_if_error(check_png_level(png_level));
  WriteOptions options;
  options.quality = quality;
  options.lossless = lossless;
  options.png_level = png_level;
  options.overwrite = overwrite;
  throw_if_error(without_gil([&] { return write_image(file, image, options); }));
}

}  // namespace

void bind_functions(py::module_& m) {
  m.def(
      "models",
      [] {
        Result<std::vector<BuiltinModelSummary>> list = without_gil([] { return builtin_model_catalog(); });
        py::list out;
        for (const BuiltinModelSummary& info : value_or_throw(std::move(list))) {
          py::dict d;
          d["name"] = info.name;
          d["arch"] = info.arch;
          d["scale"] = info.scale;
          d["precision"] = info.precision;
          d["color"] = info.color;
          d["params"] = info.params;
          d["macs_720p"] = info.macs_720p;
          d["default"] = info.default_for_images;
          d["default_video"] = info.default_for_video;
          out.append(std::move(d));
        }
        return out;
      },
      R"doc(
The built-in models, as `litesr models --json` lists them: one dict per model, sorted by name, with
  name           e.g. "elsr-x4" (what Upscaler(model=...) takes)
  arch           architecture ("elsr", "sam_sr", ...; "bicubic" for the MATLAB-exact baseline)
  scale          upscaling factor (bicubic: its default, 4; it takes any of 2..8)
  precision      "fp32", or "int8" for INT8 models (TFLite's scheme, e.g. "elsr-x4-int8")
  color          "rgb", or "y" for luma models (Y through the network, chroma by MATLAB bicubic)
  params         learnable parameters
  macs_720p      multiply-accumulates for one frame at a 1280x720 output
  default        True for the default image model (litesr.default_model())
  default_video  True for the default video model
)doc");
  m.def("default_model", &models::default_model_name,
        "The model Upscaler() uses when none is named (the default of `litesr upscale`).");
  m.def("default_video_model", &models::default_video_model_name, "The default model of `litesr video`.");

  m.def("imresize", &imresize, py::arg("image"), py::arg("scale") = py::none(), py::kw_only(),
        py::arg("output_shape") = py::none(), py::arg("border") = "symmetric", py::arg("antialias") = true,
        R"doc(
MATLAB-exact bicubic imresize (Keys a = -0.5, antialiased when shrinking), as `litesr eval` and `litesr resize`
use it. Give exactly one of
  scale         factor for both axes; output size = ceil(scale * input) per axis (downscale by 4: 0.25)
  output_shape  (height, width) of the output; each axis uses its own factor
border: "symmetric" (MATLAB's default), "replicate" (how the sr_benchmark LR files were made), "reflect" or
"circular". antialias: MATLAB's 'Antialiasing' (widen the kernel when shrinking).
image: (H, W) or (H, W, C) with C = 1..4, uint8 / uint16 (each pass rounded and saturated like MATLAB) or
float32 (not rounded or clamped). Returns a new array of the same dtype and layout. The GIL is released.
)doc");

  m.def(
      "psnr",
      [](const py::array& a, const py::array& b, bool y_only, int shave) {
        return metric_function(Metric::kPsnr, a, b, y_only, shave);
      },
      py::arg("a"), py::arg("b"), py::arg("y_only") = true, py::arg("shave") = 0, R"doc(
PSNR in dB of image `a` (e.g. the SR output) against the reference `b` (e.g. the HR image), computed exactly
as `litesr eval` does (docs/evaluation.md): both reduced to 8 bits (float32 in [0, 1] rounded as
floor(255 v + 0.5) and clamped, uint16 rounded, alpha dropped), `shave` pixels removed from every side
(`litesr eval` shaves the scale), float64 arithmetic, peak 255; +inf for identical images.
y_only=True: on BT.601 Y = 16 + 65.481 R + 128.553 G + 24.966 B (R, G, B in [0, 1]; not rounded), or on the
full-range luma when `b` is grey; y_only=False: over the three colour channels (grey counts as R = G = B).
a and b: (H, W) or (H, W, C) arrays of the same H and W; dtype uint8, uint16 or float32.
)doc");
  m.def(
      "ssim",
      [](const py::array& a, const py::array& b, bool y_only, int shave) {
        return metric_function(Metric::kSsim, a, b, y_only, shave);
      },
      py::arg("a"), py::arg("b"), py::arg("y_only") = true, py::arg("shave") = 0, R"doc(
SSIM of `a` against the reference `b` exactly as `litesr eval` computes it (Wang et al.'s ssim_index.m: 11x11
Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255, 'valid' filtering, mean of the map). Inputs,
shave and y_only as for psnr(); with y_only=False the mean of the three per-channel SSIMs. At least 11x11
pixels must remain after shaving.
)doc");

  m.def("read_image", &read_image_function, py::arg("path"), py::kw_only(), py::arg("apply_exif_orientation") = true,
        R"doc(
Reads a PNG, JPEG or WebP file (format detected from its bytes) into a new array of shape (H, W, C), C as in the
file (1 grey, 2 grey + alpha, 3 RGB, 4 RGBA; palettes expand to RGB/RGBA); dtype uint8, or uint16 for 16-bit
PNG. EXIF orientation is applied unless apply_exif_orientation=False.
Raises FileNotFoundError for a missing file, RuntimeError for unreadable or corrupt data.
)doc");
  m.def("write_image", &write_image_function, py::arg("path"), py::arg("image"), py::kw_only(), py::arg("quality") = 95,
        py::arg("lossless") = false, py::arg("png_level") = kPngLevelFast, py::arg("overwrite") = true, R"doc(
Writes a uint8 or uint16 image ((H, W) or (H, W, C), C = 1..4) atomically (never a partial file); the format
comes from the extension (.png, .jpg/.jpeg, .webp). PNG keeps 16 bits; JPEG and WebP round to 8 bits, JPEG
flattens alpha onto white. quality: JPEG / lossy WebP 1..100; lossless: WebP lossless; png_level: 1 = LiteSR's
fast encoder, 0 and 2..9 = zlib levels. overwrite=False raises RuntimeError if the file exists.
)doc");
}

}  // namespace litesr::python

#include "py_upscaler.h"

#include <pybind11/stl.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "path_argument.h"
#include "status_error.h"

namespace litesr::python {

namespace {

std::string shape_text(int64_t height, int64_t width) {
  return "(" + std::to_string(height) + ", " + std::to_string(width) + ")";
}

// The Upscaler's output_scale / output_shape keywords as an OutputSize ({} = neither), each checked here so the
// ValueError names the keyword.
OutputSize output_option(int scale, std::optional<double> output_scale,
                         std::optional<std::pair<int, int>> output_shape) {
  if (output_scale && output_shape) throw StatusError(invalid_argument("give output_scale or output_shape, not both"));
  if ((output_scale || output_shape) && scale != 0) {
    throw StatusError(invalid_argument("give scale or an output size (output_scale, output_shape), not both"));
  }
  if (output_scale) {
    Result<OutputSize> output = OutputSize::from_scale(*output_scale);
    if (!output.ok()) throw StatusError(invalid_argument("output_scale: " + output.status().message()));
    return *output;
  }
  if (output_shape) {
    const auto [height, width] = *output_shape;
    Result<OutputSize> output = OutputSize::from_size(width, height);
    if (!output.ok()) {
      throw StatusError(invalid_argument("output_shape (height, width) = " + shape_text(height, width) + ": " +
                                         output.status().message()));
    }
    return *output;
  }
  return OutputSize{};
}

}  // namespace

PyUpscaler::PyUpscaler(const std::string& model, int scale, int threads, std::optional<double> output_scale,
                       std::optional<std::pair<int, int>> output_shape) {
  if (scale < 0 || threads < 0) {
    throw StatusError(
        invalid_argument("scale and threads must be >= 0 (0 = the model's scale / all cores), got scale " +
                         std::to_string(scale) + ", threads " + std::to_string(threads)));
  }
  UpscalerOptions options;
  options.model = model;
  options.scale = scale;
  options.threads = threads;
  options.output = output_option(scale, output_scale, output_shape);
  output_ = options.output;
  py::gil_scoped_release release;
  model_ = value_or_throw(ModelUpscaler::open(options));
}

std::string PyUpscaler::repr() const {
  std::string text = "litesr.Upscaler(model='" + model_name() + "', scale=" + std::to_string(scale()) +
                     ", threads=" + std::to_string(threads());
  if (output_.scale > 0) text += ", output_scale=" + py::repr(py::float_(output_.scale)).cast<std::string>();
  if (output_.width > 0) text += ", output_shape=" + shape_text(output_.height, output_.width);
  return text + ")";
}

std::pair<int, int> PyUpscaler::output_size(int width, int height, const std::string& what) const {
  Result<std::pair<int, int>> size = model_.output_size(width, height);
  if (!size.ok()) throw StatusError(invalid_argument(what + ": " + std::string(size.status().message())));
  if (size->first > kMaxImageSide || size->second > kMaxImageSide) {
    throw StatusError(invalid_argument(what + ": the output would be " + shape_text(size->second, size->first) +
                                       " (height, width); each side must be at most " + std::to_string(kMaxImageSide)));
  }
  return *size;
}

py::tuple PyUpscaler::output_shape(const std::vector<int64_t>& shape) const {
  if (shape.size() != 2 && shape.size() != 3) {
    throw StatusError(
        invalid_argument("shape: expected (H, W) or (H, W, C), got " + std::to_string(shape.size()) + " dimensions"));
  }
  if (shape[0] < 1 || shape[1] < 1 || shape[0] > kMaxImageSide || shape[1] > kMaxImageSide) {
    throw StatusError(invalid_argument("shape: H and W must be 1.." + std::to_string(kMaxImageSide) + ", got " +
                                       shape_text(shape[0], shape[1])));
  }
  if (shape.size() == 3 && (shape[2] < 1 || shape[2] > 4)) {
    throw StatusError(invalid_argument("shape: C must be 1..4, got " + std::to_string(shape[2])));
  }
  const auto [width, height] = output_size(static_cast<int>(shape[1]), static_cast<int>(shape[0]), "shape");
  if (shape.size() == 2) return py::make_tuple(height, width);
  return py::make_tuple(height, width, shape[2]);
}

Status PyUpscaler::run(const ArrayImage& in, int out_width, int out_height, void* out) {
  const std::ptrdiff_t out_row = static_cast<std::ptrdiff_t>(out_width) * in.channels;  // elements
  if (in.type == PixelType::kU8 && in.channels == 3) {
    const ImageView<uint8_t> sr{static_cast<uint8_t*>(out), out_width, out_height, 3, out_row};
    if (in.packed) return model_.upscale_rgb8_into(in.view<uint8_t>(), sr);
    LITESR_ASSIGN_OR_RETURN(const Image packed, copy_to_image(in));
    return model_.upscale_rgb8_into(packed.view<uint8_t>(), sr);
  }
  LITESR_ASSIGN_OR_RETURN(const Image src, copy_to_image(in));
  LITESR_ASSIGN_OR_RETURN(const Image sr, model_.upscale(src));
  if (sr.width() != out_width || sr.height() != out_height || sr.channels() != in.channels || sr.type() != in.type) {
    return internal_error("the upscaler returned an image of the wrong size or layout");
  }
  for (int y = 0; y < out_height; ++y) {
    std::memcpy(static_cast<std::byte*>(out) + static_cast<std::size_t>(y) * sr.row_bytes(), sr.row_bytes_ptr(y),
                sr.row_bytes());
  }
  return {};
}

py::array PyUpscaler::upscale(const py::array& lr) {
  const ArrayImage in = describe_image_array(lr, "image");
  const auto [ow, oh] = output_size(in.width, in.height, "image");
  py::array out = new_image_array(in.type, ow, oh, in.channels, in.channel_axis);
  void* out_data = out.mutable_data();
  Status status;
  {
    py::gil_scoped_release release;
    const std::lock_guard<std::mutex> lock(mutex_);
    status = run(in, ow, oh, out_data);
  }
  throw_if_error(status);
  return out;
}

double PyUpscaler::native_upscale_loop(const py::array& frame, int iterations) {
  const ArrayImage in = describe_image_array(frame, "frame");
  if (in.type != PixelType::kU8 || in.channels != 3 || !in.packed) {
    throw StatusError(invalid_argument("frame: expected a C-contiguous uint8 array of shape (H, W, 3)"));
  }
  if (iterations < 1) throw StatusError(invalid_argument("iterations must be >= 1"));
  const auto [ow, oh] = output_size(in.width, in.height, "frame");
  Status status;
  double seconds = 0.0;
  {
    py::gil_scoped_release release;
    const std::lock_guard<std::mutex> lock(mutex_);
    Result<Image> sr = Image::create(ow, oh, 3, PixelType::kU8);
    if (!sr.ok()) {
      status = sr.status();
    } else {
      const auto start = std::chrono::steady_clock::now();
      for (int i = 0; i < iterations && status.ok(); ++i) {
        status = model_.upscale_rgb8_into(in.view<uint8_t>(), sr->view<uint8_t>());
      }
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  }
  throw_if_error(status);
  return seconds;
}

void bind_upscaler(py::module_& m) {
  py::class_<PyUpscaler>(m, "Upscaler", R"doc(
One super-resolution model, ready to upscale numpy images.

Upscaler(model="", scale=0, threads=0, *, output_scale=None, output_shape=None)
  model         built-in name (see litesr.models()) or path to a .safetensors file; "" = litesr.default_model()
  scale         0 = the model's own scale; otherwise it must equal it (bicubic: 2..8, default 4)
  threads       worker threads of this upscaler; 0 = all cores
  output_scale  any output factor in (1, 16] (`litesr upscale -s`): each side becomes ceil(side * output_scale);
                a built-in model's family member at the smallest scale >= the factor runs (elsr-x4 with 1.5
                runs elsr-x2), then MATLAB's bicubic resize; bicubic resizes the input directly
  output_shape  (height, width) of every output, as litesr.imresize takes it (`litesr upscale --size WxH`): the
                named model runs, then the resize; an image it would have to enlarge beyond its scale is a
                ValueError of that upscale call
At most one of output_scale and output_shape, and then scale=0.

Raises FileNotFoundError for an unknown model or a missing file, ValueError for a bad scale, threads or output
size. Calls on one Upscaler from several threads are serialised; different Upscalers run in parallel.
)doc")
      .def(py::init([](const py::object& model, int scale, int threads, std::optional<double> output_scale,
                       std::optional<std::pair<int, int>> output_shape) {
             return std::make_unique<PyUpscaler>(path_argument(model), scale, threads, output_scale, output_shape);
           }),
           py::arg("model") = "", py::arg("scale") = 0, py::arg("threads") = 0, py::kw_only(),
           py::arg("output_scale") = py::none(), py::arg("output_shape") = py::none())
      .def_property_readonly("scale", &PyUpscaler::scale,
                             "The scale of the model that runs (output = scale x input unless output_scale or "
                             "output_shape was given).")
      .def_property_readonly("model", &PyUpscaler::model_name, "The model's name (or the path it was opened from).")
      .def_property_readonly("threads", &PyUpscaler::threads, "Worker threads in use.")
      .def("output_shape", &PyUpscaler::output_shape, py::arg("shape"), R"doc(
The shape upscale() returns for an image of shape (H, W) or (H, W, C), e.g. up.output_shape(lr.shape):
scale x H and W, or the output_scale / output_shape size. Raises ValueError for sides outside 1..65536 or an
output_shape the model cannot reach from this size.
)doc")
      .def("upscale", &PyUpscaler::upscale, py::arg("image"), R"doc(
Upscales one image; returns a new C-contiguous array of the same dtype and layout, of output_shape(image.shape)
(scale x the size unless output_scale or output_shape was given).

image: numpy array of shape (H, W) or (H, W, C), C = 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA);
  dtype uint8 (0..255), uint16 (0..65535) or float32 (0..1; outputs are clamped to [0, 1]); any strides.
Grey goes through the RGB network and is averaged back; alpha is upscaled separately the same way.
The GIL is released while the model runs. Raises ValueError for a bad dtype, shape or size.
)doc")
      .def("__repr__", &PyUpscaler::repr);
  m.def("_native_upscale_loop", &PyUpscaler::native_upscale_loop, py::arg("upscaler"), py::arg("frame"),
        py::arg("iterations"),
        "Benchmark helper: upscales a uint8 (H, W, 3) C-contiguous frame `iterations` times in C++ into one\n"
        "preallocated output (the GIL released); returns the elapsed seconds.");
}

}  // namespace litesr::python

#include "py_upscaler.h"

#include <chrono>
#include <cstring>
#include <string>

#include "path_argument.h"
#include "status_error.h"

namespace litesr::python {

PyUpscaler::PyUpscaler(const std::string& model, int scale, int threads) {
  if (scale < 0 || threads < 0) {
    throw StatusError(
        invalid_argument("scale and threads must be >= 0 (0 = the model's scale / all cores), got scale " +
                         std::to_string(scale) + ", threads " + std::to_string(threads)));
  }
  UpscalerOptions options;
  options.model = model;
  options.scale = scale;
  options.threads = threads;
  py::gil_scoped_release release;
  model_ = value_or_throw(ModelUpscaler::open(options));
}

Status PyUpscaler::run(const ArrayImage& in, void* out) {
  const int s = model_.scale();
  const int ow = in.width * s;
  const int oh = in.height * s;
  const std::ptrdiff_t out_row = static_cast<std::ptrdiff_t>(ow) * in.channels;  // elements
  if (in.type == PixelType::kU8 && in.channels == 3) {
    const ImageView<uint8_t> sr{static_cast<uint8_t*>(out), ow, oh, 3, out_row};
    if (in.packed) return model_.upscale_rgb8_into(in.view<uint8_t>(), sr);
    LITESR_ASSIGN_OR_RETURN(const Image packed, copy_to_image(in));
    return model_.upscale_rgb8_into(packed.view<uint8_t>(), sr);
  }
  LITESR_ASSIGN_OR_RETURN(const Image src, copy_to_image(in));
  LITESR_ASSIGN_OR_RETURN(const Image sr, model_.upscale(src));
  if (sr.width() != ow || sr.height() != oh || sr.channels() != in.channels || sr.type() != in.type) {
    return internal_error("the upscaler returned an image of the wrong size or layout");
  }
  for (int y = 0; y < oh; ++y) {
    std::memcpy(static_cast<std::byte*>(out) + static_cast<std::size_t>(y) * sr.row_bytes(), sr.row_bytes_ptr(y),
                sr.row_bytes());
  }
  return {};
}

py::array PyUpscaler::upscale(const py::array& lr) {
  const ArrayImage in = describe_image_array(lr, "image");
  const int s = model_.scale();
  const int64_t ow = static_cast<int64_t>(in.width) * s;
  const int64_t oh = static_cast<int64_t>(in.height) * s;
  if (ow > kMaxImageSide || oh > kMaxImageSide) {
    throw StatusError(invalid_argument("image: the x" + std::to_string(s) + " output would be " + std::to_string(ow) +
                                       "x" + std::to_string(oh) + "; each side must be at most " +
                                       std::to_string(kMaxImageSide)));
  }
  py::array out = new_image_array(in.type, static_cast<int>(ow), static_cast<int>(oh), in.channels, in.channel_axis);
  void* out_data = out.mutable_data();
  Status status;
  {
    py::gil_scoped_release release;
    const std::lock_guard<std::mutex> lock(mutex_);
    status = run(in, out_data);
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
  Status status;
  double seconds = 0.0;
  {
    py::gil_scoped_release release;
    const std::lock_guard<std::mutex> lock(mutex_);
    Result<Image> sr = Image::create(in.width * model_.scale(), in.height * model_.scale(), 3, PixelType::kU8);
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

Upscaler(model="", scale=0, threads=0)
  model    built-in name (see litesr.models()) or path to a .safetensors file; "" = litesr.default_model()
  scale    0 = the model's own scale; otherwise it must equal it (bicubic: 2..8, default 4)
  threads  worker threads of this upscaler; 0 = all cores

Raises FileNotFoundError for an unknown model or a missing file, ValueError for a bad scale or threads.
Calls on one Upscaler from several threads are serialised; different Upscalers run in parallel.
)doc")
      .def(py::init([](const py::object& model, int scale, int threads) {
             return std::make_unique<PyUpscaler>(path_argument(model), scale, threads);
           }),
           py::arg("model") = "", py::arg("scale") = 0, py::arg("threads") = 0)
      .def_property_readonly("scale", &PyUpscaler::scale, "The upscaling factor (output = scale x input).")
      .def_property_readonly("model", &PyUpscaler::model_name, "The model's name (or the path it was opened from).")
      .def_property_readonly("threads", &PyUpscaler::threads, "Worker threads in use.")
      .def("upscale", &PyUpscaler::upscale, py::arg("image"), R"doc(
Upscales one image; returns a new C-contiguous array of the same dtype and layout, scale x the size.

image: numpy array of shape (H, W) or (H, W, C), C = 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA);
  dtype uint8 (0..255), uint16 (0..65535) or float32 (0..1; outputs are clamped to [0, 1]); any strides.
Grey goes through the RGB network and is averaged back; alpha is upscaled separately the same way.
The GIL is released while the model runs. Raises ValueError for a bad dtype, shape or size.
)doc")
      .def("__repr__", [](const PyUpscaler& up) {
        return "litesr.Upscaler(model='" + up.model_name() + "', scale=" + std::to_string(up.scale()) +
               ", threads=" + std::to_string(up.threads()) + ")";
      });
  m.def("_native_upscale_loop", &PyUpscaler::native_upscale_loop, py::arg("upscaler"), py::arg("frame"),
        py::arg("iterations"),
        "Benchmark helper: upscales a uint8 (H, W, 3) C-contiguous frame `iterations` times in C++ into one\n"
        "preallocated output (the GIL released); returns the elapsed seconds.");
}

}  // namespace litesr::python

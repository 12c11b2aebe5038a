#include "numpy_image.h"

#include <cstring>
#include <string>

#include "status_error.h"

namespace litesr::python {

namespace {

std::string shape_text(const py::array& array) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < array.ndim(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(array.shape(i));
  }
  return s + (array.ndim() == 1 ? ",)" : ")");
}

[[noreturn]] void bad_array(const char* what, const std::string& problem) {
  throw StatusError(invalid_argument(std::string(what) + ": " + problem));
}

// Copies one image's samples, any byte strides, into a packed view of the same size and channels.
template <typename T>
void gather(const ArrayImage& src, ImageView<T> dst) {
  const std::size_t sample = sizeof(T);
  const bool row_contiguous =
      (src.channels == 1 || src.channel_stride == static_cast<std::ptrdiff_t>(sample)) &&
      (src.width == 1 || src.pixel_stride == static_cast<std::ptrdiff_t>(sample) * src.channels);
  const std::size_t row_bytes = static_cast<std::size_t>(src.width) * src.channels * sample;
  for (int y = 0; y < src.height; ++y) {
    const std::byte* row = src.data + static_cast<std::ptrdiff_t>(y) * src.row_stride;
    auto* out = reinterpret_cast<std::byte*>(dst.row(y));
    if (row_contiguous) {
      std::memcpy(out, row, row_bytes);  // memcpy: the source may be unaligned
      continue;
    }
    for (int x = 0; x < src.width; ++x) {
      const std::byte* pixel = row + static_cast<std::ptrdiff_t>(x) * src.pixel_stride;
      for (int c = 0; c < src.channels; ++c) {
        std::memcpy(out, pixel + static_cast<std::ptrdiff_t>(c) * src.channel_stride, sample);
        out += sample;
      }
    }
  }
}

}  // namespace

template <typename T>
ImageView<const T> ArrayImage::view() const {
  const std::ptrdiff_t row_elements =
      height == 1 ? static_cast<std::ptrdiff_t>(width) * channels : row_stride / static_cast<std::ptrdiff_t>(sizeof(T));
  return {reinterpret_cast<const T*>(data), width, height, channels, row_elements};
}
template ImageView<const uint8_t> ArrayImage::view<uint8_t>() const;
template ImageView<const uint16_t> ArrayImage::view<uint16_t>() const;
template ImageView<const float> ArrayImage::view<float>() const;

py::dtype dtype_of(PixelType type) {
  switch (type) {
    case PixelType::kU8:
      return py::dtype::of<uint8_t>();
    case PixelType::kU16:
      return py::dtype::of<uint16_t>();
    case PixelType::kF32:
      return py::dtype::of<float>();
  }
  return py::dtype::of<uint8_t>();
}

ArrayImage describe_image_array(const py::array& array, const char* what) {
  ArrayImage a;
  const py::dtype dtype = array.dtype();
  const char kind = dtype.kind();
  const py::ssize_t itemsize = dtype.itemsize();
  const bool native = dtype.attr("isnative").cast<bool>();
  if (native && kind == 'u' && itemsize == 1) {
    a.type = PixelType::kU8;
  } else if (native && kind == 'u' && itemsize == 2) {
    a.type = PixelType::kU16;
  } else if (native && kind == 'f' && itemsize == 4) {
    a.type = PixelType::kF32;
  } else {
    bad_array(what,
              "dtype must be uint8, uint16 or float32 (native byte order), got " + py::repr(dtype).cast<std::string>());
  }
  if (array.ndim() != 2 && array.ndim() != 3) {
    bad_array(what, "expected an array of shape (H, W) or (H, W, C), got shape " + shape_text(array));
  }
  a.channel_axis = array.ndim() == 3;
  a.channels = a.channel_axis ? static_cast<int>(array.shape(2)) : 1;
  if (a.channels < 1 || a.channels > 4) {
    bad_array(what, "expected 1 to 4 channels (G, GA, RGB, RGBA), got shape " + shape_text(array));
  }
  if (array.shape(0) < 1 || array.shape(1) < 1) bad_array(what, "empty image, shape " + shape_text(array));
  if (array.shape(0) > kMaxImageSide || array.shape(1) > kMaxImageSide) {
    bad_array(what,
              "each side must be at most " + std::to_string(kMaxImageSide) + " pixels, got shape " + shape_text(array));
  }
  a.height = static_cast<int>(array.shape(0));
  a.width = static_cast<int>(array.shape(1));
  a.data = static_cast<const std::byte*>(array.data());
  a.row_stride = array.strides(0);
  a.pixel_stride = array.strides(1);
  a.channel_stride = a.channel_axis ? array.strides(2) : itemsize;
  const std::ptrdiff_t sample = itemsize;
  a.packed = reinterpret_cast<std::uintptr_t>(a.data) % static_cast<std::uintptr_t>(sample) == 0 &&
             (a.channels == 1 || a.channel_stride == sample) &&
             (a.width == 1 || a.pixel_stride == sample * a.channels) &&
             (a.height == 1 ||
              (a.row_stride > 0 && a.row_stride % sample == 0 && a.row_stride >= sample * a.channels * a.width));
  return a;
}

Result<Image> copy_to_image(const ArrayImage& src) {
  LITESR_ASSIGN_OR_RETURN(Image image, Image::create(src.width, src.height, src.channels, src.type));
  switch (src.type) {
    case PixelType::kU8:
      gather(src, image.view<uint8_t>());
      break;
    case PixelType::kU16:
      gather(src, image.view<uint16_t>());
      break;
    case PixelType::kF32:
      gather(src, image.view<float>());
      break;
  }
  return image;
}

py::array new_image_array(PixelType type, int width, int height, int channels, bool channel_axis) {
  if (!channel_axis && channels != 1) throw StatusError(internal_error("a 2-D image array has one channel"));
  if (channel_axis) return py::array(dtype_of(type), std::vector<py::ssize_t>{height, width, channels});
  return py::array(dtype_of(type), std::vector<py::ssize_t>{height, width});
}

template <typename T>
ImageView<T> array_view(py::array& array, int width, int height, int channels) {
  return {static_cast<T*>(array.mutable_data()), width, height, channels,
          static_cast<std::ptrdiff_t>(width) * channels};
}
template ImageView<uint8_t> array_view<uint8_t>(py::array&, int, int, int);
template ImageView<uint16_t> array_view<uint16_t>(py::array&, int, int, int);
template ImageView<float> array_view<float>(py::array&, int, int, int);

py::array image_to_array(Image&& image, bool channel_axis) {
  const int w = image.width();
  const int h = image.height();
  const int c = image.channels();
  if (!channel_axis && c != 1) throw StatusError(internal_error("a 2-D image array has one channel"));
  const auto sample = static_cast<py::ssize_t>(pixel_type_size(image.type()));
  std::vector<py::ssize_t> shape{h, w};
  std::vector<py::ssize_t> strides{static_cast<py::ssize_t>(w) * c * sample, c * sample};
  if (channel_axis) {
    shape.push_back(c);
    strides.push_back(sample);
  }
  if (image.stride() == static_cast<std::ptrdiff_t>(w) * c || h == 1) {
    // Rows already back to back: the array takes the Image over.
    const py::dtype dtype = dtype_of(image.type());
    auto* owned = new Image(std::move(image));
    const py::capsule owner(owned, [](void* p) { delete static_cast<Image*>(p); });
    return py::array(dtype, shape, strides, owned->row_bytes_ptr(0), owner);
  }
  py::array out = new_image_array(image.type(), w, h, c, channel_axis);
  auto* dst = static_cast<std::byte*>(out.mutable_data());
  for (int y = 0; y < h; ++y) {
    std::memcpy(dst + static_cast<std::size_t>(y) * image.row_bytes(), image.row_bytes_ptr(y), image.row_bytes());
  }
  return out;
}

}  // namespace litesr::python

// numpy arrays <-> LiteSR images (base/image.h) for the Python module.
//
// Image arrays: shape (H, W) (one channel) or (H, W, C) with C = 1..4 (G, GA, RGB, RGBA), dtype uint8, uint16
// or float32 in native byte order, 1 <= H, W <= 65536, any strides (numpy's strides are in bytes and may be
// negative, zero or not multiples of the sample size). Values: uint8 0..255, uint16 0..65535, float32 nominally
// 0..1 (what the runtime's float path reads; network outputs are clamped to [0, 1]).
//
// An array whose memory already has LiteSR's interleaved layout (samples of a pixel adjacent, pixels of a row
// adjacent, rows a positive multiple of the sample size apart, aligned samples) is used in place: `packed`.
// Anything else (a[::2, ::2], a[:, ::-1], a transposed or broadcast array) is gathered into a packed copy first.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>

#include "base/image.h"
#include "base/status.h"

namespace litesr::python {

namespace py = pybind11;

// A validated image array: its geometry, sample type and memory. Holds no reference to the array: the caller
// keeps the array alive while using it.
struct ArrayImage {
  PixelType type = PixelType::kU8;
  int width = 0;
  int height = 0;
  int channels = 0;
  bool channel_axis = false;          // (H, W, C) rather than (H, W)
  const std::byte* data = nullptr;    // sample (x 0, y 0, c 0)
  std::ptrdiff_t row_stride = 0;      // bytes between (x, y, c) and (x, y + 1, c)
  std::ptrdiff_t pixel_stride = 0;    // bytes between (x, y, c) and (x + 1, y, c)
  std::ptrdiff_t channel_stride = 0;  // bytes between (x, y, c) and (x, y, c + 1)
  bool packed = false;                // usable as an ImageView in place (see above)

  // The array as a LiteSR view; only when `packed` and T matches `type`.
  template <typename T>
  ImageView<const T> view() const;
};

// Checks `array` against the image rules above; ValueError naming `what` ("image", "a", ...) otherwise.
// Needs the GIL.
ArrayImage describe_image_array(const py::array& array, const char* what);

// The array's samples as a new packed Image (any strides). No Python calls: safe without the GIL.
Result<Image> copy_to_image(const ArrayImage& src);

// A new C-contiguous array of (height, width, channels) samples of `type`, or (height, width) when
// `channel_axis` is false (then channels must be 1). Needs the GIL.
py::array new_image_array(PixelType type, int width, int height, int channels, bool channel_axis);

// A writable view of an array made by new_image_array (T must match its dtype).
template <typename T>
ImageView<T> array_view(py::array& array, int width, int height, int channels);

// `image` as a new C-contiguous array, shape as for new_image_array. Rows that are already contiguous are
// handed over without a copy (the array owns the Image); padded rows are copied. Needs the GIL.
py::array image_to_array(Image&& image, bool channel_axis);

// numpy's dtype for a pixel type.
py::dtype dtype_of(PixelType type);

}  // namespace litesr::python

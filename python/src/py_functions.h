// The module's free functions (py_functions.cpp): models(), default_model(), default_video_model(), imresize(),
// psnr(), ssim(), read_image(), write_image().
#pragma once

#include <pybind11/pybind11.h>

namespace litesr::python {

void bind_functions(pybind11::module_& m);

}  // namespace litesr::python

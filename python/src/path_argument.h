// A str, bytes or os.PathLike argument (a file or model name) as a std::string, the way Python's own file
// functions take paths (os.fspath; bytes are used as they are). Anything else raises TypeError.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

namespace litesr::python {

inline std::string path_argument(const pybind11::handle& value) {
  namespace py = pybind11;
  const py::object path = py::module_::import("os").attr("fspath")(value);
  if (py::isinstance<py::bytes>(path)) return path.cast<std::string>();
  return py::module_::import("os").attr("fsencode")(path).cast<std::string>();
}

}  // namespace litesr::python

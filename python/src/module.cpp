// The extension module litesr._litesr, re-exported by python/litesr/__init__.py (docs/api.md "Python").
#include <pybind11/pybind11.h>

#include "py_functions.h"
#include "py_upscaler.h"
#include "status_error.h"

namespace litesr::python {

void register_status_error_translator() {
  pybind11::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StatusError& e) {
      PyObject* type = e.code() == StatusCode::kInvalidArgument ? PyExc_ValueError
                       : e.code() == StatusCode::kNotFound      ? PyExc_FileNotFoundError
                                                                : PyExc_RuntimeError;
      PyErr_SetString(type, e.what());
    }
  });
}

}  // namespace litesr::python

PYBIND11_MODULE(_litesr, m) {
  m.doc() = "LiteSR: fast super-resolution on a CPU (the compiled part of the litesr package)";
  m.attr("__version__") = LITESR_VERSION;
  litesr::python::register_status_error_translator();
  litesr::python::bind_upscaler(m);
  litesr::python::bind_functions(m);
}

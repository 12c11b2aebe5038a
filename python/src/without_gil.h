// Runs a body with the GIL released and returns its value (built before the GIL is taken back).
// The body must not touch Python objects. Exceptions propagate after the GIL is re-acquired.
#pragma once

#include <pybind11/pybind11.h>

namespace litesr::python {

template <typename Body>
auto without_gil(Body&& body) {
  pybind11::gil_scoped_release release;
  return body();
}

}  // namespace litesr::python

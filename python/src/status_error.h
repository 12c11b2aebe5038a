// StatusError: a LiteSR Status thrown through pybind11 and raised in Python as
//   kInvalidArgument -> ValueError          (bad shape, dtype, size or argument)
//   kNotFound        -> FileNotFoundError   (unknown model name, missing file)
//   anything else    -> RuntimeError        (message prefixed with the code: "corrupt data: a.png: ...")
// The translator is registered once in module.cpp. Throwing is safe inside a py::gil_scoped_release block:
// the exception is translated after the block's destructor has taken the GIL back.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include "base/status.h"

namespace litesr::python {

class StatusError : public std::runtime_error {
 public:
  explicit StatusError(const Status& status)
      : std::runtime_error(status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound
                               ? status.message()
                               : status.to_string()),
        code_(status.code()) {}
  StatusCode code() const { return code_; }

 private:
  StatusCode code_;
};

// Throws a StatusError for a failed status; returns otherwise.
inline void throw_if_error(const Status& status) {
  if (!status.ok()) throw StatusError(status);
}

// The value of an OK result; throws a StatusError otherwise.
template <typename T>
T value_or_throw(Result<T>&& result) {
  if (!result.ok()) throw StatusError(result.status());
  return std::move(result).value();
}

// Registers the StatusError -> Python exception translation (module.cpp).
void register_status_error_translator();

}  // namespace litesr::python

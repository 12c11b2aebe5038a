// Declarations that c10d's reducer.hpp needs from PyTorch's distributed-autograd context header, which Debian's
// libtorch-dev does not ship (CMake puts this folder on distributed.cpp's include path only when the real
// header is missing). The Reducer names the context type only through std::shared_ptr and a raw pointer, and its
// gradient-callback type is std::function<bool(at::Tensor&)>, so these declarations leave the Reducer's layout
// exactly as libtorch_cpu.so compiled it. LiteSR never uses distributed autograd (RPC).
#pragma once

#include <functional>
#include <memory>

#include <ATen/core/Tensor.h>

namespace torch::distributed::autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};

using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace torch::distributed::autograd

// Tensor: a named model parameter as stored in a model file — a shape and float32 values in row-major
// (C) order, e.g. a conv weight [out, in/groups, kh, kw] (PyTorch layout, docs/architectures.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace litesr {

struct Tensor {
  std::vector<int64_t> shape;  // empty = scalar (one element)
  std::vector<float> data;     // numel() values, row-major

  // Product of the dimensions (1 for a scalar).
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
};

// Parameters by name: the LibTorch module's named_parameters()/named_buffers() keys.
using TensorMap = std::map<std::string, Tensor>;

}  // namespace litesr

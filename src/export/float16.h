// IEEE 754 binary16 conversion for exported weights (ONNX TensorProto FLOAT16, TFLite FLOAT16).
#pragma once

#include <cstdint>

namespace litesr {

// Round to nearest, ties to even; overflow -> ±inf, NaN stays NaN (quiet), subnormals kept.
uint16_t float_to_half(float value);
float half_to_float(uint16_t half);

}  // namespace litesr

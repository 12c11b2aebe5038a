// Reading an exported TFLite file back, and running an INT8 one with TFLite's integer semantics.
//
// read_tflite_file: the tensors (type, shape, constant bytes, quantization), operators (builtin code, version,
// options table) and subgraph I/O of a file check_tflite accepted, through the field slots of tflite_format.h.
//
// interpret_tflite_int8: executes the operators in file order with the integer reference ops of
// quant/reference_ops.h (TFLite's reference kernels), every parameter taken from the file — filter and bias
// integers and scales, each tensor's scale and zero point, fused activations, options — and enforcing what
// TFLite's int8 kernels require (CONCATENATION, SLICE, RESHAPE, TRANSPOSE copy bytes, so their inputs and output
// must share parameters; LOGISTIC's output is 1/256, −128; a bias scale is input scale · filter scale). It is the
// bit-exact check of the *file*: Arm NN's CpuRef computes int8 ops in float and agrees only within an LSB.
// Handles the operators the INT8 exporter writes (CONV_2D, DEPTHWISE_CONV_2D, RELU, LEAKY_RELU, PRELU, TANH,
// LOGISTIC, ADD, MUL, MEAN, CONCATENATION, SLICE, RESHAPE, TRANSPOSE, QUANTIZE); anything else is kUnsupported.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "export/tflite_format.h"
#include "quant/quantized_map.h"

namespace litesr::testing {

struct TfliteFileTensor {
  std::string name;
  tflite_format::TensorType type = tflite_format::TensorType::kFloat32;
  std::vector<int32_t> shape;
  std::vector<uint8_t> data;  // constant tensors: the buffer's bytes
  std::vector<float> scale;   // quantization (empty: none)
  std::vector<int64_t> zero_point;
  int32_t dimension = 0;
};

struct TfliteFileOp {
  int32_t code = 0;     // tflite_format::BuiltinOperator
  int32_t version = 1;  // the operator code's version
  std::vector<int32_t> inputs, outputs;
  // Options fields read for the ops that have them (defaults otherwise).
  int8_t padding = 0;  // conv: tflite_format::Padding
  int32_t stride_w = 0, stride_h = 0;
  int32_t depth_multiplier = 0;  // depthwise
  int8_t fused_activation = 0;   // conv / depthwise: tflite_format::Activation
  int32_t axis = 0;              // concatenation
  float alpha = 0.0f;            // leaky relu
};

struct TfliteFile {
  std::vector<TfliteFileTensor> tensors;
  std::vector<TfliteFileOp> ops;
  std::vector<int32_t> inputs, outputs;
  const TfliteFileTensor* find(const std::string& name) const;
  int count(tflite_format::BuiltinOperator code) const;
};

// `bytes` must have passed check_tflite.
TfliteFile read_tflite_file(const std::string& bytes);

// Runs an INT8 file with one int8 [1, H, W, C] input and one int8 output on `input` ([C, H, W], at the file's
// input parameters). kInvalidArgument for parameters TFLite's kernels would reject, kUnsupported for an op
// outside the list above.
Result<QuantizedMap> interpret_tflite_int8(const std::string& bytes, const QuantizedMap& input);
// The same for any number of inputs (the file's order, each at its tensor's parameters): every output, in order.
Result<std::vector<QuantizedMap>> interpret_tflite_int8(const std::string& bytes,
                                                        const std::vector<QuantizedMap>& inputs);

}  // namespace litesr::testing

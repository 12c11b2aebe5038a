// The subset of the TensorFlow Lite model format (schema version 3, file identifier "TFL3") that the
// TFLite exporter writes, as FlatBuffers field slots and enum values. Numbers are those of TensorFlow's
// tensorflow/lite/schema/schema.fbs; a table field with id N lives at vtable offset 4 + 2·N, and a union
// field takes two ids (its type byte, then its value).
#pragma once

#include <cstdint>

#include <flatbuffers/flatbuffers.h>

namespace litesr::tflite_format {

inline constexpr char kFileIdentifier[] = "TFL3";
inline constexpr uint32_t kSchemaVersion = 3;

constexpr flatbuffers::voffset_t field(int id) { return static_cast<flatbuffers::voffset_t>(4 + 2 * id); }

// table Model
namespace model {
inline constexpr auto kVersion = field(0);         // uint
inline constexpr auto kOperatorCodes = field(1);   // [OperatorCode]
inline constexpr auto kSubgraphs = field(2);       // [SubGraph]
inline constexpr auto kDescription = field(3);     // string
inline constexpr auto kBuffers = field(4);         // [Buffer]; buffer 0 is the empty sentinel
}  // namespace model

// table OperatorCode. Readers take max(deprecated_builtin_code, builtin_code); older readers (TFLite < 2.4,
// Arm NN 20.08) know only the byte field, so both are written.
namespace operator_code {
inline constexpr auto kDeprecatedBuiltinCode = field(0);  // byte
inline constexpr auto kVersion = field(2);                // int = 1
inline constexpr auto kBuiltinCode = field(3);            // int
}  // namespace operator_code

// table SubGraph
namespace subgraph {
inline constexpr auto kTensors = field(0);    // [Tensor]
inline constexpr auto kInputs = field(1);     // [int]
inline constexpr auto kOutputs = field(2);    // [int]
inline constexpr auto kOperators = field(3);  // [Operator], in execution order
inline constexpr auto kName = field(4);       // string
}  // namespace subgraph

// table Buffer
namespace buffer {
inline constexpr auto kData = field(0);  // [ubyte] (force_align: 16)
inline constexpr int kDataAlignment = 16;
}  // namespace buffer

// table Tensor
namespace tensor {
inline constexpr auto kShape = field(0);   // [int], NHWC for activations
inline constexpr auto kType = field(1);    // TensorType (byte)
inline constexpr auto kBuffer = field(2);  // uint index into Model.buffers (0: no data)
inline constexpr auto kName = field(3);    // string
inline constexpr auto kQuantization = field(4);  // QuantizationParameters (int8 / int32 quantized tensors)
}  // namespace tensor

// table QuantizationParameters: real = scale · (q − zero_point), per tensor (one scale) or per axis (one scale
// per index of quantized_dimension, e.g. a conv filter's output channels).
namespace quantization {
inline constexpr auto kScale = field(2);               // [float]
inline constexpr auto kZeroPoint = field(3);           // [long]
inline constexpr auto kQuantizedDimension = field(6);  // int (fields 4, 5: the details union)
}  // namespace quantization

// table Operator
namespace op {
inline constexpr auto kOpcodeIndex = field(0);         // uint index into Model.operator_codes
inline constexpr auto kInputs = field(1);              // [int] tensor indices
inline constexpr auto kOutputs = field(2);             // [int]
inline constexpr auto kBuiltinOptionsType = field(3);  // union BuiltinOptions: type byte
inline constexpr auto kBuiltinOptions = field(4);      //                       value
}  // namespace op

enum class TensorType : int8_t { kFloat32 = 0, kFloat16 = 1, kInt32 = 2, kInt8 = 9 };

enum class BuiltinOperator : int32_t {
  kAdd = 0,
  kConcatenation = 2,
  kConv2d = 3,
  kDepthwiseConv2d = 4,
  kDequantize = 6,
  kLogistic = 14,
  kMaxPool2d = 17,
  kMul = 18,
  kRelu = 19,
  kRelu6 = 21,
  kReshape = 22,
  kResizeBilinear = 23,
  kTanh = 28,
  kPad = 34,
  kTranspose = 39,
  kMean = 40,
  kSub = 41,
  kMaximum = 55,
  kMinimum = 57,
  kSlice = 65,
  kPrelu = 54,
  kTransposeConv = 67,
  kSqrt = 75,
  kLeakyRelu = 98,
  kQuantize = 114,
};

// union BuiltinOptions: the type byte of each options table (0 = none).
enum class BuiltinOptions : uint8_t {
  kNone = 0,
  kConv2dOptions = 1,
  kDepthwiseConv2dOptions = 2,
  kPool2dOptions = 5,
  kConcatenationOptions = 10,
  kAddOptions = 11,
  kResizeBilinearOptions = 15,
  kReshapeOptions = 17,
  kMulOptions = 21,
  kPadOptions = 22,
  kTransposeOptions = 26,
  kReducerOptions = 27,
  kSubOptions = 28,
  kDequantizeOptions = 38,
  kMaximumMinimumOptions = 39,
  kSliceOptions = 48,
  kTransposeConvOptions = 49,
  kLeakyReluOptions = 75,
  kQuantizeOptions = 89,
};

enum class Padding : int8_t { kSame = 0, kValid = 1 };
enum class Activation : int8_t { kNone = 0, kRelu = 1, kRelu6 = 3 };

// Options tables (field ids).
namespace conv2d_options {  // also TransposeConvOptions (padding, stride_w, stride_h)
inline constexpr auto kPadding = field(0);
inline constexpr auto kStrideW = field(1);
inline constexpr auto kStrideH = field(2);
inline constexpr auto kFusedActivation = field(3);
}  // namespace conv2d_options
namespace depthwise_options {
inline constexpr auto kPadding = field(0);
inline constexpr auto kStrideW = field(1);
inline constexpr auto kStrideH = field(2);
inline constexpr auto kDepthMultiplier = field(3);
inline constexpr auto kFusedActivation = field(4);
}  // namespace depthwise_options
namespace pool2d_options {
inline constexpr auto kPadding = field(0);
inline constexpr auto kStrideW = field(1);
inline constexpr auto kStrideH = field(2);
inline constexpr auto kFilterWidth = field(3);
inline constexpr auto kFilterHeight = field(4);
}  // namespace pool2d_options
namespace concatenation_options {
inline constexpr auto kAxis = field(0);
}
namespace reshape_options {
inline constexpr auto kNewShape = field(0);  // [int]
}
namespace reducer_options {
inline constexpr auto kKeepDims = field(0);  // bool
}
namespace leaky_relu_options {
inline constexpr auto kAlpha = field(0);  // float
}
namespace resize_bilinear_options {
inline constexpr auto kAlignCorners = field(2);     // bool (fields 0, 1 are deprecated sizes)
inline constexpr auto kHalfPixelCenters = field(3);  // bool
}  // namespace resize_bilinear_options

}  // namespace litesr::tflite_format

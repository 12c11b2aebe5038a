// Runs an exported TFLite model with a real TFLite reader: Arm NN's TfLite parser and its CpuRef (reference)
// backend, Debian's libarmnntfliteparser-dev + libarmnn-cpuref-backend22 (scripts/install-deps.sh). Tests
// skip when Arm NN was not found at configure time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "quant/quantized_map.h"
#include "runtime/feature_map.h"

namespace litesr::testing {

// "" when Arm NN is available, otherwise why not.
std::string tflite_unavailable_reason();

// Parses `tflite`, optimizes it for CpuRef and runs it once. Inputs are given in subgraph input order as
// [C, H, W] maps (converted to NHWC [1, H, W, C]); outputs come back as [C, H, W] maps in subgraph output
// order. Parser and runtime errors (e.g. an unsupported operator) are kUnsupported with Arm NN's message.
Result<std::vector<FeatureMap>> run_tflite(const std::string& tflite, const std::vector<FeatureMap>& inputs);

// INT8 files (tflite_int8_export.h): one int8 input, one int8 output. Parses, optimizes for CpuRef and runs once;
// `input` [C, H, W] goes in as NHWC [1, H, W, C] int8; the output comes back with the quantization parameters
// Arm NN read for it. kUnsupported with Arm NN's message for an operator or data type it cannot run.
Result<QuantizedMap> run_tflite_int8(const std::string& tflite, const QuantizedMap& input);
// The same for any number of inputs (the file's order): every output, in order.
Result<std::vector<QuantizedMap>> run_tflite_int8(const std::string& tflite, const std::vector<QuantizedMap>& inputs);

// A tensor as Arm NN's TfLite parser reads it.
struct ArmnnTensor {
  std::string data_type;        // armnn::GetDataTypeName: "QAsymmS8", "QSymmS8", "Signed32", "Float32", ...
  std::vector<unsigned> shape;  // Arm NN's layout (filters are permuted by the parser)
  std::vector<float> scales;    // one per tensor, or one per index of quantization_dim
  int32_t offset = 0;           // zero point (per tensor)
  std::optional<unsigned> quantization_dim;
};
// One layer of the parsed network: the parser names layers after the operator they come from
// ("Conv2D:0:3" is subgraph 0, operator 3).
struct ArmnnLayer {
  std::string kind;  // "input", "output", "convolution2d", "depthwise_convolution2d", "activation", "addition",
                     // "multiplication", "mean", "concat", "quantize", "reshape", "transpose", "slice", "stand_in"
  std::string name;
  std::vector<ArmnnTensor> outputs;      // output slots
  std::optional<ArmnnTensor> weights;    // convolutions
  std::optional<ArmnnTensor> biases;
};
// Parses `tflite` with Arm NN's stand-in layers for operators its parser lacks (so a file using one still
// parses) and lists the layers above in visiting order. Nothing is run.
Result<std::vector<ArmnnLayer>> armnn_parse_layers(const std::string& tflite);

}  // namespace litesr::testing

#define LITESR_REQUIRE_TFLITE()                                                               \
  if (const std::string why = ::litesr::testing::tflite_unavailable_reason(); !why.empty()) { \
    GTEST_SKIP() << why;                                                                      \
  }

// INT8 TFLite export: an INT8 model (a float model file + `litesr.quantization`, runtime/model_quantization.h)
// -> a full-integer TensorFlow Lite flatbuffer computing the integers of run_int8_reference
// (runtime/int8_program.h; docs/quantization.md, docs/export.md "The INT8 TFLite model").
//
// The model (schema 3, one subgraph, fixed shapes, every activation int8):
//   input  "lr"  int8 [1, H, W, 3]    at the model's input parameters; models from `litesr quantize` use the
//                                      image's (scale 1/255, zero point −128): q = u8 pixel − 128
//   output "sr"  int8 [1, s·H, s·W, 3] at the model's output parameters (image models: u8 pixel = q + 128)
// No QUANTIZE / DEQUANTIZE at the ends: what the TFLite converter writes with inference_input_type /
// inference_output_type int8, and what a phone feeding camera bytes wants.
//
// Tensors (the TFLite 8-bit quantization specification):
//   activations  int8, per-tensor (scale, zero point) = the step's entry in litesr.quantization
//   conv filters int8 symmetric per output channel (zero points 0): CONV_2D OHWI with quantized_dimension 0,
//                DEPTHWISE_CONV_2D [1, k, k, O] with quantized_dimension 3 (the output-channel axis)
//   conv biases  int32, scale[o] = input scale · filter scale[o], zero point 0, quantized_dimension 0
//   PReLU slopes int8 [1, 1, C] (or [1, 1, 1]), per tensor over their own range
// Weights, biases and slopes are the ones compile_int8_program derives from the float tensors.
//
// Ops (the program as the INT8 runtime compiles it: batch norm folded, conv_transpose2d lowered):
//   conv2d -> CONV_2D (groups 1) | DEPTHWISE_CONV_2D (groups == in channels), SAME, stride 1 (v3); a relu that is
//             the conv's only reader and has the conv's output parameters is fused (the same integers)
//   relu -> RELU (v2)   leaky_relu -> LEAKY_RELU   prelu -> PRELU   tanh -> TANH (v2)
//   sigmoid -> LOGISTIC (v2; output parameters must be TFLite's 1/256, −128)
//   add -> ADD (v2), chained left to right with each partial sum at the output's parameters
//   concat -> QUANTIZE of each input whose parameters differ from the output's (TFLite's int8
//             CONCATENATION only copies), CONCATENATION (v2)
//   slice -> SLICE (v2) [+ QUANTIZE]      pixel_shuffle -> the float exporter's five RESHAPE / TRANSPOSE ops
//             (PyTorch's channel order) [+ QUANTIZE]; data movement keeps the input's parameters and a QUANTIZE
//             (int8 -> int8 requantize) follows when the step's output parameters differ, as in the runtime
// Anything else (squeeze-excite, bicubic, multi-frame, grouped non-depthwise convs) is kUnsupported naming the
// step, as compile_int8_program reports it.
#pragma once

#include <string>

#include "base/status.h"
#include "export/tflite_export.h"
#include "runtime/graph.h"
#include "runtime/model_file.h"
#include "runtime/model_quantization.h"
#include "runtime/tensor.h"

namespace litesr {

// Serialized flatbuffer. options.fp16 is kInvalidArgument (the weights are int8); options.clamp_output is
// accepted only when the output's int8 range already lies in [0, 1] (the image parameters), else kUnsupported.
// kUnsupported for an op or parameters the mapping above cannot express; errors of compile_program and
// compile_int8_program (kCorruptData for a quantization that does not fit the graph).
Result<std::string> export_tflite_int8(const Graph& graph, const TensorMap& tensors,
                                       const ModelQuantization& quantization, const TfliteExportOptions& options);

// build_graph(model) + read_model_quantization(model) + export_tflite_int8. kInvalidArgument for a float model.
Result<std::string> export_tflite_int8(const ModelFile& model, const TfliteExportOptions& options = {});

}  // namespace litesr

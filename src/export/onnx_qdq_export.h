// INT8 ONNX export in QDQ form: an INT8 model (runtime/model_quantization.h: the float tensors + every step's
// activation parameters) -> a serialized ONNX ModelProto whose QuantizeLinear / DequantizeLinear nodes carry
// exactly the integers of compile_int8_program (docs/export.md "INT8 models: QDQ"; docs/quantization.md).
//
// The model (opset 13, IR version 7), same I/O as the float export (onnx_export.h), one frame:
//   input  "lr"  float32 [1, C, H, W] (NCHW, RGB in [0, 1]; H, W symbolic) — the tensors the float file takes
//   output "sr"  float32 [1, C', s·H, s·W]
// Every activation is an int8 tensor named after its step, made by QuantizeLinear at the step's (scale, zero
// point) from `litesr.quantization` and read back through DequantizeLinear:
//   lr -> QuantizeLinear(input step) -> DequantizeLinear -> ... each step: op on the dequantized inputs ->
//   QuantizeLinear(step) -> DequantizeLinear -> ... output step's DequantizeLinear -> (Clip(0, 1)) -> sr
// Constants (the Int8Program's integers, never re-derived):
//   conv2d         weight int8 [O, C/G, k, k] (symmetric, zero point 0) + per-channel scales [O] -> DequantizeLinear
//                  (axis 0); bias int32 [O], scale [O] = s_in · s_w[o] (float product, as quantize_bias), zero
//                  point 0 -> DequantizeLinear (axis 0); Conv (group, pads (k−1)/2, stride 1)
//   prelu          slopes int8 [C, 1, 1] (or [1]) at their per-tensor parameters -> DequantizeLinear; PRelu
// The ops (Int8Program's, in compile_int8_program's semantics):
//   relu / leaky_relu / tanh / sigmoid -> Relu / LeakyRelu(alpha) / Tanh / Sigmoid
//   add (2+ inputs) -> Add chained left to right, each partial sum quantized at the step's parameters (as
//                      run_int8_reference adds)
//   concat -> Concat(axis 1)   slice -> Slice(axis 1)   pixel_shuffle -> DepthToSpace(CRD)
// Any other op is kUnsupported naming the step and the op (compile_int8_program's check).
// ONNX rounds half to even and ONNX Runtime requantizes with float multipliers, so its integers can differ from
// run_int8_reference's (TFLite's) by one step; tests/export/onnx_qdq_export_test.cpp measures it.
#pragma once

#include <string>

#include "base/status.h"
#include "export/onnx_export.h"
#include "runtime/graph.h"
#include "runtime/model_file.h"
#include "runtime/model_quantization.h"
#include "runtime/tensor.h"

namespace litesr {

// Serialized QDQ ModelProto; metadata props as the float export plus litesr.quantization (the JSON the model
// carries). options.fp16 is kInvalidArgument (an INT8 model has int8 weights; export the float model for fp16);
// kUnsupported for a graph without an integer form (compile_int8_program), its kCorruptData / kInvalidArgument for
// bad parameters.
Result<std::string> export_onnx_qdq(const Graph& graph, const TensorMap& tensors, const ModelQuantization& quantization,
                                    const OnnxExportOptions& options = {});

// build_graph(model) + read_model_quantization + the above; also copies litesr.config into the metadata props.
// kInvalidArgument for a float model (no litesr.quantization).
Result<std::string> export_onnx_qdq(const ModelFile& model, const OnnxExportOptions& options = {});

}  // namespace litesr

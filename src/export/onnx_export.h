// ONNX export: a runtime Graph + weights -> a serialized ONNX ModelProto (docs/export.md). No LibTorch.
//
// The model (opset 13, IR version 7):
//   input  "lr"  float32 [1, C·T, H, W]  (NCHW, RGB in [0, 1]; T = litesr.frames, channel = C·t + colour)
//   output "sr"  float32 [1, C'·T, s·H, s·W]
//   H and W are symbolic ("H", "W"), so one file serves every input size.
// Batch norm is folded into the preceding conv first (compile_program); each Step becomes:
//   conv2d -> Conv (group, pads, strides)        conv_transpose2d -> ConvTranspose (pads, output_padding)
//   relu / tanh / sigmoid / leaky_relu -> Relu / Tanh / Sigmoid / LeakyRelu
//   prelu -> PRelu, slope [C, 1, 1]              batch_norm (not foldable) -> Mul + Add with [C, 1, 1]
//   squeeze_excite -> GlobalAveragePool (mean+std pool: + Sub, Mul, GlobalAveragePool, Sqrt, Add),
//                     1x1 Conv, Relu, 1x1 Conv, HardSigmoid(alpha 1/6, beta 0.5) | Sigmoid, Mul
//   add -> Add (2 inputs) | Sum    mul -> Mul (channel broadcast)    concat -> Concat(axis 1)
//   slice -> Slice(axis 1)         max_pool2d -> MaxPool              pixel_shuffle -> DepthToSpace(CRD)
//   bicubic_upsample kPytorch -> Resize(cubic, cubic_coeff_a −0.75, half_pixel, exclude_outside 0)
//   bicubic_upsample kMatlab  -> symmetric mirror padding (Slice + Concat), depthwise Conv with the exact
//                                per-phase weights (runtime/phase_filter.h), DepthToSpace(CRD); needs H, W >= 2
//   bilinear_upsample -> Resize(linear, half_pixel)   bilinear_resize -> Resize(linear, half_pixel, sizes)
// Multi-frame models whose graph runs one frame (EVSRNet frame_parallel: T > 1, a 3-channel input) are
// wrapped: Reshape [1, 3T, H, W] -> [T, 3, H, W], the network on a batch of T, Reshape back. Graphs with
// several inputs/outputs (EVSRNet recurrent: one step) keep the graph's input names and name output 0 "sr",
// the others after their nodes.
// Options: clamp_output appends Clip(0, 1) to output 0; fp16 stores every float initializer as float16 and
// computes in float16 between a Cast after each input and a Cast before each output (I/O stays float32).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"
#include "runtime/graph.h"
#include "runtime/model_file.h"
#include "runtime/tensor.h"

namespace litesr {

inline constexpr int kOnnxOpset = 13;
inline constexpr std::string_view kOnnxInputName = "lr";
inline constexpr std::string_view kOnnxOutputName = "sr";

struct OnnxExportOptions {
  bool fp16 = false;          // float16 initializers and arithmetic, float32 I/O
  bool clamp_output = false;  // Clip(0, 1) on output 0
  std::string doc;            // ModelProto.doc_string ("" = none)
};

// Serialized ModelProto. Metadata props carry litesr.arch, litesr.scale, litesr.frames. kUnsupported for a
// graph the mapping above cannot express; validate errors from compile_program.
Result<std::string> export_onnx(const Graph& graph, const TensorMap& tensors, const OnnxExportOptions& options = {});

// build_graph(model) + export_onnx; also copies litesr.config into the metadata props. An INT8 model (one with
// litesr.quantization) is written in QDQ form instead: export_onnx_qdq (onnx_qdq_export.h).
Result<std::string> export_onnx(const ModelFile& model, const OnnxExportOptions& options = {});

// Runs onnx::checker::check_model (full check) and strict shape inference on serialized bytes:
// kCorruptData with the checker's message when the model is invalid.
Status check_onnx(std::string_view bytes);

// export_onnx + check_onnx + atomic write (never a partial file).
Status write_onnx(const std::filesystem::path& path, const ModelFile& model, const OnnxExportOptions& options = {});

}  // namespace litesr

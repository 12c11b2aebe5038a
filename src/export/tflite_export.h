// TFLite export: a runtime Graph + weights -> a TensorFlow Lite flatbuffer (docs/export.md). No LibTorch,
// no TensorFlow: the file is written with the FlatBuffers builder against the schema subset in
// tflite_format.h.
//
// The model (schema 3, one subgraph, fixed shapes — TFLite plans memory for a fixed input size):
//   input  "lr"  float32 [1, H, W, C·T]   (NHWC; RGB in [0, 1]; T = litesr.frames, channel = C·t + colour:
//                                          the MAI challenge layout, e.g. EVSRNet [1, 180, 320, 30])
//   output "sr"  float32 [1, s·H, s·W, C'·T]
// Batch norm is folded into the preceding conv first (compile_program); each Step becomes:
//   conv2d -> CONV_2D (groups 1) | DEPTHWISE_CONV_2D (groups == in channels); "same" padding when it is
//             PyTorch's symmetric padding, otherwise PAD + VALID; filters OHWI / 1HW(I·M)
//   conv_transpose2d -> TRANSPOSE_CONV (VALID, full size) + SLICE (PyTorch's padding crop) + ADD (bias)
//   relu / tanh / sigmoid / leaky_relu -> RELU / TANH / LOGISTIC / LEAKY_RELU (a ReLU right after a conv
//             that feeds nothing else is fused into the conv)
//   prelu -> RELU(x) + slope · MINIMUM(x, 0)  (PRELU is missing from Arm NN 20.08, the runtime the tests use)
//   batch_norm (not foldable) -> MUL + ADD      add -> ADD (chained)   mul -> MUL   concat -> CONCATENATION
//   slice -> SLICE                              max_pool2d -> MAX_POOL_2D (VALID, or SAME when equivalent)
//   squeeze_excite -> MEAN(axes 1, 2) [, mean+std: SUB, MUL, MEAN, SQRT, ADD], 1x1 CONV_2D (+ReLU),
//             1x1 CONV_2D, ADD 3 + RELU6 + MUL 1/6 (hard sigmoid) | LOGISTIC, MUL
//   pixel_shuffle -> RESHAPE [NHW, C, r, r], TRANSPOSE (0 2 3 1), RESHAPE [NH, W, r, rC], TRANSPOSE
//             (0 2 1 3), RESHAPE [N, rH, rW, C]: PyTorch's channel order c·r² + i·r + j, which differs from
//             TFLite's DEPTH_TO_SPACE ((i·r + j)·C + c)
//   bicubic_upsample -> border padding (SLICE + CONCATENATION: symmetric mirror for MATLAB's kind, edge
//             replication for PyTorch's), DEPTHWISE_CONV_2D with the per-phase weights (runtime/phase_filter.h),
//             pixel shuffle as above (TFLite has no bicubic resize)
//   bilinear_upsample -> edge replication + DEPTHWISE_CONV_2D phase filters + pixel shuffle (exact)
//   bilinear_resize -> RESIZE_BILINEAR (half_pixel_centers; the size of its reference input)
// Frame-parallel multi-frame models (EVSRNet, T > 1, one 3-channel frame per run) are wrapped: the
// [1, H, W, 3T] input is regrouped to a batch [T, H, W, 3] and back. Graphs with several inputs/outputs
// (EVSRNet recurrent: one step) keep the graph's input names; output 0 is "sr".
// Options: fp16 stores every float constant as FLOAT16 followed by a DEQUANTIZE (TFLite's float16
// quantization: the GPU delegates compute in half precision, the CPU dequantizes once at load);
// clamp_output appends MAXIMUM 0 + MINIMUM 1 to output 0.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"
#include "runtime/graph.h"
#include "runtime/model_file.h"
#include "runtime/tensor.h"

namespace litesr {

inline constexpr std::string_view kTfliteInputName = "lr";
inline constexpr std::string_view kTfliteOutputName = "sr";

struct TfliteExportOptions {
  int height = 180;  // LR input size baked into the file (the MAI 2021/2022 challenges use 180 x 320)
  int width = 320;
  bool fp16 = false;          // FLOAT16 constants + DEQUANTIZE
  bool clamp_output = false;  // output 0 clamped to [0, 1]
  std::string description;    // Model.description ("" = a default naming the architecture)
};

// Serialized flatbuffer. kUnsupported for a graph the mapping above cannot express; kInvalidArgument for a
// size the graph cannot take; validate errors from compile_program.
Result<std::string> export_tflite(const Graph& graph, const TensorMap& tensors, const TfliteExportOptions& options);

// build_graph(model) + export_tflite; an INT8 model (litesr.quantization) is written as its full-integer file
// (export_tflite_int8, tflite_int8_export.h).
Result<std::string> export_tflite(const ModelFile& model, const TfliteExportOptions& options = {});

// Structural check of serialized bytes: a verifiable flatbuffer with the TFL3 identifier, schema version 3,
// one subgraph whose tensors, operator inputs/outputs, opcode and buffer indices are all in range, and whose
// quantization tables have as many zero points as scales (per-axis: one per index of quantized_dimension).
// kCorruptData naming the first problem.
Status check_tflite(std::string_view bytes);

// export_tflite + check_tflite + atomic write (never a partial file).
Status write_tflite(const std::filesystem::path& path, const ModelFile& model, const TfliteExportOptions& options = {});

}  // namespace litesr

// Exporting a model by name or file for other runtimes (`litesr export`, docs/export.md): the model is found as
// every command finds it (models::resolve_model: a built-in name or a .safetensors path; bicubic needs a
// scale), written as ONNX (onnx_export.h) or TFLite (tflite_export.h) and checked by that format's checker
// before the bytes are returned.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"

namespace litesr {

enum class ExportFormat { kOnnx, kTflite };

// "onnx" / "tflite", or "" = from the output's extension (.onnx, .tflite). kInvalidArgument otherwise.
Result<ExportFormat> parse_export_format(std::string_view format, const std::filesystem::path& output);

// TFLite shapes are int32: the N·H·W products of the pixel-shuffle reshapes stay far from overflow at this
// many LR pixels per side.
inline constexpr int kMaxTfliteSide = 16384;
// kInvalidArgument unless 1 <= width, height <= kMaxTfliteSide.
Status check_tflite_input_size(int width, int height);

struct ExportRequest {
  std::string model;  // built-in name or .safetensors path
  int scale = 0;      // 0 = the model's own (bicubic: required)
  ExportFormat format = ExportFormat::kOnnx;
  bool fp16 = false;          // float16 weights (ONNX: float16 arithmetic; TFLite: FLOAT16 constants + DEQUANTIZE)
  bool clamp_output = false;  // clip the output to [0, 1]
  int input_width = 320;      // TFLite only: the LR input size baked into the file (pixels)
  int input_height = 180;
};

// The checked file's bytes. Errors name the model.
Result<std::string> export_model(const ExportRequest& request);

}  // namespace litesr

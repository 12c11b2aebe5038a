#include "export/export_model.h"

#include "export/onnx_export.h"
#include "export/tflite_export.h"
#include "models/builtin_models.h"
#include "runtime/model_quantization.h"

namespace litesr {

Result<ExportFormat> parse_export_format(std::string_view format, const std::filesystem::path& output) {
  if (format.empty()) {
    const std::string ext = output.extension().string();
    if (ext == ".onnx") return ExportFormat::kOnnx;
    if (ext == ".tflite") return ExportFormat::kTflite;
    return invalid_argument("give the format onnx or tflite, or an .onnx / .tflite output");
  }
  if (format == "onnx") return ExportFormat::kOnnx;
  if (format == "tflite") return ExportFormat::kTflite;
  return invalid_argument("export format must be onnx or tflite, got '" + std::string(format) + "'");
}

Status check_tflite_input_size(int width, int height) {
  if (width < 1 || height < 1 || width > kMaxTfliteSide || height > kMaxTfliteSide) {
    return invalid_argument("TFLite input size must be 1.." + std::to_string(kMaxTfliteSide) + " pixels per side, got " +
                            std::to_string(width) + "x" + std::to_string(height));
  }
  return Status();
}

Result<std::string> export_model(const ExportRequest& request) {
  LITESR_ASSIGN_OR_RETURN(const ModelFile model, models::resolve_model(request.model, request.scale));
  if (request.format == ExportFormat::kTflite) {  // INT8 models: full-integer files (tflite_int8_export.h)
    LITESR_RETURN_IF_ERROR(check_tflite_input_size(request.input_width, request.input_height));
    TfliteExportOptions options;
    options.height = request.input_height;
    options.width = request.input_width;
    options.fp16 = request.fp16;
    options.clamp_output = request.clamp_output;
    Result<std::string> bytes = export_tflite(model, options);
    if (!bytes.ok()) return bytes.status().with_context(request.model);
    LITESR_RETURN_IF_ERROR(check_tflite(*bytes).with_context(request.model));
    return bytes;
  }
  OnnxExportOptions options;
  options.fp16 = request.fp16;
  options.clamp_output = request.clamp_output;
  options.doc = "LiteSR " + request.model + (is_quantized_model(model) ? " INT8 QDQ" : "") +
                " (input lr: NCHW float RGB in [0, 1]; output sr)";
  Result<std::string> bytes = export_onnx(model, options);  // INT8 models: QDQ form (onnx_qdq_export.h)
  if (!bytes.ok()) return bytes.status().with_context(request.model);
  LITESR_RETURN_IF_ERROR(check_onnx(*bytes).with_context(request.model));
  return bytes;
}

}  // namespace litesr

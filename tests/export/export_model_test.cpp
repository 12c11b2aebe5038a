#include "export/export_model.h"

#include <gtest/gtest.h>

namespace litesr {
namespace {

TEST(ExportModel, FormatFromNameOrExtension) {
  EXPECT_EQ(parse_export_format("onnx", "m.tflite").value(), ExportFormat::kOnnx);  // the name wins
  EXPECT_EQ(parse_export_format("tflite", "m").value(), ExportFormat::kTflite);
  EXPECT_EQ(parse_export_format("", "dir/m.onnx").value(), ExportFormat::kOnnx);
  EXPECT_EQ(parse_export_format("", "m.tflite").value(), ExportFormat::kTflite);
  EXPECT_EQ(parse_export_format("", "m.pb").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_export_format("coreml", "m.onnx").status().code(), StatusCode::kInvalidArgument);
}

TEST(ExportModel, TfliteInputSizeLimits) {
  EXPECT_TRUE(check_tflite_input_size(1, 1).ok());
  EXPECT_TRUE(check_tflite_input_size(kMaxTfliteSide, kMaxTfliteSide).ok());
  EXPECT_FALSE(check_tflite_input_size(kMaxTfliteSide + 1, 10).ok());
  EXPECT_FALSE(check_tflite_input_size(10, 0).ok());
  ExportRequest request;
  request.model = "elsr-x4";
  request.format = ExportFormat::kTflite;
  request.input_width = 0;
  EXPECT_EQ(export_model(request).status().code(), StatusCode::kInvalidArgument);
}

TEST(ExportModel, BuiltinModelsExportToCheckedFiles) {
  ExportRequest request;
  request.model = "elsr-x4";
  const Result<std::string> onnx = export_model(request);
  ASSERT_TRUE(onnx.ok()) << onnx.status().to_string();
  EXPECT_GT(onnx->size(), 1000u);
  request.format = ExportFormat::kTflite;
  request.input_width = 64;
  request.input_height = 48;
  const Result<std::string> tflite = export_model(request);
  ASSERT_TRUE(tflite.ok()) << tflite.status().to_string();
  EXPECT_EQ(tflite->substr(4, 4), "TFL3");  // the FlatBuffers file identifier
}

TEST(ExportModel, UnknownModelIsNotFoundAndNamed) {
  ExportRequest request;
  request.model = "no-such-model-x4";
  const Result<std::string> bytes = export_model(request);
  EXPECT_EQ(bytes.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bytes.status().message().find("no-such-model-x4"), std::string::npos);
}

}  // namespace
}  // namespace litesr

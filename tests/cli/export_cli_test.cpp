// `litesr export`: formats by flag or extension, the TFLite input size, usage errors, no partial files.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/cli_runner.h"

namespace litesr::testing {
namespace {

TEST(ExportCli, WritesTfliteAndOnnxByExtension) {
  LITESR_REQUIRE_COMMAND("export", "LITESR_WITH_EXPORT");
  TempDir dir;
  const auto tflite = dir.path() / "elsr.tflite";
  CliRun r = run_litesr({"export", "elsr-x4", "-o", tflite.string(), "--input", "64x36"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("[1, 36, 64, C]"), std::string::npos) << r.out;  // the baked-in LR size
  const std::string bytes = read_file_bytes(tflite);
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(4, 4), "TFL3");

  const auto onnx = dir.path() / "elsr.onnx";
  r = run_litesr({"export", "elsr-x4", "-o", onnx.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ONNX opset"), std::string::npos);

  // An existing file is kept without --overwrite.
  r = run_litesr({"export", "elsr-x4", "-o", tflite.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(read_file_bytes(tflite), bytes);
}

TEST(ExportCli, UsageErrorsLeaveNoFile) {
  LITESR_REQUIRE_COMMAND("export", "LITESR_WITH_EXPORT");
  TempDir dir;
  const auto out = dir.path() / "model.bin";
  CliRun r = run_litesr({"export", "elsr-x4", "-o", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--format"), std::string::npos) << r.err;
  r = run_litesr({"export", "elsr-x4", "-o", out.string(), "-f", "tflite", "--input", "12by7"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("WIDTHxHEIGHT"), std::string::npos) << r.err;
  r = run_litesr({"export", "elsr-x4", "-o", out.string(), "-f", "tflite", "--input", "20000x8"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("16384"), std::string::npos) << r.err;
  r = run_litesr({"export", "no-such-model", "-o", out.string(), "-f", "tflite"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace litesr::testing

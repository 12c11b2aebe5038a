// Runs an exported ONNX model with ONNX Runtime through tools/ort_run.js (node + onnxruntime-node installed
// by `cd tools && npm ci`, scripts/install-deps.sh). Tests skip when either is missing.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/feature_map.h"

namespace litesr::testing {

// "" when node and tools/node_modules/onnxruntime-node are present, otherwise why not.
std::string ort_unavailable_reason();

// Writes `onnx` and `input` ([1, C, H, W]) to `dir`, runs ORT, reads output 0 back as [C', H', W'].
Result<FeatureMap> run_onnx_runtime(const std::string& onnx, const FeatureMap& input, const std::filesystem::path& dir);
// Several inputs ([C, H, W] each, fed in the model's input order): every output, in order.
Result<std::vector<FeatureMap>> run_onnx_runtime(const std::string& onnx, const std::vector<FeatureMap>& inputs,
                                                 const std::filesystem::path& dir);

}  // namespace litesr::testing

#define LITESR_REQUIRE_ORT()                                                               \
  if (const std::string why = ::litesr::testing::ort_unavailable_reason(); !why.empty()) { \
    GTEST_SKIP() << why;                                                                   \
  }

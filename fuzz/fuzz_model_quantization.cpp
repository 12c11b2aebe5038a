// libFuzzer target for the INT8 model file's `litesr.quantization` metadata parser (docs/fuzzing.md,
// runtime/model_quantization.h). Any text must yield parameters that pass check_int8_params and survive a
// serialize → parse round trip unchanged, or a kCorruptData error; a crash or sanitizer report is a bug.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "runtime/model_quantization.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = litesr::parse_model_quantization(text);
  if (result.ok()) {
    for (const auto& [step, params] : result->activations) {
      if (!litesr::check_int8_params(params, step).ok()) std::abort();
    }
    auto again = litesr::parse_model_quantization(litesr::model_quantization_json(*result));
    if (!again.ok() || again->activations != result->activations || again->calibration != result->calibration) {
      std::abort();
    }
  } else if (result.status().code() != litesr::StatusCode::kCorruptData) {
    std::abort();
  }
  return 0;
}

// libFuzzer target for the safetensors model-file parser (docs/fuzzing.md).
// Any input must yield either a model whose tensors match their shapes or a clean error; a crash,
// sanitizer report, leak or kInternal status is a bug.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "runtime/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto result = litesr::parse_model_file(std::span<const uint8_t>(data, size), "fuzz");
  if (result.ok()) {
    for (const auto& [name, tensor] : result->tensors) {
      if (static_cast<int64_t>(tensor.data.size()) != tensor.numel()) std::abort();
    }
    // A parsed model must survive a serialize/parse round trip.
    const std::string bytes = litesr::serialize_model_file(*result);
    auto again = litesr::parse_model_file(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), "fuzz-roundtrip");
    if (!again.ok() || again->tensors.size() != result->tensors.size()) std::abort();
  } else if (result.status().code() == litesr::StatusCode::kInternal) {
    std::abort();
  }
  return 0;
}

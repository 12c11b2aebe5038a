// ModelQuantization: what makes a float model file an INT8 model — the quantization parameters of every
// activation, stored in the file's metadata under `litesr.quantization` (DESIGN §3; docs/quantization.md
// "Model file"). The tensors stay float32 (readable by PyTorch, and by LiteSR's float path); the integer
// weights and biases are derived from them at load exactly as TFLite's converter derives them
// (quant/quant_params.h: per-channel symmetric weights, int32 biases), so the runtime and the exported INT8
// files compute the same integers.
//
// JSON form (the metadata value is this object, serialised):
//   {"scheme": "int8",                                   TFLite's full-integer scheme, the only one
//    "activations": {"<step>": [scale, zero_point], ...}, every step of the compiled program (graph node
//                                                          names after batch-norm folding and conv_transpose
//                                                          lowering: "<name>.subpixel"), inputs included;
//                                                          entries for no step are an error at load
//    "calibration": "<how the ranges were chosen>"}       provenance, free text (e.g. "percentile 99.99, 48 images")
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/status.h"
#include "quant/quant_params.h"
#include "runtime/model_file.h"

namespace litesr {

inline constexpr std::string_view kMetaQuantization = "litesr.quantization";

struct ModelQuantization {
  std::map<std::string, QuantParams> activations;  // step name -> its output's parameters
  std::string calibration;                          // provenance, free text
};

// Whether a model file carries `litesr.quantization`.
bool is_quantized_model(const ModelFile& model);
// Parses and validates the metadata value: well-formed JSON of the form above, scheme "int8", every scale finite
// and > 0, every zero point in [−128, 127]. kCorruptData naming the key otherwise.
Result<ModelQuantization> parse_model_quantization(std::string_view json);
// The metadata value for `q` (keys sorted; scales written with enough digits to read back the same float).
std::string model_quantization_json(const ModelQuantization& q);
// Reads `litesr.quantization` of `model` (kNotFound when absent).
Result<ModelQuantization> read_model_quantization(const ModelFile& model);

}  // namespace litesr

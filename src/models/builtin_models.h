// Built-in models: the names `litesr upscale -n NAME` accepts without a file (DESIGN §7).
//
// Names are `<arch>-x<scale>` for the weights shipped in models/*.safetensors (compiled into the binary),
// plus `bicubic`, which has no weights and takes its scale from the caller. `resolve_model` also accepts a
// path to a .safetensors file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "runtime/model_file.h"

namespace litesr::models {

// The model `litesr upscale` uses when no -n is given: elsr-x4 when shipped, otherwise bicubic.
std::string default_model_name();

// Sorted names of every built-in model, `bicubic` included.
std::vector<std::string> builtin_model_names();

// Bicubic has no scale of its own: a scale of 0 asks for this one (the one place that rule lives).
inline constexpr int kBicubicDefaultScale = 4;

// A built-in model by name. `scale` for bicubic is 2..8, or 0 for kBicubicDefaultScale; for shipped models it
// must be 0 or equal to the model's scale.
Result<ModelFile> load_builtin_model(std::string_view name, int scale = 0);

// A model metadata-only file for the MATLAB-exact bicubic baseline at `scale`.
ModelFile make_bicubic_model(int scale);

// `name_or_path`: a built-in name, or a path to a .safetensors file (anything containing '/' or ending in
// ".safetensors"). kNotFound lists the built-in names. A non-zero `scale` must match the model's.
Result<ModelFile> resolve_model(std::string_view name_or_path, int scale = 0);

// litesr.scale of a model file, validated (1..16).
Result<int> model_scale(const ModelFile& model);

}  // namespace litesr::models

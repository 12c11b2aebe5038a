// Built-in models: the names `litesr upscale -n NAME` accepts without a file (DESIGN §7).
//
// Names are `<arch>-x<scale>` for the weights shipped in models/*.safetensors (compiled into the binary),
// plus `bicubic`, which has no weights and takes its scale from the caller. `resolve_model` also accepts a
// path to a .safetensors file.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "runtime/model_file.h"

namespace litesr::models {

// The defaults, chosen by measurement (bench/choose_defaults.sh; docs/benchmarks.md "Default models"), each
// the first of its preference list that is shipped (otherwise bicubic):
//   photos (`litesr upscale`, `eval`, the C API without a model): sam-sr-xlite-x4 — the best held-out PSNR-Y
//     of the shipped x4 models among those that upscale to 12 MP in <= 0.5 s on 2 cores (0.24 s), then
//     sam-sr-xlite-x4-y (0.32 s), then elsr-x4;
//   video (`litesr video` without -n): fsrcnn-x4-y — the best held-out frame-sequence PSNR-Y among the shipped
//     x4 models that run 320x180 -> 720p end to end at >= 60 fps on 2 cores (114 fps on the Y' plane, 2026-12-06,
//     session 25; sam-sr-xlite-x4-y, 0.24 dB higher, ran at 56.5 fps there and 58.5-60.4 in session 24, against
//     66-75 fps in sessions 22-23 on a faster hour: no margin on this host), then sam-sr-xlite-x4-y,
//     evsrnet-nas-x4, elsr-x4.
std::string default_model_name();
std::string default_video_model_name();

// Sorted names of every built-in model, `bicubic` included.
std::vector<std::string> builtin_model_names();

// The shipped models of `name`'s family (the same name up to its "-x<scale>" suffix), smallest scale first, as
// (scale, name): "elsr-x4" -> {(2, "elsr-x2"), (4, "elsr-x4")}. Empty for bicubic, files and unknown names.
std::vector<std::pair<int, std::string>> builtin_family(std::string_view name);

// Bicubic has no scale of its own: a scale of 0 asks for this one (the one place that rule lives).
inline constexpr int kBicubicDefaultScale = 4;
inline constexpr int kBicubicMaxScale = 8;  // bicubic sessions take scales 2..8

// A built-in model by name. `scale` for bicubic is 2..8, or 0 for kBicubicDefaultScale; for shipped models it
// must be 0 or equal to the model's scale.
Result<ModelFile> load_builtin_model(std::string_view name, int scale = 0);

// A model metadata-only file for the MATLAB-exact bicubic baseline at `scale`.
ModelFile make_bicubic_model(int scale);

// Whether resolve_model reads `name_or_path` as a file path (it contains '/' or ends in ".safetensors") rather than
// a built-in name.
bool is_model_path(std::string_view name_or_path);

// `name_or_path`: a built-in name, or a path to a .safetensors file (is_model_path). kNotFound lists the built-in
// names. A non-zero `scale` must match the model's.
Result<ModelFile> resolve_model(std::string_view name_or_path, int scale = 0);

// litesr.scale of a model file, validated (1..16).
Result<int> model_scale(const ModelFile& model);

}  // namespace litesr::models

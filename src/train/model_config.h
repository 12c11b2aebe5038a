// ModelConfig: the configuration of a trainable architecture. Each alternative is the architecture's config
// struct from the models table (models/architectures.h), so its defaults, range checks and JSON form (the
// model file's `litesr.config`, docs/architectures.md) are the ones the runtime uses; the only train-side
// addition is ELSR's training-only `expand` (ElsrConfig below). Torch-free, so the CLI and tests can use it.
//
// JSON: the models JSON form with every key written out on output, plus "expand" for ELSR when > 0. On input
// (recipes' [model] tables, checkpoints, model files) missing keys take the struct's defaults; unknown keys,
// wrong types and out-of-range values are kInvalidArgument errors naming the key.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "base/status.h"
#include "models/elsr.h"
#include "models/espcn.h"
#include "models/evsrnet.h"
#include "models/fsrcnn.h"
#include "models/sam_sr.h"

namespace litesr::train {

// ELSR as trained: models::ElsrConfig plus the over-parameterisation width. A training-time device only: the
// model file holds the collapsed plain network (train/elsr_network.h collapse_elsr), whose config is the
// models::ElsrConfig part, so "expand" never reaches a `litesr.config` the runtime reads.
struct ElsrConfig : models::ElsrConfig {
  int expand = 0;  // linear over-parameterisation width p (train/collapsible_conv.h), 0..1024; 0 = plain
  bool operator==(const ElsrConfig&) const = default;
};

using models::EspcnConfig;
using models::EvsrnetConfig;
using models::EvsrnetMode;
using models::FsrcnnConfig;
using models::SamSrConfig;

using ModelConfig = std::variant<ElsrConfig, EvsrnetConfig, SamSrConfig, EspcnConfig, FsrcnnConfig>;

// The scales the trainer trains (a recipe stage's `scale`, hence every trainable config's): x2..x4.
inline constexpr int kMinTrainingScale = 2;
inline constexpr int kMaxTrainingScale = 4;

// litesr.arch: "elsr", "evsrnet", "sam_sr", "espcn", "fsrcnn".
std::string_view arch_name(const ModelConfig& config);
int config_scale(const ModelConfig& config);
ModelConfig with_scale(const ModelConfig& config, int scale);
// Input frames of the model (litesr.frames): EVSRNet's T, otherwise 1.
int config_frames(const ModelConfig& config);
// Channels of one frame: 3 (RGB) or 1 (luma: ESPCN / FSRCNN "channels": 1, the papers' Y-only variants); the
// model file's litesr.color is frame_color() of its graph (runtime/graph.h).
int config_frame_channels(const ModelConfig& config);
// The runtime graph of the config (models table builder; for ELSR the plain network, without "expand").
Result<Graph> config_graph(const ModelConfig& config);

// Parses `json_text` (a JSON object, see above) for architecture `arch`: kInvalidArgument for the errors above,
// a scale outside the training scales, and architectures without a training module; kUnsupported for a
// configuration whose frames are neither RGB nor luma.
Result<ModelConfig> parse_model_config(std::string_view arch, std::string_view json_text);
// The config as a compact JSON object with every parameter written out (the `litesr.config` value).
std::string model_config_json(const ModelConfig& config);

}  // namespace litesr::train

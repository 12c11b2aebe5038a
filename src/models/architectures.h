// The architecture table: one row per architecture (`litesr.arch`), the one place that lists them. `models`
// (registry, random models), `train` (train/model_config.h), `profile` and `bench` all read it; nothing else
// branches on an architecture's name.
//
// A row is Architecture<Config>:
//   Config       the config struct, in models/<arch>.h: `static constexpr const char* kArch` (its litesr.arch),
//                an `int scale`, every other hyper-parameter with its default as a member initialiser, and
//                `operator==`. A struct with an `int frames` member is a video model taking that many frames
//                per input window (litesr.frames = Graph::input_frames); every other takes one.
//   description  one line for listings
//   parse        litesr.config object -> Config: every key required, unknown keys, wrong JSON types and
//                out-of-range values rejected (kInvalidArgument naming the architecture and the key)
//   to_json      Config -> litesr.config object with every key written out; parse(to_json(c)) == c
//   build        Config -> runtime graph (docs/architectures.md), validating the config again
//
// Adding an architecture: write models/<arch>.{h,cpp} (the struct and the three functions, in the shape of
// models/espcn.h) and add one row to kArchitectures below; tests/models/architectures_test.cpp then checks it.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string_view>
#include <tuple>

#include "base/status.h"
#include "models/bicubic.h"
#include "models/elsr.h"
#include "models/espcn.h"
#include "models/evsrnet.h"
#include "models/fsrcnn.h"
#include "models/imdn.h"
#include "models/msrresnet.h"
#include "models/rfdn.h"
#include "models/sam_sr.h"
#include "runtime/graph.h"

namespace litesr::models {

template <typename Config>
struct Architecture {
  using ConfigType = Config;
  static constexpr std::string_view name = Config::kArch;
  std::string_view description;
  Result<Config> (*parse)(const nlohmann::json& config);
  nlohmann::json (*to_json)(const Config& config);
  Result<Graph> (*build)(const Config& config);
};

// THE TABLE, sorted by name.
inline constexpr std::tuple kArchitectures{
    Architecture<BicubicConfig>{"MATLAB-exact bicubic interpolation (the baseline; no weights)", &parse_bicubic_config,
                                &bicubic_config_json, &build_bicubic_graph},
    Architecture<ElsrConfig>{"ELSR (seed 000): 6-channel residual CNN + pixel shuffle", &parse_elsr_config,
                             &elsr_config_json, &build_elsr_graph},
    Architecture<EspcnConfig>{"ESPCN: tanh sub-pixel CNN", &parse_espcn_config, &espcn_config_json, &build_espcn_graph},
    Architecture<EvsrnetConfig>{"EVSRNet (seed 001): video SR over T-frame windows, recurrent or frame-parallel",
                                &parse_evsrnet_config, &evsrnet_config_json, &build_evsrnet_graph},
    Architecture<FsrcnnConfig>{"FSRCNN: shrink-map-expand CNN + 9x9 deconvolution", &parse_fsrcnn_config,
                               &fsrcnn_config_json, &build_fsrcnn_graph},
    Architecture<ImdnConfig>{"IMDN: information multi-distillation blocks, contrast-aware attention",
                             &parse_imdn_config, &imdn_config_json, &build_imdn_graph},
    Architecture<MsrresnetConfig>{
        "MSRResNet (KAIR MSRResNet1): residual trunk, pixel-shuffle upsampling, bilinear skip", &parse_msrresnet_config,
        &msrresnet_config_json, &build_msrresnet_graph},
    Architecture<RfdnConfig>{"RFDN: residual feature distillation blocks with ESA (AIM 2020 efficient-SR winner)",
                             &parse_rfdn_config, &rfdn_config_json, &build_rfdn_graph},
    Architecture<SamSrConfig>{"SAM-SR (seed 002): MobileNetV3 blocks, reconstructed upsampler, bicubic skip",
                              &parse_sam_sr_config, &sam_sr_config_json, &build_sam_sr_graph},
};

// The typed row of a config struct: architecture<SamSrConfig>().parse(j), .name, ...
template <typename Config>
constexpr const Architecture<Config>& architecture() {
  return std::get<Architecture<Config>>(kArchitectures);
}

// litesr.frames of a configuration (see the file comment).
template <typename Config>
constexpr int config_input_frames(const Config& config) {
  if constexpr (requires { config.frames; }) {
    return config.frames;
  } else {
    return 1;
  }
}

// A row with its config as JSON: what code that holds an architecture only by name uses.
struct ArchitectureInfo {
  std::string_view name;
  std::string_view description;
  nlohmann::json (*default_config)();  // to_json(Config{}): every key, each at its default
  // parse + to_json: the config validated and written out in full (kInvalidArgument as `parse`).
  Result<nlohmann::json> (*normalize_config)(const nlohmann::json& config);
  // parse + build; kInvalidArgument unless the config's scale is `scale` (litesr.scale).
  Result<Graph> (*build_graph)(int scale, const nlohmann::json& config);
};

// Every row of kArchitectures, in its order (sorted by name).
std::span<const ArchitectureInfo> architectures();
// The row named `name`; nullptr for unknown names.
const ArchitectureInfo* find_architecture(std::string_view name);

}  // namespace litesr::models
